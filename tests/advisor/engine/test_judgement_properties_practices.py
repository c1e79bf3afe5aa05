"""Operational readiness, the target advice, warnings and practices of the default
framework, checked over its whole answer space (see test_judgement_properties).
"""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor.engine import parse_answers, tally
from advisor.engine.estimators import estimate_tail_latency
from advisor.engine.plan import READINESS
from tests.advisor.engine.test_judgement_properties import (
    CAPABILITIES,
    FRAMEWORK,
    PATTERNS,
    PROPERTY,
    SOURCE,
    answer_sets,
    evaluated,
)

READINESS_SOURCE = SOURCE["readiness"]
BROKER_BASED = tuple(p["key"] for p in SOURCE["patterns"] if p["broker_based"])


# Operational readiness and the target advice -------------------------------------------


def _expected_readiness(result) -> dict[str, tuple[float, list[str]]]:
    """Each readiness pattern's points and missing practice titles, from the framework data:
    every high-severity practice backed by a capability the team does not run costs one
    point, times the factor of the team's broker experience, times the readiness weight."""
    answers = result.tally.effective_answers
    running = set(answers["capabilities"])
    experience = answers.get(READINESS_SOURCE["experience"])
    factor = READINESS_SOURCE["factors"].get(experience, READINESS_SOURCE["unanswered_factor"])
    expected = {}
    for pattern in READINESS_SOURCE["patterns"]:
        titles = [
            practice.title
            for practice in FRAMEWORK.practices[pattern]
            if practice.capability is not None
            and practice.capability not in running
            and practice.when(answers)
            and practice.severity_for(answers) == "high"
        ]
        expected[pattern] = (-len(titles) * factor * READINESS_SOURCE["weight"], titles)
    return expected


@PROPERTY
@given(answer_sets(capabilities="answered"))
def test_readiness_costs_each_missing_high_practice_by_broker_experience(answers):
    result = evaluated(answers, with_sensitivity=False)
    result_tally = result.tally
    expected = _expected_readiness(result)
    gaps = {gap.pattern: gap for gap in result_tally.readiness}
    assert set(gaps) == set(expected)
    for pattern, (points, titles) in expected.items():
        assert gaps[pattern].points == pytest.approx(points)
        assert [title for _code, title in gaps[pattern].missing] == titles
        listed = [c for c in result_tally.contributions[pattern] if c.question == READINESS]
        if not titles:
            assert listed == []
            continue
        (contribution,) = listed
        assert contribution.points == pytest.approx(points)
        for title in titles:
            assert title.lower() in contribution.why.lower()
    for pattern in PATTERNS:
        parts = result_tally.contributions[pattern]
        assert sum(item.points for item in parts) == pytest.approx(result_tally.raw[pattern])
        assert 0 <= result.scores[pattern] <= 100
        if pattern not in expected:
            assert all(item.question != READINESS for item in parts)


@PROPERTY
@given(
    answer_sets(capabilities="answered"),
    st.sampled_from(CAPABILITIES),
)
def test_adding_a_capability_never_lowers_readiness(answers, capability):
    more = {**answers, "capabilities": tuple({*answers["capabilities"], capability})}
    before, after = (
        {gap.pattern: gap.points for gap in tally(FRAMEWORK, parse_answers(FRAMEWORK, a)).readiness}
        for a in (answers, more)
    )
    assert set(before) == set(after) == set(READINESS_SOURCE["patterns"])
    assert all(after[pattern] >= before[pattern] for pattern in before)


@PROPERTY
@given(answer_sets(capabilities="unanswered"))
def test_nothing_is_said_about_readiness_before_the_team_says_what_it_runs(answers):
    result = evaluated(answers, with_sensitivity=False)
    assert result.tally.readiness is None
    assert result.target is None
    assert result.as_dict()["readiness"] is None and result.as_dict()["target"] is None
    for items in result.tally.contributions.values():
        assert all(item.question != READINESS for item in items)


NEEDED = {
    practice["capability"]
    for practices in SOURCE["practices"].values()
    for practice in practices
    if practice.get("capability")
}


@PROPERTY
@given(answer_sets(capabilities="answered"))
def test_the_target_is_the_advice_once_every_needed_practice_is_in_place(answers):
    result = evaluated(answers, with_sensitivity=False)
    complete = {**answers, "capabilities": sorted(set(answers["capabilities"]) | NEEDED)}
    then = evaluated(complete, with_sensitivity=False)
    target = result.target
    assert target.recommendation == then.recommendation
    assert target.changes is (then.recommendation != result.recommendation)
    # What to put in place first: the target's own missing practices, worst first; when
    # those alone make it lead, the scores are for exactly that, else for every practice.
    capability = {p.code: p.capability for p in FRAMEWORK.practices[target.recommendation]}
    first = [p.code for p in target.first]
    assert all(capability[code] not in answers["capabilities"] for code in first)
    only = evaluated(
        {**answers, "capabilities": sorted(set(answers["capabilities"])
                                           | {capability[code] for code in first})},
        with_sensitivity=False,
    )  # fmt: skip
    expected = only if only.recommendation == target.recommendation else then
    assert (target.scores, target.margin) == (expected.scores, expected.margin)


# Warnings and practices ----------------------------------------------------------------


