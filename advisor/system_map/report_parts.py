"""The system report's lists, bounded for print: the chain analysis in sentences, the review
queue and the risk register.

A PDF of a system with a thousand interactions would otherwise print every one of them in
each list they belong to (thousands of lines, hundreds of pages, over a minute to lay out),
and a reader does not read them there: the system's pages in Crossroads, and the register's
CSV, list them all. So each list prints its first lines (the register's steps, their worst
interactions first) and says how many more there are; the counts in the headings stay
those of the whole list.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from advisor.engine.system_review import SEVERITY_RANK
from advisor.system_map.analysis import SystemAnalysis
from advisor.system_map.facts import SystemFacts
from advisor.system_map.review import (
    AgainstLine,
    ContradictionSide,
    Line,
    Register,
    RegisterLine,
    RegisterStep,
    ReviewContradiction,
    ReviewQueue,
    StaleLine,
)

# How many lines each printed list shows before it says how many more there are.
CHAIN_LISTED = 20  # each list of the chain analysis
QUEUE_LISTED = 20  # each section of the review queue (contradictions count as items)
SIDE_LISTED = 12  # the interactions behind one answer of a contradiction
STEP_LISTED = 12  # the interactions of one step of the risk register


@dataclass(frozen=True)
class Shown[T]:
    """The first lines of a list as the report prints them, and how long the list is."""

    items: tuple[T, ...]
    total: int

    @property
    def more(self) -> int:
        """How many lines the report leaves out."""
        return self.total - len(self.items)

    @classmethod
    def first(cls, items: Iterable[T], limit: int) -> Shown[T]:
        every = tuple(items)
        return cls(every[:limit], len(every))


def count(number: int, noun: str) -> str:
    """“1 interaction”, “1,200 interactions”."""
    return f"{number:,} {noun if number == 1 else noun + 's'}"


# --- the chain analysis, in words ------------------------------------------------------


@dataclass(frozen=True)
class ChainReport:
    """The chain analysis as sentences for print."""

    longest: str  # "" when no interaction is synchronous
    estimate: tuple[str, ...]
    budget: str
    over_budget: bool
    cycles: Shown[str]
    hot_spots: Shown[str]
    breakers: Shown[str]


def _ms(value: float) -> str:
    return f"{round(value):,} ms"


def _path(facts: SystemFacts, nodes: Iterable[int], *, ring: bool = False) -> str:
    names = [facts.service(node).name for node in nodes]
    if ring and names:
        names.append(names[0])
    return " → ".join(names)


def _estimate(analysis: SystemAnalysis) -> tuple[list[str], str, bool]:
    """The longest chain's latency figures, what its budget says, and whether it is over."""
    estimate = analysis.longest
    if estimate is None:
        return [], "", False
    tail = estimate.tail
    figures = [
        f"Estimated end-to-end latency: about {_ms(tail.p50_ms)} for a typical request "
        f"(p50) and {_ms(tail.p99_ms)} for the slowest 1% (p99).",
        f"{tail.p_hit_any_p99:.0%} of requests meet at least one hop at its slowest 1%.",
    ]
    per_hop = f"{_ms(estimate.per_hop_p50_ms)} (p50) and {_ms(estimate.per_hop_p99_ms)} (p99)"
    if estimate.assumed_latency:
        figures.append(
            f"Assumed {per_hop} per hop: no interaction on the chain gave its own figures."
        )
    else:
        figures.append(f"Per hop: {per_hop}, the slowest answered on the chain.")
    if estimate.budget_ms is None:
        return figures, "No latency budget was answered on this chain's interactions.", False
    if estimate.over_budget:
        return (
            figures,
            f"Over budget: the p99 estimate exceeds the {_ms(estimate.budget_ms)} budget "
            "answered on the chain.",
            True,
        )
    budget = f"Within the {_ms(estimate.budget_ms)} latency budget answered on the chain."
    return figures, budget, False


