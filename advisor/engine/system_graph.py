"""How a system's services call each other: chains, cycles, hot spots and what breaks chains.

Services are nodes; interactions are edges from caller to receiver. The words used here:

Hop: one synchronous call, the caller waiting while the receiver works. Only synchronous
    edges count (a service calling itself is no hop between services and is left out).
Chain: services calling one another synchronously, one after the other, so that the first
    waits for all of them; its length is its number of hops.
Depth below a service: the most hops of any chain starting there (0 if it calls nobody
    synchronously). An interaction's chain depth is itself plus the depth below its
    receiver, whatever its own pattern (the question asks what the caller would wait on
    if the call were synchronous), capped at `MAX_DEPTH`, the most the question accepts.
Cycle: services that can all reach one another through synchronous calls (a strongly
    connected component of several services), with one concrete ring through it: the
    shortest through its smallest service, starting there.
Through a cycle: a chain that reaches a service in a cycle. Inside the ring a chain is
    counted as a path that visits no service twice: a floor, since a request that goes
    round the ring waits on more hops still. Small rings are searched exhaustively. In a
    large one the search stops after `SEARCH_STEPS` steps and each service keeps the
    longest path found, at least the tallest branch below it in a depth-first tree of the
    ring (one pass): then even among paths visiting each service once it is a lower bound.
Hot spot: a service that at least `hot_spot_callers` different services call
    synchronously; its dependents are the services that reach it through synchronous
    calls, directly or not.
Breaker: a broker-based interaction that cuts what would be one chain: the longest chain
    ending at its caller, plus itself, plus the longest chain starting at its receiver.
    Only those that would join at least two hops are reported. When the receiver already
    reaches the caller through synchronous calls, a synchronous call would close a cycle
    instead (`closes_cycle`): the two halves then share services, and no chain length is
    claimed for it.

Results are deterministic, whatever order services and calls come in: among equally long
paths the one whose first edge has the smallest id is taken, hop by hop (inside a cycle,
the first the search finds, trying the smallest edge ids first); among equal services the
smallest id comes first. Components come from an iterative Tarjan search, longest paths
from dynamic programming over them in topological order: the cost grows with the number
of services and calls, not with the number of chains.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from advisor.engine.graph_parts import Breaker, Chain, Cycle, Depth, GraphEdge, HotSpot

__all__ = [
    "MAX_DEPTH",
    "Breaker",
    "Chain",
    "Cycle",
    "Depth",
    "GraphAnalysis",
    "GraphEdge",
    "HotSpot",
    "analyse_graph",
]

MAX_DEPTH = 50  # chain_depth's maximum in the framework
# How many edges the search inside one cycle may examine, shared among its services.
SEARCH_STEPS = 10_000


@dataclass(frozen=True)
class _Best:
    """The longest path from a node: its hops, whether it reaches a cycle, and how it goes:
    the edges `prefix` lead to `next`, whose own best path follows (None: it ends)."""

    hops: int
    through_cycle: bool
    prefix: tuple[int, ...] = ()
    next: int | None = None


_NOWHERE = _Best(0, False)


@dataclass(frozen=True)
class GraphAnalysis:
    longest_chain: Chain | None  # None when there is no synchronous edge
    cycles: tuple[Cycle, ...]
    hot_spots: tuple[HotSpot, ...]  # most callers first
    breakers: tuple[Breaker, ...]  # only those with joined >= 2, largest joined first
    _below: Mapping[int, _Best] = field(default_factory=dict, repr=False, compare=False)
    _edges: Mapping[int, GraphEdge] = field(default_factory=dict, repr=False, compare=False)

    def depth_below(self, node: int) -> Depth:
        """The longest synchronous path starting at `node` (0 hops if there is none)."""
        best = self._below.get(node, _NOWHERE)
        return Depth(best.hops, _path_edges(self._below, node), best.through_cycle)

    def depth_for_edge(self, edge_id: int) -> Depth:
        """An interaction's chain depth: itself plus the depth below its target, whatever its
        own pattern, capped at `MAX_DEPTH`. A path that comes back to the interaction's own
        caller runs through a cycle."""
        edge = self._edges[edge_id]
        below = self.depth_below(edge.target)
        edges = (edge_id, *below.edges)[:MAX_DEPTH]
        comes_back = any(self._edges[step].target == edge.source for step in below.edges)
        return Depth(len(edges), edges, below.through_cycle or comes_back)


def _path_edges(below: Mapping[int, _Best], node: int | None) -> tuple[int, ...]:
    edges: list[int] = []
    while node is not None:
        best = below.get(node, _NOWHERE)
        edges.extend(best.prefix)
        node = best.next
    return tuple(edges)


Adjacency = dict[int, list[tuple[int, int]]]  # node -> [(edge id, other node)], by edge id


def _strong_components(nodes: list[int], succ: Adjacency) -> list[list[int]]:
    """Tarjan's strongly connected components, without recursion, sinks first (each
    component comes before every component that calls into it)."""
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    components: list[list[int]] = []
    for root in nodes:
        if root in index:
            continue
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        work = [(root, 0)]
        while work:
            node, position = work[-1]
            out = succ[node]
            if position < len(out):
                work[-1] = (node, position + 1)
                target = out[position][1]
                if target not in index:
                    index[target] = low[target] = len(index)
                    stack.append(target)
                    on_stack.add(target)
                    work.append((target, 0))
                elif target in on_stack and index[target] < low[node]:
                    low[node] = index[target]
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                if low[node] < low[parent]:
                    low[parent] = low[node]
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def _longest_paths(
    components: list[list[int]], component_of: dict[int, int], succ: Adjacency
) -> dict[int, _Best]:
    """The best path from every node, `components` given sinks first along `succ`."""
    best: dict[int, _Best] = {}
    for number, component in enumerate(components):
        exits: dict[int, _Best] = {}
        for node in component:
            found = _NOWHERE
            for edge, target in succ[node]:
                if component_of[target] == number:
                    continue
                after = best[target]
                if after.hops + 1 > found.hops:
                    found = _Best(after.hops + 1, after.through_cycle, (edge,), target)
            exits[node] = found
        if len(component) == 1:
            best[component[0]] = exits[component[0]]
        else:
            best.update(_search_cycle(component, number, component_of, succ, exits))
    return best


def _search_cycle(component: list[int], number: int, component_of: dict[int, int],
                  succ: Adjacency, exits: dict[int, _Best]) -> dict[int, _Best]:  # fmt: skip
    """The best path from each node of a cyclic component: a path visiting none of its
    nodes twice, then the best way out.

    Every node starts from the floor its depth-first tree gives (the tallest branch below
    it). Then a search from each node tries every path, within a budget of `SEARCH_STEPS`
    edges examined shared among the starting nodes, stopping early once a path covers the
    whole component and the longest way out; a path found also lifts every node along it.
    Small components are searched exhaustively; in large ones the result is the longest
    path found."""
    inside = {
        node: [(edge, target) for edge, target in succ[node] if component_of[target] == number]
        for node in component
    }
    ceiling = len(component) - 1 + max(exit_.hops for exit_ in exits.values())
    steps_each = max(SEARCH_STEPS // len(component), 1)
    found = _tree_floor(component[0], inside, exits)
    for start in component:
        top = found[start].hops
        best: tuple[list[int], list[int]] | None = None  # the path's edges and nodes
        pending = False  # the path on the stack is the best one, not copied yet
        path: list[int] = []
        on_path = {start}
        stack = [(start, iter(inside[start]))]
        steps = 0
        while stack and steps < steps_each and top < ceiling:
            step = next(stack[-1][1], None)
            if step is None:
                if pending:
                    best, pending = (path[:], [node for node, _ in stack]), False
                on_path.discard(stack.pop()[0])
                if path:
                    path.pop()
                continue
            steps += 1
            edge, target = step
            if target in on_path:
                continue
            reach = len(path) + 1 + exits[target].hops
            if pending and reach <= top:
                best, pending = (path[:], [node for node, _ in stack]), False
            path.append(edge)
            on_path.add(target)
            stack.append((target, iter(inside[target])))
            if reach > top:
                top, pending = reach, True
        if pending:
            best = (path, [node for node, _ in stack])
        if best is not None:
            _lift(found, top, *best, exits)
    return found


def _lift(found: dict[int, _Best], top: int, edges: list[int], nodes: list[int],
          exits: dict[int, _Best]) -> None:  # fmt: skip
    """Every node along a path found has at least the rest of the path below it."""
    way_out = exits[nodes[-1]]
    for position, node in enumerate(nodes[:-1]):
        if top - position > found[node].hops:
            rest = tuple(edges[position:]) + way_out.prefix
            found[node] = _Best(top - position, True, rest, way_out.next)


def _tree_floor(root: int, inside: Adjacency, exits: dict[int, _Best]) -> dict[int, _Best]:
    """For each node of a component, the tallest branch below it in a depth-first tree
    grown from `root`, then its best way out: a path that visits no node twice."""
    found: dict[int, _Best] = {}
    seen = {root}
    stack = [(root, iter(inside[root]))]
    children: dict[int, list[tuple[int, int]]] = {root: []}
    while stack:
        node, out = stack[-1]
        step = next(out, None)
        if step is None:
            stack.pop()
            exit_ = exits[node]
            top = _Best(exit_.hops, True, exit_.prefix, exit_.next)
            for edge, child in children[node]:
                below = found[child]
                if below.hops + 1 > top.hops:
                    top = _Best(below.hops + 1, True, (edge, *below.prefix), below.next)
            found[node] = top
            continue
        edge, target = step
        if target not in seen:
            seen.add(target)
            children[node].append((edge, target))
            children[target] = []
            stack.append((target, iter(inside[target])))
    return found


def _concrete_cycle(component: list[int], number: int, component_of: dict[int, int],
                    succ: Adjacency) -> Cycle:  # fmt: skip
    """The shortest ring through the component's smallest node, found breadth first."""
    start = component[0]
    came_by: dict[int, tuple[int, int]] = {}  # node -> (edge, previous node)
    queue = deque([start])
    seen = {start}
    closing: tuple[int, int] | None = None
    while queue and closing is None:
        node = queue.popleft()
        for edge, target in succ[node]:
            if component_of[target] != number:
                continue
            if target == start:
                closing = (edge, node)
                break
            if target not in seen:
                seen.add(target)
                came_by[target] = (edge, node)
                queue.append(target)
    assert closing is not None  # a component of several nodes always closes a ring
    edges, nodes = [closing[0]], []
    node = closing[1]
    while node != start:
        edge, previous = came_by[node]
        nodes.append(node)
        edges.append(edge)
        node = previous
    nodes.append(start)
    inner = frozenset(
        edge for node in component for edge, target in succ[node] if component_of[target] == number
    )
    return Cycle(tuple(reversed(nodes)), tuple(reversed(edges)), inner)


