"""What a record keeps of the advisor's judgement: the chosen pattern's estimate warnings,
patterns that were not an option for the interaction, operational readiness and what would
lead once the missing practices are in place, on the page, in the PDF and in the Markdown;
and records frozen before any of that still read."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from advisor.models import Role
from decisions.content import drivers_text
from decisions.models import Decision
from tests.factories import (
    NOBODY_WAITS,
    SOMEONE_WAITS,
    MembershipFactory,
    SystemFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db

BATCH = {**NOBODY_WAITS, "operation": "batch"}
# A user waits for an acknowledgement of a change on a receiver that is sometimes down, and
# the team runs none of the practices messaging needs: direct calls lead today, messaging
# would lead once those practices were in place.
NOT_READY = {
    "dominant_constraint": "unsure", "operation": "command", "caller_needs_result": "no",
    "user_waiting": "yes", "duration": "under_2s", "load": "spiky",
    "receiver_availability": "sometimes_down", "capabilities": [], "broker_experience": "none",
    "drop_policy": "must_not_lose",
}  # fmt: skip
SYNC, ASYNC = "Synchronous request-response", "Asynchronous messaging (fire-and-forget)"
FORMATS = ("decision_detail", "decision_export_markdown", "decision_export_pdf")


@pytest.fixture
def team():
    return SystemFactory().team


@pytest.fixture
def editor(team):
    return MembershipFactory(team=team, role=Role.EDITOR).user


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


def _read(client, decision, url_name: str, tmp_path) -> str:
    """What a person reads in one format: page text, the Markdown body, the PDF's text,
    with lines joined so a sentence wrapped across lines still matches."""
    response = client.get(reverse(url_name, args=[decision.pk]))
    assert response.status_code == 200
    if url_name == "decision_export_pdf":
        text = _pdf_text(response.content, tmp_path)
    else:
        text = response.content.decode()
        text = text.split("\n---\n", 1)[-1]  # Markdown: keys only in the front matter
    return " ".join(text.replace("&quot;", '"').replace("&#x27;", "'").split())


def _record(team, editor, answers, **data):
    interaction = make_interaction(system=team.systems.get(), answers=answers)
    return record_decision(interaction, user=editor, **data)


class TestEstimateWarnings:
    def test_a_backlog_that_never_drains_is_on_every_format(self, client, team, editor, tmp_path):
        decision = _record(
            team,
            editor,
            {
                **BATCH,
                "backlog_messages": 50000,
                "processing_rate_per_s": 100,
                "arrival_rate_per_s": 150,
            },
        )
        client.force_login(editor)
        for url_name in FORMATS:
            text = _read(client, decision, url_name, tmp_path)
            assert "The backlog never drains" in text, url_name
            assert "150 messages arrive each second and 100 are processed" in text, url_name
            assert "backlog_never_drains" not in text

    def test_a_backlog_that_takes_hours_is_on_every_format(self, client, team, editor, tmp_path):
        decision = _record(
            team,
            editor,
            {
                **BATCH,
                "backlog_messages": 10_000_000,
                "processing_rate_per_s": 500,
                "arrival_rate_per_s": 100,
            },
        )
        client.force_login(editor)
        for url_name in FORMATS:
            text = _read(client, decision, url_name, tmp_path)
            assert "The backlog takes hours to clear" in text, url_name
            assert "about 6.9 hours to clear" in text, url_name
            assert "The backlog never drains" not in text

    def test_a_tail_over_the_latency_budget_is_on_every_format(
        self, client, team, editor, tmp_path
    ):
        answers = {
            **SOMEONE_WAITS,
            "operation": "query",
            "chain_depth": 5,
            "per_hop_p50_ms": 40,
            "per_hop_p99_ms": 400,
            "latency_budget_ms": 300,
        }
        decision = _record(team, editor, answers, chosen_option="sync",
                           justification="Five hops are what we have today.")  # fmt: skip
        assert decision.chosen_option == "sync"
        client.force_login(editor)
        for url_name in FORMATS:
            text = _read(client, decision, url_name, tmp_path)
            assert "Slowest requests over the latency budget" in text, url_name
            assert "With 5 synchronous hops" in text and "over the 300 ms budget" in text
            assert "latency_budget_exceeded" not in text


class TestNotAnOption:
    REASON = "A reply queue, correlation ids and reply timeouts would be built"

    def test_it_is_worded_apart_from_a_hard_rule_on_every_format(
        self, client, team, editor, tmp_path
    ):
        justification = "The ledger team insists on a reply for their audit trail, so we keep one."
        decision = _record(team, editor, BATCH, chosen_option="request_reply",
                           justification=justification)  # fmt: skip
        client.force_login(editor)
        for url_name in FORMATS:
            text = _read(client, decision, url_name, tmp_path)
            assert "although it is not an option for this interaction" in text, url_name
            assert (
                "Not an option for this interaction: the premise “Someone waits for the reply” "
                "does not hold." in text
            ), url_name
            assert "The premise “Someone waits for the reply” does not hold." in text, url_name
            assert self.REASON in text, url_name
            assert "rules rule it out" not in text and "by the rule “Someone waits" not in text
            assert "someone_waits" not in text

    def test_choosing_it_needs_the_justification_a_ruled_out_one_needs(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        form = client.get(reverse("decision_record", args=[interaction.pk])).context["form"]
        data = {name: form[name].value() for name in form.fields
                if form[name].value() not in (None, [])}  # fmt: skip
        url = reverse("decision_record", args=[interaction.pk])
        response = client.post(url, {**data, "chosen_option": "request_reply",
                                     "justification": "We like replies."})  # fmt: skip
        assert response.status_code == 422
        errors = response.context["form"].errors["justification"]
        assert any("Not an option for this interaction" in error for error in errors)
        # "We like replies." is a sentence: the message says what is asked, and how far off.
        assert any("at least 40 characters (yours has 16)" in error for error in errors)
        assert "You are choosing Async request-reply, which is not an option" in response.text
        assert not Decision.objects.exists()
        reason = "The ledger team insists on a reply for their audit trail, so we keep one."
        response = client.post(url, {**data, "chosen_option": "request_reply",
                                     "justification": reason})  # fmt: skip
        assert response.status_code == 302
        assert Decision.objects.get().chosen_option == "request_reply"


class TestReadiness:
    def test_what_would_lead_once_the_practices_are_in_place_is_on_every_format(
        self, client, team, editor, tmp_path
    ):
        decision = _record(team, editor, NOT_READY, chosen_option="sync")
        assert decision.result["target"]["recommendation"] == "async"
        then = decision.result["target"]["scores"]
        assert decision.recommended_option == "sync"
        client.force_login(editor)
        for url_name in FORMATS:
            text = _read(client, decision, url_name, tmp_path)
            assert "Operational readiness" in text, url_name
            assert (
                "Once idempotent consumers, dead-letter queue with replay, queue-depth and lag "
                "alerts, transactional outbox and status or notification for the user are in "
                "place, Asynchronous messaging" in text
            ), url_name
            assert f"would lead. It would score {then['async']:g} against {then['sync']:g}" in text
            assert "outbox" in text and "dlq_replay" not in text and "status_endpoint" not in text

    def test_a_choice_that_loses_on_readiness_says_what_it_lacks(
        self, client, team, editor, tmp_path
    ):
        decision = _record(
            team,
            editor,
            NOT_READY,
            chosen_option="async",
            justification="We are putting the outbox in place this quarter.",
        )
        client.force_login(editor)
        drivers = " ".join(decision.drivers.split())
        assert f"In favour of {SYNC} (the advisor's recommendation):" in drivers
        assert f"- Operational readiness, for {ASYNC}: no idempotent consumers" in drivers
        for url_name in FORMATS:
            text = _read(client, decision, url_name, tmp_path)
            assert f"Not in production yet for {ASYNC}: idempotent consumers," in text, url_name
            assert "points off its score" in text, url_name

    def test_the_drivers_never_show_a_readiness_key(self, team, editor):
        from advisor.engine import evaluate, parse_answers
        from advisor.frameworks import framework_get

        framework = framework_get("default", 3)
        result = evaluate(framework, parse_answers(framework, NOT_READY))
        for chosen in framework.pattern_keys:
            text = drivers_text(framework, result, chosen)
            assert "readiness" not in text.replace("Operational readiness", "")
            assert "idempotency_keys" not in text and "dlq_replay" not in text


class TestOldSnapshots:
    def test_a_record_frozen_before_premises_and_readiness_still_reads(
        self, client, team, editor, tmp_path
    ):
        decision = _record(
            team,
            editor,
            {**BATCH, "caller_needs_result": "yes"},
            chosen_option="async",
            justification="The caller polls the ledger, so no reply is needed.",
        )
        result = dict(decision.result)
        for key in ("target", "readiness", "premises", "not_applicable"):
            result.pop(key, None)
        result["vetoes"] = [
            {"pattern": v["pattern"], "rule": v["rule"], "reason": v["reason"]}
            for v in result["vetoes"]
        ]
        Decision.objects.filter(pk=decision.pk).update(result=result)
        client.force_login(editor)
        for url_name in FORMATS:
            text = _read(client, decision, url_name, tmp_path)
            assert "although the framework's rules rule it out" in text, url_name
            assert "Ruled out by the rule “The caller needs the answer”" in text, url_name
            assert "Operational readiness" not in text and "would lead" not in text
            assert "Not an option for this interaction" not in text


class TestJsonExport:
    def test_it_keeps_the_target_readiness_and_the_kind_of_each_exclusion(
        self, client, team, editor
    ):
        decision = _record(team, editor, NOT_READY, chosen_option="sync")
        client.force_login(editor)
        data = client.get(reverse("decision_export_json", args=[decision.pk])).json()
        assert data["result"]["target"]["recommendation"] == "async"
        assert data["result"]["readiness"]["async"]["missing"]
        kinds = {(v["pattern"], v["kind"]) for v in data["result"]["vetoes"]}
        assert ("cqrs_lite", "premise") in kinds


class TestAnswersThatDidNotApply:
    def test_they_are_kept_and_marked_as_not_counted_in_every_format(
        self, client, team, editor, tmp_path
    ):
        answers = {**SOMEONE_WAITS, "operation": "query", "drop_policy": "must_not_lose"}
        decision = _record(team, editor, answers)
        assert decision.answers["drop_policy"] == "must_not_lose"
        assert "drop_policy" in decision.result["not_applicable"]
        client.force_login(editor)
        marked = "Must not be lost (not counted: the question does not apply to this interaction)"
        for url_name in FORMATS:
            text = _read(client, decision, url_name, tmp_path)
            if url_name == "decision_export_pdf":  # table cells wrap across the text lines
                assert "Must not be lost (not counted: the" in text, url_name
            else:
                assert marked in text, url_name


class TestPracticesNobodyAsked:
    def test_a_practice_no_capability_stands_for_is_to_do_not_missing(
        self, client, team, editor, tmp_path
    ):
        decision = _record(team, editor, {**BATCH, "capabilities": []})
        assert decision.chosen_option == "async"
        client.force_login(editor)
        page = _read(client, decision, "decision_detail", tmp_path)
        assert "○ To do · <strong>Backpressure at the edge</strong>" in page
        assert "✗ Missing · <strong>Dead-letter queue with replay</strong>" in page
        markdown = _read(client, decision, "decision_export_markdown", tmp_path)
        assert "* To do: Backpressure at the edge" in markdown
        assert "* Missing: Dead-letter queue with replay" in markdown
