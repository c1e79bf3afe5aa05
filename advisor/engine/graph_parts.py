"""The parts a system's graph analysis (`system_graph`) takes and gives: calls between
services, and the chains, cycles, hot spots, breakers and depths found among them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GraphEdge:
    id: int
    source: int
    target: int
    synchronous: bool  # counts as a hop in a chain
    broker_based: bool = False  # a message broker sits between: it breaks a chain


@dataclass(frozen=True)
class Chain:
    nodes: tuple[int, ...]  # services, from the caller at the head to the last receiver
    edges: tuple[int, ...]  # edge ids, in order
    through_cycle: bool = False

    @property
    def hops(self) -> int:
        return len(self.edges)


@dataclass(frozen=True)
class Cycle:
    nodes: tuple[int, ...]  # one concrete cycle, in call order (first node not repeated)
    edges: tuple[int, ...]  # its edges, in order
    component_edges: frozenset[int]  # every synchronous edge inside its component


@dataclass(frozen=True)
class HotSpot:
    node: int
    callers: tuple[int, ...]  # distinct direct synchronous callers, sorted
    dependents: int  # services that reach it through synchronous calls (transitively)


@dataclass(frozen=True)
class Breaker:
    edge: int  # a broker-based edge
    hops_before: int  # longest synchronous chain ending at its source
    hops_after: int  # longest synchronous chain starting at its target
    closes_cycle: bool = False  # the target already reaches the source synchronously

    @property
    def joined(self) -> int:
        """The chain it would make if it were synchronous."""
        return self.hops_before + 1 + self.hops_after


@dataclass(frozen=True)
class Depth:
    hops: int
    edges: tuple[int, ...]  # the path, in order
    through_cycle: bool