def chain_report(facts: SystemFacts, analysis: SystemAnalysis) -> ChainReport:
    """The longest synchronous chain with its latency, the cycles, the hot spots and the
    interactions whose broker keeps a chain from forming, as sentences."""
    graph = analysis.graph
    chain = graph.longest_chain
    longest = ""
    if chain is not None:
        hops = count(chain.hops, "synchronous hop")
        if chain.through_cycle:
            hops = f"at least {hops} (the path runs through a synchronous cycle)"
        longest = f"{_path(facts, chain.nodes)}: {hops}."
    figures, budget, over = _estimate(analysis)
    cycles = (_path(facts, cycle.nodes, ring=True) for cycle in graph.cycles)
    hot_spots = (
        f"{facts.service(spot.node).name}: {count(len(spot.callers), 'service')} call it "
        f"synchronously; {count(spot.dependents, 'service')} depend on it."
        for spot in graph.hot_spots
    )
    interactions = {fact.id: fact for fact in facts.interactions}
    breakers = []
    for breaker in graph.breakers:
        fact = interactions[breaker.edge]
        source, target = facts.service(fact.source_id).name, facts.service(fact.target_id).name
        outcome = (
            f"as a synchronous call it would close a cycle: {target} already waits on {source}."
            if breaker.closes_cycle
            else f"as a synchronous call it would make a {breaker.joined}-hop chain."
        )
        breakers.append(
            f"{source} → {target} ({fact.name}) goes through a broker "
            f"({facts.pattern_title(fact.pattern)}): {outcome}"
        )
    return ChainReport(
        longest=longest,
        estimate=tuple(figures),
        budget=budget,
        over_budget=over,
        cycles=Shown.first(cycles, CHAIN_LISTED),
        hot_spots=Shown.first(hot_spots, CHAIN_LISTED),
        breakers=Shown.first(breakers, CHAIN_LISTED),
    )


# --- the review queue ------------------------------------------------------------------


@dataclass(frozen=True)
class PrintedSide:
    """One answer of a contradiction and the first interactions that give it."""

    side: ContradictionSide
    lines: Shown[Line]


@dataclass(frozen=True)
class PrintedContradiction:
    contradiction: ReviewContradiction
    sides: tuple[PrintedSide, ...]


@dataclass(frozen=True)
class PrintedQueue:
    """The review queue's sections as the report prints them."""

    stale: Shown[StaleLine]
    contradictions: Shown[PrintedContradiction]
    against: Shown[AgainstLine]
    proposed: Shown[Line]
    undecided: Shown[Line]

    @property
    def cut(self) -> bool:
        """Whether any section prints fewer lines than it has."""
        sections = (self.stale, self.contradictions, self.against, self.proposed)
        return any(section.more for section in (*sections, self.undecided))


def printed_queue(queue: ReviewQueue) -> PrintedQueue:
    """The queue's first `QUEUE_LISTED` items of each section, in the queue's order (the
    contradictions worst first, the rest by name)."""
    contradictions = (
        PrintedContradiction(
            contradiction=contradiction,
            sides=tuple(
                PrintedSide(side=side, lines=Shown.first(side.lines, SIDE_LISTED))
                for side in contradiction.sides
            ),
        )
        for contradiction in queue.contradictions[:QUEUE_LISTED]
    )
    return PrintedQueue(
        stale=Shown.first(queue.stale, QUEUE_LISTED),
        contradictions=Shown(tuple(contradictions), len(queue.contradictions)),
        against=Shown.first(queue.against, QUEUE_LISTED),
        proposed=Shown.first(queue.proposed, QUEUE_LISTED),
        undecided=Shown.first(queue.undecided, QUEUE_LISTED),
    )


# --- the risk register -----------------------------------------------------------------


@dataclass(frozen=True)
class PrintedStep:
    """A step of the plan and its worst interactions."""

    step: RegisterStep
    lines: Shown[RegisterLine]


def _worst_first(entry: RegisterLine) -> tuple[int, bool, str, str]:
    # A decided interaction first: a team has already made a choice there and owns it.
    name = entry.line.interaction.name
    undecided = entry.line.decision is None
    return SEVERITY_RANK.get(entry.severity, len(SEVERITY_RANK)), undecided, name.casefold(), name


def printed_steps(register: Register) -> tuple[PrintedStep, ...]:
    """Each step with its `STEP_LISTED` worst interactions: by severity, then decided
    before undecided, then by name."""
    return tuple(
        PrintedStep(
            step=step,
            lines=Shown(tuple(sorted(step.lines, key=_worst_first)[:STEP_LISTED]), len(step.lines)),
        )
        for step in register.steps
    )
