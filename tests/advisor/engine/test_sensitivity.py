"""Sensitivity: the weight crossovers and the single answers that change the advice."""

from __future__ import annotations

import pytest

from tests.advisor.engine.helpers import default_framework, run, scenario_files, with_weight

REQUEST_REPLY_CASE = {
    "operation": "query", "user_waiting": "yes", "caller_needs_result": "yes",
    "latency_sensitivity": "moderate", "receiver_availability": "sometimes_down",
    "temporal_decoupling": "required",
}  # fmt: skip


def _check_crossovers(answers: dict) -> int:
    result = run(answers)
    for crossover in result.sensitivity["weights"]:
        step = 0.01 if crossover["change"] > 0 else -0.01
        before = with_weight(crossover["question"], crossover["crossover_weight"] - step)
        after = with_weight(crossover["question"], crossover["crossover_weight"] + step)
        assert run(answers, framework=before).recommendation == result.recommendation
        assert run(answers, framework=after).recommendation == crossover["flips_to"]
    return len(result.sensitivity["weights"])


def test_each_weight_crossover_is_exact():
    assert _check_crossovers(REQUEST_REPLY_CASE) >= 3


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_each_scenarios_weight_crossovers_are_exact(path):
    import json

    _check_crossovers(json.loads(path.read_text())["answers"])


def test_a_tie_is_named_and_offers_no_zero_change_crossover():
    result = run({"dominant_constraint": "user_latency", "consistency": "eventual"})
    assert result.margin == 0.0
    assert result.recommendation == "sync"  # the framework's order breaks the tie
    assert result.sensitivity["tied_with"] == ["cqrs_lite"]
    assert all(item["change"] != 0 for item in result.sensitivity["weights"])


def test_a_crossover_at_weight_zero_is_not_offered():
    # eventual consistency alone: async and cqrs_lite tie on it, so at weight 0 all would tie.
    for item in run({"consistency": "eventual"}).sensitivity["weights"]:
        assert item["crossover_weight"] > 0


def test_the_most_critical_weight_needs_the_smallest_relative_change():
    sensitivity = run(REQUEST_REPLY_CASE).sensitivity
    changes = [item["relative_change"] for item in sensitivity["weights"]]
    assert changes == sorted(changes)
    assert sensitivity["most_critical_weight"] == sensitivity["weights"][0]["question"]


def test_a_weight_that_would_have_to_go_below_zero_is_not_offered():
    # temporal_decoupling favours request_reply, but even at weight 0 it still leads.
    questions = {item["question"] for item in run(REQUEST_REPLY_CASE).sensitivity["weights"]}
    assert "temporal_decoupling" not in questions
    assert run(REQUEST_REPLY_CASE, framework=with_weight("temporal_decoupling", 0)).recommendation \
        == "request_reply"  # fmt: skip


def _every_single_change(answers: dict):
    for question in default_framework().questions:
        current = answers.get(question.key)
        if question.kind == "single":
            options = [c for c in question.choice_keys if c != current]
        elif question.kind == "integer":
            options = [b.minimum for b in question.bands if current is None
                       or not b.minimum <= current <= b.maximum]  # fmt: skip
        else:
            chosen = list(current or [])
            options = [
                [c for c in question.choice_keys if (c in chosen) != (c == toggled)]
                for toggled in question.choice_keys
            ]
        for option in options:
            yield question.key, {**answers, question.key: option}


@pytest.mark.parametrize(
    "answers",
    [REQUEST_REPLY_CASE, {"operation": "command", "user_waiting": "ack_ok"}, {}],
    ids=["request-reply", "ack-command", "empty"],
)
def test_the_answer_flips_are_exactly_the_single_changes_that_change_the_advice(answers):
    result = run(answers)
    expected = []
    for key, changed in _every_single_change(answers):
        outcome = run(changed)
        if outcome.recommendation != result.recommendation:
            expected.append((key, changed[key], outcome.recommendation))
    reported = [
        (flip["question"], flip["to"], flip["recommendation"])
        for flip in result.sensitivity["answer_flips"]
    ]
    assert reported == expected
    assert result.sensitivity["stable"] is (not expected)


def test_critical_latency_would_move_a_decoupled_read_off_the_broker_round_trip():
    # A read that must be fast yet independent of its receiver: serve it from a read model.
    flips = run(REQUEST_REPLY_CASE).sensitivity["answer_flips"]
    assert {
        "question": "latency_sensitivity", "from": "moderate", "to": "critical",
        "recommendation": "cqrs_lite", "margin": pytest.approx(run(
            {**REQUEST_REPLY_CASE, "latency_sensitivity": "critical"}).margin),
    } in flips  # fmt: skip


def test_unanswered_questions_are_tried_too():
    flips = run({"operation": "command", "user_waiting": "ack_ok"}).sensitivity["answer_flips"]
    assert any(flip["from"] is None for flip in flips)
