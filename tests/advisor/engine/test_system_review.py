"""Contradictions: answers about the same service that cannot all be true."""

from __future__ import annotations

from advisor.engine.system_review import (
    RULES,
    AnsweredEdge,
    Contradiction,
    Side,
    find_contradictions,
)

INVENTORY, ORDERS, SEARCH = 10, 20, 30


def edge(id_: int, target: int = INVENTORY, source: int = 1, **answers) -> AnsweredEdge:
    return AnsweredEdge(id=id_, source=source, target=target, answers=answers)


def test_immediate_and_eventual_freshness_into_one_service_conflict():
    found = find_contradictions([
        edge(1, consistency="immediate"),
        edge(2, consistency="eventual"),
        edge(3, consistency="eventual"),
    ])  # fmt: skip
    assert found == (
        Contradiction(
            code="consistency_conflict", severity="high", service=INVENTORY,
            question="consistency",
            sides=(Side("immediate", (1,)), Side("eventual", (2, 3))),
        ),
    )  # fmt: skip


def test_read_your_writes_conflicts_with_neither_immediate_nor_eventual():
    assert find_contradictions([edge(1, consistency="read_your_writes"),
                                edge(2, consistency="immediate")]) == ()  # fmt: skip
    assert find_contradictions([edge(1, consistency="read_your_writes"),
                                edge(2, consistency="eventual")]) == ()  # fmt: skip


def test_read_your_writes_is_left_out_of_the_sides_of_a_real_conflict():
    (found,) = find_contradictions([
        edge(1, consistency="eventual"), edge(2, consistency="read_your_writes"),
        edge(3, consistency="immediate"),
    ])  # fmt: skip
    assert [side.answer for side in found.sides] == ["immediate", "eventual"]


def test_the_same_answer_on_every_edge_is_no_contradiction():
    edges = [edge(n, consistency="immediate", receiver_availability="always") for n in (1, 2, 3)]
    assert find_contradictions(edges) == ()


def test_different_receivers_may_answer_differently():
    edges = [edge(1, target=INVENTORY, consistency="immediate", receiver_availability="always"),
             edge(2, target=ORDERS, consistency="eventual",
                  receiver_availability="unreliable")]  # fmt: skip
    assert find_contradictions(edges) == ()


def test_edges_out_of_the_same_service_are_not_compared():
    edges = [edge(1, source=ORDERS, target=INVENTORY, consistency="immediate"),
             edge(2, source=ORDERS, target=SEARCH, consistency="eventual")]  # fmt: skip
    assert find_contradictions(edges) == ()


def test_always_there_against_unreliable_is_high():
    (found,) = find_contradictions([edge(1, receiver_availability="always"),
                                    edge(2, receiver_availability="unreliable")])  # fmt: skip
    assert (found.code, found.severity, found.question) == (
        "availability_conflict", "high", "receiver_availability",
    )  # fmt: skip


def test_always_there_against_sometimes_away_is_medium():
    (found,) = find_contradictions([edge(1, receiver_availability="sometimes_down"),
                                    edge(2, receiver_availability="always")])  # fmt: skip
    assert found.severity == "medium"
    assert found.sides == (Side("always", (2,)), Side("sometimes_down", (1,)))


def test_sometimes_away_and_unreliable_agree_that_the_service_is_not_always_there():
    assert find_contradictions([edge(1, receiver_availability="sometimes_down"),
                                edge(2, receiver_availability="unreliable")]) == ()  # fmt: skip


def test_three_availability_answers_make_one_contradiction_at_the_worst_severity():
    (found,) = find_contradictions([
        edge(3, receiver_availability="unreliable"), edge(1, receiver_availability="always"),
        edge(2, receiver_availability="sometimes_down"),
    ])  # fmt: skip
    assert found.severity == "high"
    assert found.sides == (
        Side("always", (1,)), Side("sometimes_down", (2,)), Side("unreliable", (3,)),
    )  # fmt: skip


def test_within_capacity_against_sustained_overload_is_a_medium_conflict():
    (found,) = find_contradictions([edge(1, load="within_capacity"),
                                    edge(2, load="sustained_over")])  # fmt: skip
    assert (found.code, found.severity) == ("capacity_conflict", "medium")
    assert find_contradictions([edge(1, load="within_capacity"), edge(2, load="spiky")]) == ()


def test_unanswered_and_unknown_answers_are_ignored():
    edges = [edge(1, consistency="immediate"), edge(2), edge(3, consistency=None),
             edge(4, consistency="whenever"), edge(5, consistency=["eventual"])]  # fmt: skip
    assert find_contradictions(edges) == ()


def test_contradictions_come_worst_first_then_by_service_then_by_rule():
    edges = [
        edge(1, target=SEARCH, consistency="immediate"),
        edge(2, target=SEARCH, consistency="eventual"),
        edge(3, target=INVENTORY, receiver_availability="always", load="within_capacity"),
        edge(4, target=INVENTORY, receiver_availability="sometimes_down", load="sustained_over"),
        edge(5, target=ORDERS, receiver_availability="always"),
        edge(6, target=ORDERS, receiver_availability="unreliable"),
    ]
    found = find_contradictions(reversed(edges))
    assert [(c.severity, c.service, c.code) for c in found] == [
        ("high", ORDERS, "availability_conflict"),
        ("high", SEARCH, "consistency_conflict"),
        ("medium", INVENTORY, "availability_conflict"),
        ("medium", INVENTORY, "capacity_conflict"),
    ]
    assert find_contradictions(edges) == found


def test_every_rule_names_a_question_and_choices_of_the_default_framework():
    from tests.advisor.engine.helpers import default_framework

    framework = default_framework()
    for rule in RULES:
        choices = framework.question(rule.question).choice_keys
        assert set(rule.choices) <= set(choices)
        assert all(pair <= set(rule.choices) and len(pair) == 2 for pair in rule.conflicts)
