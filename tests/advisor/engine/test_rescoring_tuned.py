"""The incremental re-scoring of single answer changes holds for tuned frameworks too:
cases that read a question which folds away, and readiness practices whose conditions read
the capabilities or the experience question, are the cases where a shortcut could miss a
change of advice."""

from __future__ import annotations

import pytest
from hypothesis import given

from advisor.engine import parse_framework
from tests.advisor.engine.helpers import default_source
from tests.advisor.engine.test_judgement_properties import (
    FEWER,
    answer_sets,
    assert_every_advice_changing_answer_is_reported,
)


def _tuned() -> dict:
    source = default_source()
    questions = {question["key"]: question for question in source["questions"]}
    # A case on `load` that reads `ordering`, which folds away for a query.
    questions["load"]["choices"][1]["cases"] = [
        {"when": "ordering == strict", "points": {"sync": 3, "async": -3, "request_reply": -3,
                                                  "cqrs_lite": -3}, "why": "Order first."}
    ]  # fmt: skip
    # Readiness practices whose conditions read the capabilities and the experience answers.
    practices = {practice["code"]: practice for practice in source["practices"]["async"]}
    practices["dlq_replay"]["when"] = "not capabilities has tracing"
    practices["queue_depth_alerts"]["when"] = "not broker_experience == strong"
    return source


TUNED = parse_framework(_tuned())


@FEWER
@given(answer_sets())
def test_every_single_change_that_moves_the_advice_is_reported_for_a_tuned_framework(answers):
    assert_every_advice_changing_answer_is_reported(TUNED, answers)


@pytest.mark.parametrize("key", ["capabilities", "broker_experience", "ordering"])
def test_the_tuned_framework_reads_what_the_shortcuts_must_respect(key):
    plan = TUNED.plan
    if key == "ordering":
        load = plan.row_of["load"]
        assert load in plan.dependents["ordering"]
    else:
        assert key in plan.readiness.questions
