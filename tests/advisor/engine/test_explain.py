"""Every answer that moves one pattern ahead of another comes with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given

from advisor.engine import evaluate, parse_answers
from advisor.engine.explain import leads
from tests.advisor.engine.helpers import default_framework
from tests.advisor.engine.test_properties import SETTINGS, answer_sets

FRAMEWORK = default_framework()
EXAMPLES = sorted(
    (Path(__file__).resolve().parents[4] / "shared/framework/examples").glob("*.json")
)
SCENARIOS = sorted((Path(__file__).resolve().parent / "scenarios").glob("*.json"))


def _every_pair_explained(answers: dict) -> int:
    result = evaluate(FRAMEWORK, parse_answers(FRAMEWORK, answers), with_sensitivity=False)
    checked = 0
    for favoured in FRAMEWORK.pattern_keys:
        for other in FRAMEWORK.pattern_keys:
            for lead in leads(FRAMEWORK, result.tally, result.answers,
                              favoured=favoured, other=other):  # fmt: skip
                assert lead.lead > 0
                assert lead.why.strip(), (favoured, other, lead.question, lead.answer)
                checked += 1
    return checked


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda path: path.stem)
def test_each_lead_in_the_examples_has_a_reason(path):
    data = json.loads(path.read_text())
    assert _every_pair_explained(data.get("answers", data)) > 0


@SETTINGS
@given(answer_sets())
def test_each_lead_in_any_answer_set_has_a_reason(answers):
    _every_pair_explained(answers)


def test_a_lead_the_leader_got_no_points_for_takes_the_other_sides_reason():
    # "Longer" work gives request-reply nothing... and sync -3: sync's loss is the lead.
    answers = {"duration": "longer"}
    result = evaluate(FRAMEWORK, parse_answers(FRAMEWORK, answers), with_sensitivity=False)
    found = leads(FRAMEWORK, result.tally, result.answers, favoured="cqrs_lite", other="sync")
    assert [lead.question for lead in found] == ["duration"]
    assert "should not hold a caller's connection" in found[0].why
