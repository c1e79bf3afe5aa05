"""A record follows the option the team chose, claims no advice that was not given, is
recorded once per form and reads the same whatever happens to the framework files later."""

from __future__ import annotations

import json
import re
import uuid
from html import escape

import pytest
from django.urls import reverse

from advisor import frameworks
from advisor.engine import framework_files
from advisor.models import Role
from decisions.models import Decision
from tests.factories import (
    NOBODY_WAITS,
    MembershipFactory,
    SystemFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db

# Batch work nobody waits for: the advisor recommends fire-and-forget messaging.
BATCH = {**NOBODY_WAITS, "operation": "batch"}
SYNC_BAD = "Each call holds a thread and a connection while it waits"


@pytest.fixture
def team():
    return SystemFactory().team


@pytest.fixture
def editor(team):
    return MembershipFactory(team=team, role=Role.EDITOR).user


def _form(client, interaction) -> dict:
    """The record form's fields as a browser would post them back, untouched."""
    response = client.get(reverse("decision_record", args=[interaction.pk]))
    assert response.status_code == 200
    form = response.context["form"]
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = (
            [str(v.pk if hasattr(v, "pk") else v) for v in value]
            if isinstance(value, list)
            else value
        )
    return data


def _record(client, interaction, **changes):
    data = {**_form(client, interaction), **changes}
    return client.post(reverse("decision_record", args=[interaction.pk]), data)


class TestTheChosenOptionDrivesTheRecord:
    def test_untouched_text_follows_the_option_finally_chosen(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        response = _record(
            client, interaction, chosen_option="sync",
            justification="Ten items a night; a queue is not worth running.",
        )  # fmt: skip
        assert response.status_code == 302
        decision = Decision.objects.get()
        framework = frameworks.framework_get("default", 3)
        sync, async_ = framework.pattern("sync"), framework.pattern("async")
        assert decision.good_consequences == "\n".join(f"- {c}" for c in sync.good_consequences)
        assert decision.bad_consequences == "\n".join(f"- {c}" for c in sync.bad_consequences)
        assert not any(c in decision.bad_consequences for c in async_.bad_consequences)
        # Against the advice, the drivers give both sides.
        assert "In favour of Synchronous request-response (chosen):" in decision.drivers
        assert (
            "In favour of Asynchronous messaging (fire-and-forget) (the advisor's "
            "recommendation):" in decision.drivers
        )

    def test_what_the_author_wrote_is_never_replaced(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        _record(client, interaction, chosen_option="sync", justification="Small volumes.",
                bad_consequences="- Our own words about the downside.")  # fmt: skip
        decision = Decision.objects.get()
        assert decision.bad_consequences == "- Our own words about the downside."
        assert decision.good_consequences.startswith("- ")  # untouched: re-filled

    def test_a_field_the_author_emptied_stays_empty(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        _record(client, interaction, chosen_option="sync", justification="Small volumes.",
                bad_consequences="")  # fmt: skip
        assert Decision.objects.get().bad_consequences == ""

    def test_htmx_refill_swaps_the_form_with_the_chosen_options_text(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        data = {**_form(client, interaction), "chosen_option": "sync", "refill": "1"}
        response = client.post(
            reverse("decision_record", args=[interaction.pk]), data, HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<form id="decision-form"')
        bad = frameworks.framework_get("default", 3).pattern("sync").bad_consequences[0]
        assert escape(bad) in response.text
        assert "You are choosing Synchronous request-response against the advice" in response.text
        assert not Decision.objects.exists()

    def test_without_javascript_the_refill_button_returns_the_page(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        data = {**_form(client, interaction), "chosen_option": "sync", "refill": "1"}
        response = client.post(reverse("decision_record", args=[interaction.pk]), data)
        assert response.status_code == 200
        assert "<!doctype html>" in response.text
        bad = frameworks.framework_get("default", 3).pattern("sync").bad_consequences[0]
        assert escape(bad) in response.text
        assert not Decision.objects.exists()


class TestSuperseding:
    def test_this_interactions_accepted_decisions_come_first(self, client, team, editor):
        from decisions import services

        here = make_interaction(system=team.systems.get(), name="Here", answers=BATCH)
        there = make_interaction(system=team.systems.get(), name="There", answers=BATCH)
        for interaction in (here, there):
            decision = record_decision(interaction, user=editor)
            services.decision_change_status(
                decision=decision, user=editor, status="accepted", base_version=1
            )
        client.force_login(editor)
        form = client.get(reverse("decision_record", args=[here.pk])).context["form"]
        labels = [label for _value, label in form.fields["supersedes"].choices]
        assert labels[0].startswith("ADR-0001") and labels[0].endswith("(this interaction)")
        assert labels[1].startswith("ADR-0002") and "this interaction" not in labels[1]


class TestNoInventedAdvice:
    def test_with_too_few_answers_nothing_is_recommended(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers={})
        client.force_login(editor)
        page = client.get(reverse("decision_record", args=[interaction.pk])).text
        assert "no recommendation" in page and "The advisor recommends" not in page
        assert "(recommended)" not in page and ": 50.0" not in page
        response = _record(client, interaction, chosen_option="request_reply")
        assert response.status_code == 302  # no justification needed: there was no advice
        decision = Decision.objects.get()
        assert decision.recommended_option == "" and not decision.against_advice
        text = client.get(reverse("decision_detail", args=[decision.pk])).text
        assert "Recorded without the advisor&#x27;s recommendation." in text
        assert "Score when recorded" not in text and "<svg" not in text
        markdown = client.get(reverse("decision_export_markdown", args=[decision.pk])).text
        assert "recorded without the advisor's recommendation" in markdown
        assert "recommended-option" not in markdown and "Score when recorded" not in markdown

    def test_a_ruled_out_option_needs_a_real_reason_and_names_the_rule(self, client, team, editor):
        interaction = make_interaction(
            system=team.systems.get(), answers={**BATCH, "caller_needs_result": "yes"}
        )
        client.force_login(editor)
        response = _record(client, interaction, chosen_option="async", justification="test")
        assert response.status_code == 422
        assert "Ruled out by the rule “The caller needs the answer”" in response.text
        assert not Decision.objects.exists()
        reason = "The caller polls the ledger for the outcome, so no reply is needed here."
        assert _record(client, interaction, chosen_option="async",
                       justification=reason).status_code == 302  # fmt: skip
        decision = Decision.objects.get()
        for url in ("decision_detail", "decision_export_markdown"):
            text = client.get(reverse(url, args=[decision.pk])).content.decode()
            assert "The caller needs the answer" in text
            assert "fire-and-forget messaging never brings one back" in text


class TestOneSubmitOneRecord:
    def test_posting_the_same_form_twice_records_once(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        data = _form(client, interaction)
        first = client.post(reverse("decision_record", args=[interaction.pk]), data)
        again = client.post(reverse("decision_record", args=[interaction.pk]), data, follow=True)
        decision = Decision.objects.get()
        assert (
            first.url
            == again.redirect_chain[0][0]
            == reverse("decision_detail", args=[decision.pk])
        )
        assert "already recorded ADR-0001" in again.text
        assert team.decision_sequence.last_number == 1  # no number used up

    def test_the_form_says_it_already_recorded_and_offers_a_new_one(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        url = reverse("decision_record", args=[interaction.pk])
        _record(client, interaction)
        again = client.get(url)  # Back: the same form, the same token
        assert "This form already recorded" in again.text
        fresh = client.get(url + "?new=1")
        assert fresh.status_code == 302 and fresh.url == url
        assert "This form already recorded" not in client.get(url).text

    def test_a_token_from_another_interactions_form_reveals_nothing(self, client, team, editor):
        first = make_interaction(system=team.systems.get(), name="First", answers=BATCH)
        second = make_interaction(system=team.systems.get(), name="Second", answers=BATCH)
        client.force_login(editor)
        token = _form(client, first)["record_token"]
        _record(client, first, record_token=token)
        response = _record(client, second, record_token=token)
        assert response.status_code == 422
        assert "already used" in response.text and "ADR-0001" not in response.text
        assert Decision.objects.count() == 1

    def test_a_fresh_form_records_a_new_decision(self, client, team, editor):
        interaction = make_interaction(system=team.systems.get(), answers=BATCH)
        client.force_login(editor)
        _record(client, interaction)
        _record(client, interaction, record_token=str(uuid.uuid4()))
        assert Decision.objects.count() == 2


class TestFrozenRendering:
    def test_a_record_reads_the_same_after_the_framework_file_changes(
        self, client, team, editor, tmp_path, monkeypatch
    ):
        decision = record_decision(make_interaction(system=team.systems.get(), answers=BATCH),
                                   user=editor)  # fmt: skip
        client.force_login(editor)
        before = client.get(reverse("decision_detail", args=[decision.pk])).text
        # The framework file is edited: a question, a choice and a pattern renamed.
        source = json.loads((framework_files.FRAMEWORKS_DIR / "default.json").read_text())
        source["questions"][1]["text"] = "RENAMED QUESTION"
        source["questions"][1]["choices"][3]["label"] = "RENAMED CHOICE"
        source["patterns"][1]["name"] = "RENAMED PATTERN"
        (tmp_path / "default.json").write_text(json.dumps(source))
        monkeypatch.setattr(framework_files, "FRAMEWORKS_DIR", tmp_path)
        frameworks.clear_caches()
        try:
            assert frameworks.framework_get("default", 3).pattern("async").name == "RENAMED PATTERN"
            after = client.get(reverse("decision_detail", args=[decision.pk])).text
            markdown = client.get(reverse("decision_export_markdown", args=[decision.pk])).text
        finally:
            frameworks.clear_caches()
        assert "RENAMED" not in after and "RENAMED" not in markdown
        assert "What does the interaction do?" in after and "Batch (many items in bulk)" in after
        strip = re.compile(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')
        assert strip.sub("", after) == strip.sub("", before)


class TestTitlesNotKeys:
    def test_warnings_and_practices_show_titles(self, client, team, editor):
        decision = record_decision(
            make_interaction(system=team.systems.get(), answers=BATCH), user=editor,
            chosen_option="sync", justification="Small volumes.",
        )  # fmt: skip
        client.force_login(editor)
        for url in ("decision_detail", "decision_export_markdown"):
            text = client.get(reverse(url, args=[decision.pk])).content.decode()
            body = text.split("\n---\n", 1)[-1]  # Markdown: keys only in the front matter
            assert "Bulk work over direct calls" in body
            assert "Timeouts and bounded retries" in body
            for key in ("sync_batch", "timeouts_retries", "circuit_breakers"):
                assert key not in body
