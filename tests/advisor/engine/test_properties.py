"""Invariants of the engine over generated answer sets (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.engine import evaluate, parse_answers
from tests.advisor.engine.helpers import default_framework

FRAMEWORK = default_framework()
CAPABILITIES = FRAMEWORK.question("capabilities").choice_keys


@st.composite
def answer_sets(draw):
    answers = {}
    for question in FRAMEWORK.questions:
        if not draw(st.booleans()):
            continue
        if question.kind == "single":
            answers[question.key] = draw(st.sampled_from(question.choice_keys))
        elif question.kind == "multi":
            answers[question.key] = draw(st.lists(st.sampled_from(CAPABILITIES), unique=True))
        else:
            answers[question.key] = draw(st.integers(question.minimum, question.maximum))
    if draw(st.booleans()):
        answers["per_hop_p50_ms"] = draw(st.floats(1, 500))
    if draw(st.booleans()):
        answers["backlog_messages"] = draw(st.integers(0, 10**7))
        answers["processing_rate_per_s"] = draw(st.floats(0.1, 1000))
        answers["arrival_rate_per_s"] = draw(st.floats(0, 1000))
    return answers


def score(answers, **kwargs):
    return evaluate(FRAMEWORK, parse_answers(FRAMEWORK, answers), **kwargs)


SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(answer_sets())
def test_the_result_is_deterministic(answers):
    assert score(answers).as_dict() == score(dict(reversed(list(answers.items())))).as_dict()


@SETTINGS
@given(answer_sets())
def test_scores_stay_within_0_and_100(answers):
    assert all(0 <= value <= 100 for value in score(answers).scores.values())


@SETTINGS
@given(answer_sets())
def test_contributions_add_up_to_each_raw_score(answers):
    tally = score(answers, with_sensitivity=False).tally
    for pattern, items in tally.contributions.items():
        assert sum(item.points for item in items) == pytest.approx(tally.raw[pattern], abs=1e-6)


@SETTINGS
@given(answer_sets())
def test_a_pattern_that_is_ruled_out_is_never_recommended(answers):
    result = score(answers, with_sensitivity=False)
    assert result.tally.viable[result.recommendation]
    assert all(
        result.tally.raw[result.recommendation] >= result.tally.raw[p]
        for p in result.ranking if result.tally.viable[p]
    )  # fmt: skip


@SETTINGS
@given(answer_sets(), st.sampled_from(CAPABILITIES), st.sampled_from(FRAMEWORK.pattern_keys))
def test_adding_a_capability_never_adds_a_warning(answers, capability, pattern):
    with_more = {**answers, "capabilities": [*answers.get("capabilities", []), capability]}
    with_more["capabilities"] = sorted(set(with_more["capabilities"]))
    before = {w.code for w in score(answers, pattern=pattern, with_sensitivity=False).warnings}
    after = {w.code for w in score(with_more, pattern=pattern, with_sensitivity=False).warnings}
    assert after <= before


@SETTINGS
@given(answer_sets())
def test_every_answer_flip_really_changes_the_recommendation(answers):
    result = score(answers)
    for flip in result.sensitivity["answer_flips"][:5]:
        changed = score({**answers, flip["question"]: flip["to"]}, with_sensitivity=False)
        assert changed.recommendation == flip["recommendation"] != result.recommendation


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answer_sets())
def test_the_answer_flips_are_exactly_what_rescoring_every_single_change_finds(answers):
    from tests.advisor.engine.test_sensitivity import _every_single_change

    result = score(answers)
    expected = []
    for key, changed in _every_single_change(dict(result.answers)):
        outcome = score(changed, with_sensitivity=False)
        if outcome.recommendation != result.recommendation:
            expected.append((key, outcome.recommendation, outcome.margin))
    reported = [
        (flip["question"], flip["recommendation"], flip["margin"])
        for flip in result.sensitivity["answer_flips"]
    ]
    assert reported == expected
