"""Answers about one service that a system's interactions give in contradictory ways.

Some questions describe the receiver rather than the interaction: how fresh its data must
be, how available it is, whether it keeps up with its load. Every interaction into the same
service answers them on its own questionnaire, and when two of those answers cannot both be
true, at least one of the decisions built on them rests on a wrong premise. Each rule below
names such a question and the pairs of answers that contradict each other; answers that
conflict with no other (read-your-writes between immediate and eventual, say) never count.

Plain Python, no Django: the answers come in as `AnsweredEdge`s.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}


@dataclass(frozen=True)
class AnsweredEdge:
    """One interaction: its id, the ids of its caller and receiver, and its answers."""

    id: int
    source: int
    target: int
    answers: Mapping[str, Any]


@dataclass(frozen=True)
class Side:
    """One answer given to the question, and the edges that gave it (ids, ascending)."""

    answer: str
    edges: tuple[int, ...]


@dataclass(frozen=True)
class Contradiction:
    """Edges about the same service that answer `question` in ways that cannot all hold."""

    code: str
    severity: str
    service: int
    question: str
    sides: tuple[Side, ...]


@dataclass(frozen=True)
class ContradictionRule:
    """A question about the receiver, and the pairs of its answers that contradict.

    `conflicts` maps each contradicting pair to the severity it carries; a contradiction
    with several pairs takes the worst. `choices` orders the sides.
    """

    code: str
    question: str
    choices: tuple[str, ...]
    conflicts: Mapping[frozenset[str], str]
    title: str
    explanation: str


def _pairs(*pairs: tuple[str, str, str]) -> dict[frozenset[str], str]:
    return {frozenset((first, second)): severity for first, second, severity in pairs}


RULES: tuple[ContradictionRule, ...] = (
    ContradictionRule(
        code="consistency_conflict",
        question="consistency",
        choices=("immediate", "read_your_writes", "eventual"),
        conflicts=_pairs(("immediate", "eventual", "high")),
        title="Conflicting freshness of the same data",
        explanation=(
            "One interaction treats this service's data as needing to be seen at once by "
            "every reader, another as fine to arrive a little later. If the data may lag, "
            "the stricter interaction pays for consistency it does not need; if it may not, "
            "the other interaction's design lets readers see old data."
        ),
    ),
    ContradictionRule(
        code="availability_conflict",
        question="receiver_availability",
        choices=("always", "sometimes_down", "unreliable"),
        conflicts=_pairs(
            ("always", "unreliable", "high"),
            ("always", "sometimes_down", "medium"),
        ),
        title="Conflicting views of how available the service is",
        explanation=(
            "One interaction counts on this service always being there, another expects it "
            "to be away at times. It is the same service: the interaction that assumes it "
            "is always there has no plan for the moments it is not."
        ),
    ),
    ContradictionRule(
        code="capacity_conflict",
        question="load",
        choices=("within_capacity", "spiky", "sustained_over"),
        conflicts=_pairs(("within_capacity", "sustained_over", "medium")),
        title="Conflicting views of the service's capacity",
        explanation=(
            "One interaction says this service keeps up with its load, another that the "
            "load stays above its capacity most of the time. A service that is overloaded "
            "is slow or failing for every caller, not only for one of them."
        ),
    ),
)
RULES_BY_CODE = {rule.code: rule for rule in RULES}


def _contradiction(
    rule: ContradictionRule, service: int, answered: Mapping[str, list[int]]
) -> Contradiction | None:
    """The contradiction among the answers given about `service`, if any pair conflicts."""
    severities = [severity for pair, severity in rule.conflicts.items() if pair <= answered.keys()]
    if not severities:
        return None
    involved = {answer for pair in rule.conflicts if pair <= answered.keys() for answer in pair}
    sides = tuple(
        Side(answer=choice, edges=tuple(sorted(answered[choice])))
        for choice in rule.choices
        if choice in involved
    )
    return Contradiction(
        code=rule.code,
        severity=min(severities, key=SEVERITY_RANK.__getitem__),
        service=service,
        question=rule.question,
        sides=sides,
    )


def find_contradictions(
    edges: Iterable[AnsweredEdge], rules: Iterable[ContradictionRule] = RULES
) -> tuple[Contradiction, ...]:
    """Every contradiction among the edges, worst first, then by service and by rule."""
    edges = tuple(edges)
    found: list[tuple[int, Contradiction]] = []
    for position, rule in enumerate(rules):
        by_service: dict[int, dict[str, list[int]]] = {}
        for edge in edges:
            answer = edge.answers.get(rule.question)
            if isinstance(answer, str) and answer in rule.choices:
                by_service.setdefault(edge.target, {}).setdefault(answer, []).append(edge.id)
        for service, answered in by_service.items():
            contradiction = _contradiction(rule, service, answered)
            if contradiction is not None:
                found.append((position, contradiction))
    found.sort(key=lambda item: (SEVERITY_RANK[item[1].severity], item[1].service, item[0]))
    return tuple(contradiction for _, contradiction in found)
