"""A system's chains read from its facts, and what the longest one costs in latency.

Each interaction is an edge from its caller to its receiver. It is a hop when its pattern
(the decision's choice, else the style the team declared) is a synchronous call; it breaks
a chain when its pattern puts a message broker between the two services. An interaction
whose pattern is not known yet does neither. See `advisor.engine.system_graph` for what
chains, cycles, hot spots and breakers are.

The longest chain's tail latency uses the slowest per-hop figures answered on any of its
interactions (a chain is as slow as the hops it is made of, and the slowest one answered
is the safer guess for the others), else the framework's defaults; the budget it is held
against is the tightest end-to-end budget answered on any of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from advisor.engine.estimators import TailLatency, estimate_tail_latency
from advisor.engine.framework import Framework
from advisor.engine.system_graph import Chain, Depth, GraphAnalysis, GraphEdge, analyse_graph
from advisor.models import Style
from advisor.system_map.facts import InteractionFact, SystemFacts

SYNC = Style.SYNC.value
# Styles a team may declare that put a broker between the services, for a framework that
# has no pattern of that key.
BROKER_STYLES = frozenset({Style.ASYNC.value, Style.REQUEST_REPLY.value})
# The estimator input holding an end-to-end latency budget.
LATENCY_BUDGET = "latency_budget_ms"


@dataclass(frozen=True)
class ChainEstimate:
    chain: Chain
    tail: TailLatency
    per_hop_p50_ms: float
    per_hop_p99_ms: float
    assumed_latency: bool  # True when no interaction on the chain gave per-hop figures
    budget_ms: float | None  # the tightest latency budget answered on the chain's interactions

    @property
    def over_budget(self) -> bool | None:
        """Whether the chain's estimated p99 exceeds its budget; None without a budget."""
        if self.budget_ms is None:
            return None
        return self.tail.p99_ms > self.budget_ms


@dataclass(frozen=True)
class SystemAnalysis:
    graph: GraphAnalysis
    longest: ChainEstimate | None


def broker_based(framework: Framework, pattern: str | None) -> bool:
    """Whether an interaction with this pattern has a message broker between its services."""
    if not pattern:
        return False
    try:
        return framework.pattern(pattern).broker_based
    except KeyError:
        return pattern in BROKER_STYLES


def graph_edges(facts: SystemFacts) -> list[GraphEdge]:
    """The system's interactions as edges of its graph."""
    return [
        GraphEdge(
            id=fact.id,
            source=fact.source_id,
            target=fact.target_id,
            synchronous=fact.pattern == SYNC,
            broker_based=broker_based(facts.framework, fact.pattern),
        )
        for fact in facts.interactions
    ]


def analyse_system(facts: SystemFacts) -> SystemAnalysis:
    """The chains, cycles, hot spots and breakers of a system, and the longest chain's
    estimated tail latency."""
    graph = analyse_graph((service.id for service in facts.services), graph_edges(facts))
    longest = None
    if graph.longest_chain is not None:
        longest = estimate_chain(facts, graph.longest_chain)
    return SystemAnalysis(graph=graph, longest=longest)


def estimate_chain(facts: SystemFacts, chain: Chain) -> ChainEstimate | None:
    """The chain's tail latency from its interactions' answers; None when the framework
    has no tail-latency estimator."""
    settings = facts.framework.tail_latency
    if settings is None:
        return None
    by_id = {fact.id: fact for fact in facts.interactions}
    interactions = [by_id[edge] for edge in chain.edges]
    p50 = _largest(interactions, settings.p50_ms)
    p99 = _largest(interactions, settings.p99_ms)
    assumed = p50 is None and p99 is None
    ratio = settings.default_p99_ratio
    if p50 is None:
        p50 = p99 / ratio if p99 is not None else settings.default_p50_ms
    if p99 is None or p99 < p50:
        # Taken from different interactions, the slowest p99 answered may be under the
        # slowest p50: that hop's tail is then guessed with the framework's usual spread.
        p99 = p50 * ratio
    budgets = _numbers(interactions, LATENCY_BUDGET)
    return ChainEstimate(
        chain=chain,
        tail=estimate_tail_latency(chain.hops, p50, p99),
        per_hop_p50_ms=p50,
        per_hop_p99_ms=p99,
        assumed_latency=assumed,
        budget_ms=min(budgets) if budgets else None,
    )


def _numbers(interactions: Iterable[InteractionFact], key: str | None) -> list[float]:
    if not key:
        return []
    values = []
    for fact in interactions:
        value = fact.answers.get(key)
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
            values.append(float(value))
    return values


def _largest(interactions: Iterable[InteractionFact], key: str | None) -> float | None:
    values = _numbers(interactions, key)
    return max(values) if values else None


def computed_chain_depth(
    facts: SystemFacts, analysis: SystemAnalysis, interaction_id: int
) -> Depth:
    """The chain depth the map gives an interaction: itself, whatever its pattern, plus the
    longest synchronous chain below its receiver (see `GraphAnalysis.depth_for_edge`)."""
    return analysis.graph.depth_for_edge(interaction_id)


def path_services(facts: SystemFacts, depth: Depth) -> tuple[str, ...]:
    """The names of the services along a depth's path, from the caller down."""
    if not depth.edges:
        return ()
    by_id = {fact.id: fact for fact in facts.interactions}
    names = [facts.service(by_id[depth.edges[0]].source_id).name]
    names += [facts.service(by_id[edge].target_id).name for edge in depth.edges]
    return tuple(names)