def _codes(result) -> set[str]:
    return {warning.code for warning in result.warnings}


def _practice(result, code: str):
    found = [practice for practice in result.practices if practice.code == code]
    return found[0] if found else None


def _running(answers) -> set[str]:
    return set(answers.get("capabilities") or ())


@PROPERTY
@given(answer_sets(), st.sampled_from(BROKER_BASED))
def test_the_no_feedback_warning_is_for_work_a_user_waits_on_never_for_a_query(answers, pattern):
    result = evaluated(answers, pattern=pattern, with_sensitivity=False)
    expected = (
        answers.get("user_waiting") in ("yes", "ack_ok")
        and "status_endpoint" not in _running(answers)
        and answers.get("operation") != "query"
    )
    assert ("async_no_feedback" in _codes(result)) is expected


@PROPERTY
@given(answer_sets())
def test_read_your_writes_is_asked_for_only_where_someone_reads_their_own_change(answers):
    result = evaluated(answers, pattern="cqrs_lite", with_sensitivity=False)
    listed = _practice(result, "read_your_writes") is not None
    if answers.get("operation") == "query" and answers.get("consistency") == "eventual":
        assert not listed
    assert listed is (
        answers.get("consistency") == "read_your_writes"
        or (
            answers.get("operation") != "query" and answers.get("user_waiting") in ("yes", "ack_ok")
        )
    )


@PROPERTY
@given(answer_sets())
def test_an_entered_latency_budget_puts_the_budget_practice_in_place(answers):
    practice = _practice(
        evaluated(answers, pattern="sync", with_sensitivity=False), "latency_budget"
    )
    assert (practice is not None) is (answers.get("chain_depth", 0) >= 3)
    if practice is not None:
        assert (practice.status == "in_place") is ("latency_budget_ms" in answers)


@PROPERTY
@given(answer_sets(), st.sampled_from(["sync", "request_reply"]))
def test_the_timeouts_warning_names_exactly_what_is_missing(answers, pattern):
    result = evaluated(answers, pattern=pattern, with_sensitivity=False)
    running = _running(answers)
    no_timeouts = "timeouts_retries" not in running
    no_breakers = "circuit_breakers" not in running
    found = [w for w in result.warnings if w.code == "sync_no_timeouts"]
    if not (no_timeouts or no_breakers):
        assert found == []
        return
    (warning,) = found
    if "capabilities" not in answers:
        assert "has not said whether it runs timeouts and circuit breakers" in warning.message
    elif no_timeouts and no_breakers:
        assert "neither timeouts nor circuit breakers" in warning.message
    elif no_timeouts:
        assert "runs circuit breakers but no timeouts" in warning.message
    else:
        assert "runs timeouts but no circuit breakers" in warning.message


@PROPERTY
@given(answer_sets(), st.sampled_from(PATTERNS))
def test_a_backlog_that_never_drains_is_flagged_whatever_the_pattern(answers, pattern):
    result = evaluated(answers, pattern=pattern, with_sensitivity=False)
    backlog = answers.get("backlog_messages")
    processing = answers.get("processing_rate_per_s")
    arrivals = answers.get("arrival_rate_per_s", 0.0)  # none given: nothing new arrives
    never = bool(backlog) and processing is not None and arrivals >= processing
    assert ("backlog_never_drains" in _codes(result)) is never
    if never:
        assert result.backlog.drains is False


@PROPERTY
@given(answer_sets(), st.sampled_from(PATTERNS))
def test_a_backlog_that_takes_over_four_hours_to_drain_is_flagged(answers, pattern):
    result = evaluated(answers, pattern=pattern, with_sensitivity=False)
    estimate = result.backlog
    slow = estimate is not None and estimate.drains and estimate.drain_seconds > 4 * 3600
    assert ("backlog_slow_drain" in _codes(result)) is slow
    if estimate is not None and estimate.drains and answers["backlog_messages"]:
        net = answers["processing_rate_per_s"] - answers.get("arrival_rate_per_s", 0.0)
        assert estimate.drain_seconds == pytest.approx(answers["backlog_messages"] / net, abs=0.1)


@PROPERTY
@given(answer_sets(), st.sampled_from(PATTERNS))
def test_a_tail_over_the_latency_budget_is_flagged_for_the_waiting_patterns(answers, pattern):
    result = evaluated(answers, pattern=pattern, with_sensitivity=False)
    tail = result.tail_latency
    if "chain_depth" in answers:
        p50 = answers.get("per_hop_p50_ms", answers.get("per_hop_p99_ms", 250.0) / 5)
        p99 = answers.get("per_hop_p99_ms", p50 * 5)
        assert tail == estimate_tail_latency(answers["chain_depth"], p50, p99)
    over = (
        tail is not None
        and "latency_budget_ms" in answers
        and tail.p99_ms > answers["latency_budget_ms"]
    )
    expected = over and pattern in ("sync", "request_reply")
    assert ("latency_budget_exceeded" in _codes(result)) is expected


@PROPERTY
@given(answer_sets(), st.sampled_from(PATTERNS))
def test_every_message_has_its_figures_filled_in(answers, pattern):
    result = evaluated(answers, pattern=pattern, with_sensitivity=False)
    for text in [w.message for w in result.warnings] + [p.message for p in result.practices]:
        assert "{" not in text and "}" not in text, text
