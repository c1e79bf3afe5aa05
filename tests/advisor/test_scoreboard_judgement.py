"""What the questionnaire and its scoreboard say about the engine's judgement: questions that
do not apply, patterns that are not an option, readiness, and the advice once practices are in
place."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from django.urls import reverse
from django.utils.html import escape

from advisor.engine import evaluate, parse_answers
from advisor.frameworks import framework_get
from advisor.presenters import build_scoreboard
from advisor.questionnaire import base_token
from tests.advisor.engine.helpers import scenario_files
from tests.factories import SystemFactory, make_interaction

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
FRAMEWORK = framework_get("default", 3)
SCENARIOS = {path.stem: json.loads(path.read_text()) for path in scenario_files()}
QUERY_ONLY = ("ordering", "replay", "drop_policy", "consumers")  # not asked of a query
DROP = FRAMEWORK.questions_by_key["drop_policy"]
MUST_NOT_LOSE = next(c.label for c in DROP.choices if c.key == "must_not_lose")

# Sync today; with the practices in place, async request-reply would lead.
HELD_BACK = {
    "dominant_constraint": "resilience", "operation": "batch", "caller_kind": "service",
    "caller_needs_result": "yes", "user_waiting": "no", "duration": "under_2s",
    "chain_depth": 2, "consistency": "immediate", "idempotency": "natural",
    "ordering": "per_key", "replay": "no", "read_write_split": "no",
    "latency_sensitivity": "tolerant", "receiver_availability": "unreliable", "load": "spiky",
    "drop_policy": "best_effort", "temporal_decoupling": "not_needed", "consumers": "one",
    "broker_experience": "none", "capabilities": ["circuit_breakers"],
}  # fmt: skip
# An app's Buy button: only a direct call is an option.
APP_ORDER = {
    "dominant_constraint": "resilience", "operation": "command", "caller_kind": "end_user_client",
    "caller_needs_result": "yes", "user_waiting": "yes", "duration": "under_2s", "chain_depth": 4,
    "consistency": "read_your_writes", "idempotency": "with_keys", "ordering": "none",
    "replay": "useful", "latency_sensitivity": "moderate",
    "receiver_availability": "sometimes_down", "load": "spiky", "drop_policy": "must_not_lose",
    "temporal_decoupling": "required", "consumers": "one", "broker_experience": "some",
    "capabilities": ["timeouts_retries", "circuit_breakers", "tracing", "idempotency_keys"],
}  # fmt: skip


def page(client, interaction) -> str:
    return client.get(reverse("interaction_detail", args=[interaction.pk])).text


def post(client, interaction, data, **headers):
    saved = interaction.assessment
    saved.refresh_from_db()
    payload = {**data, "base": base_token(interaction.pk, saved.revision, saved.answers)}
    return client.post(reverse("interaction_detail", args=[interaction.pk]), payload, **headers)


def block(html: str, key: str) -> str:
    """The markup of one question's block, from its opening tag to the next question's."""
    start = html.index(f'id="question-{key}"')
    end = html.find('id="question-', start + 1)
    return html[start : end if end != -1 else len(html)]


def scoreboard(html: str) -> str:
    return html[html.index('<section id="scoreboard"') :].split("</section>")[0]


def pattern_row(html: str, pattern: str) -> str:
    board = scoreboard(html)
    return (
        board[board.index('<li class="mb-2') :]
        .split(f'data-pattern="{pattern}"')[1]
        .split("</li>")[0]
    )


@pytest.fixture
def querying(team):
    """An interaction first answered as a command, drop policy included, now a query."""
    return make_interaction(
        system=SystemFactory(team=team),
        answers={"operation": "query", "drop_policy": "must_not_lose"},
    )


class TestQuestionsThatDoNotApply:
    def test_a_question_that_does_not_apply_is_folded_with_the_reason_and_the_kept_answer(
        self, client, editor, querying
    ):
        client.force_login(editor)
        folded = block(page(client, querying), "drop_policy")
        assert "question-folded" in folded
        assert escape(DROP.text) in folded
        assert DROP.applies_note and escape(DROP.applies_note) in folded
        assert f"Your answer, “{escape(MUST_NOT_LOSE)}”, is kept" in folded
        assert 'type="radio"' not in folded  # nothing to answer while it does not apply
        assert '<input type="hidden" name="drop_policy" value="must_not_lose">' in folded

    def test_questions_that_apply_stay_open(self, client, editor, querying):
        client.force_login(editor)
        text = page(client, querying)
        assert "question-folded" not in block(text, "consistency")
        assert 'type="radio" name="consistency"' in block(text, "consistency")

    def test_they_are_counted_neither_answered_nor_unanswered(self, client, editor, querying):
        client.force_login(editor)
        board = scoreboard(page(client, querying))
        applying = len(FRAMEWORK.questions) - len(QUERY_ONLY)
        assert f"1 of {applying} questions answered; 4 more do not apply and are not asked" in (
            board
        )
        assert f"{applying - 1} unanswered questions" in board
        for key in QUERY_ONLY:
            assert escape(FRAMEWORK.questions_by_key[key].text) not in board

    def test_their_answers_are_kept_and_come_back_when_they_apply_again(
        self, client, editor, querying
    ):
        client.force_login(editor)
        # The page posts a folded question's kept answer back with the rest.
        post(client, querying, {"operation": "query", "drop_policy": "must_not_lose",
                                "folded": list(QUERY_ONLY)}, **HTMX)  # fmt: skip
        querying.assessment.refresh_from_db()
        assert querying.assessment.answers["drop_policy"] == "must_not_lose"

        response = post(client, querying, {"operation": "command",
                                           "drop_policy": "must_not_lose",
                                           "folded": list(QUERY_ONLY)}, **HTMX)  # fmt: skip
        reopened = block(response.text, "drop_policy")
        assert 'hx-swap-oob="true"' in reopened and "question-folded" not in reopened
        assert 'name="drop_policy" value="must_not_lose" id="id_drop_policy_0" checked>' in (
            reopened
        )

    def test_changing_the_operation_live_folds_the_questions_at_once(self, client, editor, team):
        interaction = make_interaction(system=SystemFactory(team=team),
                                       answers={"operation": "command"})  # fmt: skip
        client.force_login(editor)
        # The page showed every question open; the answer now makes four of them not apply.
        text = post(client, interaction, {"operation": "query"}, **HTMX).text
        for key in QUERY_ONLY:
            sent = block(text, key)
            assert 'hx-swap-oob="true"' in sent and "question-folded" in sent

    def test_a_question_already_shown_as_it_should_be_is_not_sent_again(
        self, client, editor, querying
    ):
        client.force_login(editor)
        # Re-sending an open question would take the focus away from whoever is answering it.
        text = post(client, querying, {"operation": "query", "consistency": "eventual",
                                       "folded": list(QUERY_ONLY)}, **HTMX).text  # fmt: skip
        assert 'id="question-' not in text

    def test_a_question_with_a_problem_is_not_folded_so_it_can_be_put_right(
        self, client, editor, querying
    ):
        client.force_login(editor)
        response = post(client, querying, {"operation": "query", "drop_policy": "whenever",
                                           "folded": list(QUERY_ONLY)}, **HTMX)  # fmt: skip
        assert response.status_code == 422
        reopened = block(response.text, "drop_policy")
        assert 'hx-swap-oob="true"' in reopened and "question-folded" not in reopened
        assert 'type="radio" name="drop_policy"' in reopened

    def test_without_javascript_the_page_after_saving_shows_them_folded(self, client, editor, team):
        interaction = make_interaction(system=SystemFactory(team=team),
                                       answers={"operation": "command"})  # fmt: skip
        client.force_login(editor)
        response = post(client, interaction, {"operation": "query"}, follow=True)
        assert "question-folded" in block(response.text, "consumers")
        assert "question-folded" not in block(response.text, "operation")


class TestPatternsThatAreNotAnOption:
    def test_a_premise_that_does_not_hold_reads_apart_from_a_rule(self, client, editor, team):
        answers = {**SCENARIOS["nightly-batch"]["answers"], "consistency": "immediate"}
        interaction = make_interaction(system=SystemFactory(team=team), answers=answers)
        client.force_login(editor)
        text = page(client, interaction)

        premise_out = pattern_row(text, "request_reply")
        assert "Not an option here:</strong> “Someone waits for the reply” does not hold" in (
            premise_out
        )
        assert "Nobody waits for an answer here" in premise_out
        assert "Ruled out" not in premise_out

        rule_out = pattern_row(text, "async")
        assert "✗ Ruled out: Immediate consistency is required" in rule_out
        assert "Not an option here" not in rule_out

    def test_the_only_pattern_left_says_so(self, client, editor, team):
        interaction = make_interaction(system=SystemFactory(team=team), answers=APP_ORDER)
        client.force_login(editor)
        board = scoreboard(page(client, interaction))
        assert "The only pattern that is an option for these answers." in board
        assert "“The caller can listen on a reply queue” does not hold" in board


class TestReadiness:
    def test_readiness_is_a_driver_named_by_its_title(self, client, editor, team):
        interaction = make_interaction(system=SystemFactory(team=team),
                                       answers=SCENARIOS["login"]["answers"])  # fmt: skip
        client.force_login(editor)
        result = evaluate(FRAMEWORK, parse_answers(FRAMEWORK, SCENARIOS["login"]["answers"]))
        board = scoreboard(page(client, interaction))
        drivers = board.split('<ul class="small drivers')[1].split("</ul>")[0]
        runner_up = FRAMEWORK.pattern(
            next(k for k in result.ranking[1:] if result.tally.viable[k])
        ).name
        assert f"<strong>Operational readiness</strong> for {runner_up} (+" in drivers
        assert "in production yet (broker experience:" in drivers

    def test_a_weight_or_flip_naming_readiness_reads_as_its_title(self):
        result = evaluate(FRAMEWORK, parse_answers(FRAMEWORK, SCENARIOS["login"]["answers"]))
        weights = [
            {
                "question": "readiness",
                "weight": 3,
                "crossover_weight": 1.5,
                "change": -1.5,
                "relative_change": 0.5,
                "flips_to": "request_reply",
            }
        ]
        flips = [{"question": "readiness", "from": None, "to": None,
                  "recommendation": "request_reply", "margin": 2}]  # fmt: skip
        changed = dataclasses.replace(
            result, sensitivity={**result.sensitivity, "weights": weights, "answer_flips": flips}
        )
        board = build_scoreboard(FRAMEWORK, changed)
        assert board.critical_weight.startswith(
            "The advice hinges on how much “Operational readiness” counts: weighted 1.5"
        )
        assert board.flips == (
            "If “Operational readiness” changed, Async request-reply would win (by 2 points).",
        )


class TestTargetAdvice:
    def test_it_says_what_fits_today_and_what_would_lead_once_practices_are_in_place(
        self, client, editor, team
    ):
        interaction = make_interaction(system=SystemFactory(team=team), answers=HELD_BACK)
        client.force_login(editor)
        board = scoreboard(page(client, interaction))
        advice = board.split('<div class="small target-advice')[1].split("</div>")[0]
        assert re.search(
            r"<strong>Synchronous request-response</strong> fits today\. Once the practices the "
            r"team lacks are in place, <strong>Async request-reply</strong> would lead by "
            r"[0-9.]+ points\.",
            advice,
        )
        first = advice.split("What to put in place first:")[1]
        assert re.findall(r"<li>([^<]+) <span", first) == [
            "Reply timeouts", "Queue-depth alerts", "Dead-letter queue for requests",
            "Idempotent receivers",
        ]  # fmt: skip
        assert "(high)" in first and "(medium)" in first

    def test_when_today_would_still_lead_it_says_what_would_strengthen_it(
        self, client, editor, team
    ):
        answers = {**SCENARIOS["nightly-batch"]["answers"], "capabilities": []}
        interaction = make_interaction(system=SystemFactory(team=team), answers=answers)
        client.force_login(editor)
        advice = scoreboard(page(client, interaction)).split('class="small target-advice')[1]
        assert (
            "<strong>Asynchronous messaging (fire-and-forget)</strong> fits today and would "
            "still lead with every practice in place." in advice
        )
        assert "What would strengthen it, most pressing first:" in advice
        assert "<li>Dead-letter queue with replay <span" in advice

    def test_there_is_none_before_the_advice_is_given(self, client, editor, team):
        answers = {key: value for key, value in HELD_BACK.items() if key != "dominant_constraint"}
        interaction = make_interaction(system=SystemFactory(team=team), answers=answers)
        client.force_login(editor)
        board = scoreboard(page(client, interaction))
        assert "No recommendation yet" in board
        assert "target-advice" not in board and "fits today" not in board


class TestEstimateWarnings:
    def test_a_backlog_that_never_drains_is_a_high_warning_beside_its_estimate(
        self, client, editor, team
    ):
        answers = {**SCENARIOS["nightly-batch"]["answers"], "backlog_messages": 1000.0,
                   "processing_rate_per_s": 10.0, "arrival_rate_per_s": 12.0}  # fmt: skip
        interaction = make_interaction(system=SystemFactory(team=team), answers=answers)
        client.force_login(editor)
        board = scoreboard(page(client, interaction))
        warning = board.split('data-code="backlog_never_drains"')[1].split("</li>")[0]
        assert ">High<" in warning and "The backlog never drains" in warning
        assert "12 messages arrive each second and 10 are processed" in warning
        assert "The backlog never drains: processing does not outpace new arrivals." in board
