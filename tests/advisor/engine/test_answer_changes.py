"""Which answers changed since a decision froze them: what makes an accepted decision stale."""

from __future__ import annotations

from advisor.engine.answer_changes import answers_changed


def test_it_finds_nothing_when_the_answers_are_the_same():
    answers = {"operation": "command", "chain_depth": 3, "capabilities": ["outbox", "tracing"]}
    assert answers_changed(answers, dict(answers)) == ()


def test_it_names_a_changed_choice_and_a_changed_number():
    before = {"operation": "command", "chain_depth": 3}
    after = {"operation": "query", "chain_depth": 4}
    assert answers_changed(before, after) == ("chain_depth", "operation")


def test_the_order_of_ticked_practices_means_nothing():
    before = {"capabilities": ["outbox", "tracing"]}
    assert answers_changed(before, {"capabilities": ["tracing", "outbox"]}) == ()
    assert answers_changed(before, {"capabilities": ["tracing"]}) == ("capabilities",)


def test_an_answer_given_or_taken_back_is_a_change():
    assert answers_changed({}, {"consistency": "eventual"}) == ("consistency",)
    assert answers_changed({"consistency": "eventual"}, {}) == ("consistency",)


def test_an_empty_answer_is_the_same_as_no_answer():
    assert answers_changed({"capabilities": []}, {}) == ()
    assert answers_changed({"per_hop_p50_ms": None}, {"per_hop_p50_ms": ""}) == ()


def test_a_whole_number_equals_the_same_number_with_a_fraction_part():
    assert answers_changed({"latency_budget_ms": 300}, {"latency_budget_ms": 300.0}) == ()