def _hot_spots(components: list[list[int]], component_of: dict[int, int], succ: Adjacency,
               pred: Adjacency, threshold: int) -> tuple[HotSpot, ...]:  # fmt: skip
    callers = {node: sorted({source for _, source in calls}) for node, calls in pred.items()}
    hot = [node for node, sources in callers.items() if sources and len(sources) >= threshold]
    if not hot:
        return ()
    # Who reaches each component, as bit sets over component numbers, callers first.
    reached_by: dict[int, int] = {}
    for number in range(len(components) - 1, -1, -1):
        reached_by.setdefault(number, 0)
        mask = reached_by[number] | (1 << number)
        for node in components[number]:
            for _, target in succ[node]:
                other = component_of[target]
                if other != number:
                    reached_by[other] = reached_by.get(other, 0) | mask
    # Each component counts for its size: one bit per component, plus the extra members of
    # the cyclic ones.
    extra = [(1 << number, len(group) - 1) for number, group in enumerate(components)
             if len(group) > 1]  # fmt: skip
    spots = []
    for node in hot:
        number = component_of[node]
        mask = reached_by[number]
        dependents = mask.bit_count() + sum(more for bit, more in extra if mask & bit)
        dependents += len(components[number]) - 1
        spots.append(HotSpot(node, tuple(callers[node]), dependents))
    spots.sort(key=lambda spot: (-len(spot.callers), -spot.dependents, spot.node))
    return tuple(spots)


def analyse_graph(
    nodes: Iterable[int], edges: Iterable[GraphEdge], *, hot_spot_callers: int = 3
) -> GraphAnalysis:
    """Chains, cycles, hot spots and breakers of a graph of services (see the module)."""
    edges_by_id = {edge.id: edge for edge in sorted(edges, key=lambda edge: edge.id)}
    ends = {node for edge in edges_by_id.values() for node in (edge.source, edge.target)}
    every_node = sorted({*nodes, *ends})
    succ: Adjacency = {node: [] for node in every_node}
    pred: Adjacency = {node: [] for node in every_node}
    for edge in edges_by_id.values():
        if edge.synchronous and edge.source != edge.target:
            succ[edge.source].append((edge.id, edge.target))
            pred[edge.target].append((edge.id, edge.source))
    components = _strong_components(every_node, succ)
    component_of = {node: number for number, group in enumerate(components) for node in group}
    below = _longest_paths(components, component_of, succ)

    start = min(every_node, key=lambda node: (-below[node].hops, node), default=None)
    longest = None
    if start is not None and below[start].hops:
        path = _path_edges(below, start)
        longest = Chain(
            (start, *(edges_by_id[edge].target for edge in path)), path,
            below[start].through_cycle,
        )  # fmt: skip
    cycles = tuple(
        _concrete_cycle(group, number, component_of, succ)
        for number, group in enumerate(components)
        if len(group) > 1
    )
    cycles = tuple(sorted(cycles, key=lambda cycle: cycle.nodes[0]))

    breaking = [e for e in edges_by_id.values() if e.broker_based and not e.synchronous]
    breakers: list[Breaker] = []
    if breaking:
        # Chains ending at a node are chains starting there in the reversed graph, whose
        # components are the same ones in the opposite order.
        above = _longest_paths(components[::-1], _renumbered(component_of, len(components)),
                               pred)  # fmt: skip
        reach = _reachable_components(components, component_of, succ)
        for edge in breaking:
            closes = bool(reach[component_of[edge.target]] >> component_of[edge.source] & 1)
            breaker = Breaker(edge.id, above[edge.source].hops, below[edge.target].hops, closes)
            if breaker.joined >= 2 or closes:
                breakers.append(breaker)
        breakers.sort(key=lambda breaker: (-breaker.joined, breaker.edge))

    return GraphAnalysis(
        longest_chain=longest,
        cycles=cycles,
        hot_spots=_hot_spots(components, component_of, succ, pred, hot_spot_callers),
        breakers=tuple(breakers),
        _below=below,
        _edges=edges_by_id,
    )


def _reachable_components(
    components: list[list[int]], component_of: dict[int, int], succ: Adjacency
) -> list[int]:
    """For each component (sinks first), the components it reaches through synchronous
    calls, itself included, as the bits of one integer: one pass, whatever the queries."""
    reach: list[int] = []
    for number, component in enumerate(components):
        bits = 1 << number
        for node in component:
            for _, target in succ[node]:
                if component_of[target] != number:
                    bits |= reach[component_of[target]]
        reach.append(bits)
    return reach


def _renumbered(component_of: dict[int, int], count: int) -> dict[int, int]:
    return {node: count - 1 - number for node, number in component_of.items()}
