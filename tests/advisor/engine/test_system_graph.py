"""Chains, cycles, hot spots and breakers of a system's graph (no database)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from advisor.engine.system_graph import (
    MAX_DEPTH,
    Breaker,
    Chain,
    GraphEdge,
    HotSpot,
    analyse_graph,
)


def sync(edge_id: int, source: int, target: int) -> GraphEdge:
    return GraphEdge(edge_id, source, target, synchronous=True)


def queued(edge_id: int, source: int, target: int) -> GraphEdge:
    return GraphEdge(edge_id, source, target, synchronous=False, broker_based=True)


def unknown(edge_id: int, source: int, target: int) -> GraphEdge:
    return GraphEdge(edge_id, source, target, synchronous=False)


def line(length: int, start_edge: int = 1) -> list[GraphEdge]:
    """Services 1, 2, 3… each calling the next synchronously."""
    return [sync(start_edge + step, step + 1, step + 2) for step in range(length)]


# --- chains -------------------------------------------------------------------------------


def test_a_line_of_synchronous_calls_is_one_chain_from_its_head():
    analysis = analyse_graph(range(1, 5), line(3))
    assert analysis.longest_chain == Chain(nodes=(1, 2, 3, 4), edges=(1, 2, 3))
    assert analysis.longest_chain.hops == 3
    assert analysis.cycles == ()


def test_a_graph_without_synchronous_calls_has_no_chain():
    analysis = analyse_graph([1, 2, 3], [queued(1, 1, 2), unknown(2, 2, 3)])
    assert analysis.longest_chain is None
    assert analysis.depth_below(1).hops == 0
    assert analyse_graph([], []).longest_chain is None


def test_the_longest_branch_is_picked():
    # 1 calls 2 (then nothing) and 3, which calls 4, which calls 5.
    edges = [sync(1, 1, 2), sync(2, 1, 3), sync(3, 3, 4), sync(4, 4, 5)]
    analysis = analyse_graph(range(1, 6), edges)
    assert analysis.longest_chain.nodes == (1, 3, 4, 5)
    assert analysis.depth_below(3).edges == (3, 4)
    assert analysis.depth_below(2).hops == 0


def test_branches_that_join_again_count_the_longer_way():
    # 1 -> 2 -> 4 and 1 -> 3 -> 5 -> 4, then 4 -> 6.
    edges = [sync(1, 1, 2), sync(2, 2, 4), sync(3, 1, 3), sync(4, 3, 5), sync(5, 5, 4),
             sync(6, 4, 6)]  # fmt: skip
    analysis = analyse_graph(range(1, 7), edges)
    assert analysis.longest_chain.edges == (3, 4, 5, 6)
    assert analysis.depth_below(1).hops == 4


def test_an_asynchronous_call_breaks_a_chain_in_two():
    edges = [sync(1, 1, 2), sync(2, 2, 3), queued(3, 3, 4), sync(4, 4, 5)]
    analysis = analyse_graph(range(1, 6), edges)
    assert analysis.longest_chain.nodes == (1, 2, 3)
    assert analysis.depth_below(4).hops == 1


def test_a_breaker_says_how_long_a_chain_it_cuts():
    edges = [sync(1, 1, 2), sync(2, 2, 3), queued(3, 3, 4), sync(4, 4, 5)]
    analysis = analyse_graph(range(1, 6), edges)
    assert analysis.breakers == (Breaker(edge=3, hops_before=2, hops_after=1),)
    assert analysis.breakers[0].joined == 4


def test_breakers_that_join_nothing_are_not_reported_and_the_largest_come_first():
    edges = [
        queued(1, 1, 2),  # joins nothing: 0 + 1 + 0
        sync(2, 3, 4), queued(3, 4, 5),  # 1 + 1 + 0 = 2
        sync(4, 6, 7), queued(5, 7, 8), sync(6, 8, 9), sync(7, 9, 10),  # 1 + 1 + 2 = 4
    ]  # fmt: skip
    analysis = analyse_graph(range(1, 11), edges)
    assert [(breaker.edge, breaker.joined) for breaker in analysis.breakers] == [(5, 4), (3, 2)]


def test_an_edge_of_unknown_style_neither_counts_nor_breaks():
    edges = [sync(1, 1, 2), unknown(2, 2, 3), sync(3, 3, 4)]
    analysis = analyse_graph(range(1, 5), edges)
    assert analysis.longest_chain.hops == 1
    assert analysis.breakers == ()


def test_parallel_calls_between_the_same_services_count_once_and_the_smallest_id_wins():
    edges = [sync(7, 1, 2), sync(3, 1, 2), sync(5, 2, 3)]
    analysis = analyse_graph(range(1, 4), edges)
    assert analysis.longest_chain.edges == (3, 5)


def test_ties_are_broken_by_the_smallest_ids():
    # Chains of two hops start at 1 (two ways: through 2 or through 3) and at 4.
    edges = [sync(9, 1, 3), sync(8, 1, 2), sync(6, 2, 7), sync(5, 3, 7), sync(1, 4, 5),
             sync(2, 5, 6)]  # fmt: skip
    analysis = analyse_graph(range(1, 8), edges)
    # The smallest service starts it; then the smallest first edge (8, to 2) decides.
    assert analysis.longest_chain == Chain(nodes=(1, 2, 7), edges=(8, 6))
    shuffled = analyse_graph(reversed(range(1, 8)), list(reversed(edges)))
    assert shuffled.longest_chain == analysis.longest_chain
    assert shuffled == analysis


# --- depth of an interaction --------------------------------------------------------------


def test_an_interactions_depth_is_itself_plus_the_chain_below_its_receiver():
    analysis = analyse_graph(range(1, 5), line(3))
    depth = analysis.depth_for_edge(1)
    assert (depth.hops, depth.edges, depth.through_cycle) == (3, (1, 2, 3), False)
    assert analysis.depth_for_edge(3).hops == 1


def test_an_asynchronous_or_unknown_interaction_still_counts_as_one_hop_plus_below():
    edges = [queued(1, 1, 2), unknown(2, 5, 2), sync(3, 2, 3), sync(4, 3, 4)]
    analysis = analyse_graph(range(1, 6), edges)
    assert analysis.depth_for_edge(1).edges == (1, 3, 4)
    assert analysis.depth_for_edge(2).hops == 3


def test_an_interaction_with_nothing_below_has_a_depth_of_one():
    analysis = analyse_graph([1, 2], [queued(1, 1, 2)])
    assert analysis.depth_for_edge(1).hops == 1
    assert analysis.depth_for_edge(1).edges == (1,)


def test_the_depth_is_capped_at_the_frameworks_maximum():
    analysis = analyse_graph(range(1, 72), line(70))
    assert analysis.longest_chain.hops == 70  # the chain itself is told as it is
    depth = analysis.depth_for_edge(1)
    assert depth.hops == MAX_DEPTH == 50
    assert depth.edges == tuple(range(1, 51))
    assert analysis.depth_for_edge(30).hops == 41


def test_a_call_that_closes_a_ring_runs_through_a_cycle():
    # 2 calls 1 synchronously; the interaction 1 -> 2 is still a queue, but asked as a call
    # it would come back to its own caller.
    analysis = analyse_graph([1, 2, 3], [queued(1, 1, 2), sync(2, 2, 1), sync(3, 1, 3)])
    depth = analysis.depth_for_edge(1)
    assert depth.edges == (1, 2, 3)
    assert depth.through_cycle


# --- cycles -------------------------------------------------------------------------------


def test_two_services_calling_each_other_are_a_cycle():
    analysis = analyse_graph([1, 2], [sync(1, 1, 2), sync(2, 2, 1)])
    (cycle,) = analysis.cycles
    assert (cycle.nodes, cycle.edges, cycle.component_edges) == ((1, 2), (1, 2), {1, 2})
    assert analysis.longest_chain == Chain(nodes=(1, 2), edges=(1,), through_cycle=True)


def test_a_ring_of_three_is_reported_from_its_smallest_service_in_call_order():
    analysis = analyse_graph([1, 2, 3], [sync(1, 3, 1), sync(2, 2, 3), sync(3, 1, 2)])
    (cycle,) = analysis.cycles
    assert cycle.nodes == (1, 2, 3)
    assert cycle.edges == (3, 2, 1)
    assert analysis.longest_chain.hops == 2
    assert analysis.longest_chain.through_cycle


def test_a_cycle_with_a_tail_counts_a_path_through_the_ring_then_down_the_tail():
    # 1 -> 2 -> 3 -> 1 is a ring; 3 -> 4 -> 5 is a tail; 0 -> 1 leads into the ring.
    edges = [sync(1, 1, 2), sync(2, 2, 3), sync(3, 3, 1), sync(4, 3, 4), sync(5, 4, 5),
             sync(6, 0, 1)]  # fmt: skip
    analysis = analyse_graph(range(6), edges)
    assert analysis.longest_chain == Chain((0, 1, 2, 3, 4, 5), (6, 1, 2, 4, 5), True)
    (cycle,) = analysis.cycles
    assert cycle.component_edges == {1, 2, 3}
    assert not analysis.depth_below(4).through_cycle
    assert analysis.depth_below(2).edges == (2, 4, 5)


def test_separate_rings_are_separate_cycles_and_chords_belong_to_their_component():
    edges = [sync(1, 5, 6), sync(2, 6, 5), sync(3, 1, 2), sync(4, 2, 3), sync(5, 3, 1),
             sync(6, 1, 3)]  # fmt: skip
    analysis = analyse_graph(range(1, 7), edges)
    assert [cycle.nodes for cycle in analysis.cycles] == [(1, 3), (5, 6)]
    assert analysis.cycles[0].component_edges == {3, 4, 5, 6}


def test_a_long_cycle_is_searched_without_recursion():
    size = 3000
    edges = [sync(node, node, node + 1) for node in range(1, size)] + [sync(size, size, 1)]
    analysis = analyse_graph(range(1, size + 1), edges)
    assert analysis.longest_chain.hops == size - 1
    assert len(analysis.cycles[0].nodes) == size


def test_a_long_chain_is_analysed_without_recursion():
    analysis = analyse_graph(range(1, 5002), line(5000))
    assert analysis.longest_chain.hops == 5000


# --- hot spots ----------------------------------------------------------------------------


def test_a_service_called_by_enough_services_is_a_hot_spot_with_its_dependents():
    # 1, 2, 3 call 9; 4 calls 1; 5 calls 9 through a queue (not a dependent).
    edges = [sync(1, 1, 9), sync(2, 2, 9), sync(3, 3, 9), sync(4, 4, 1), queued(5, 5, 9),
             sync(6, 1, 9)]  # fmt: skip
    analysis = analyse_graph(range(1, 10), edges)
    assert analysis.hot_spots == (HotSpot(node=9, callers=(1, 2, 3), dependents=4),)
    assert analyse_graph(range(1, 10), edges, hot_spot_callers=4).hot_spots == ()


def test_hot_spots_with_most_callers_come_first():
    edges = [sync(1, 1, 8), sync(2, 2, 8), sync(3, 1, 9), sync(4, 2, 9), sync(5, 3, 9)]
    analysis = analyse_graph(range(1, 10), edges, hot_spot_callers=2)
    assert [spot.node for spot in analysis.hot_spots] == [9, 8]


def test_services_in_a_ring_depend_on_each_other():
    edges = [sync(1, 1, 2), sync(2, 2, 3), sync(3, 3, 1), sync(4, 4, 3), sync(5, 5, 3)]
    (spot,) = analyse_graph(range(1, 6), edges).hot_spots
    assert (spot.node, spot.callers, spot.dependents) == (3, (2, 4, 5), 4)


# --- properties ---------------------------------------------------------------------------


def brute_force_longest(edges: list[GraphEdge], start: int) -> int:
    """The most synchronous hops of any path from `start` that visits no service twice."""
    best = 0
    paths = [(start, frozenset([start]), 0)]
    while paths:
        node, seen, hops = paths.pop()
        best = max(best, hops)
        for edge in edges:
            if edge.synchronous and edge.source == node and edge.target not in seen:
                paths.append((edge.target, seen | {edge.target}, hops + 1))
    return best


@st.composite
def small_graphs(draw, acyclic: bool):
    size = draw(st.integers(1, 7))
    pairs = [(a, b) for a, b in itertools.permutations(range(size), 2) if a < b or not acyclic]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=16)) if pairs else []
    edges = []
    for number, (source, target) in enumerate(chosen, start=1):
        kind = draw(st.sampled_from([sync, sync, queued, unknown]))
        edges.append(kind(number, source, target))
    return size, edges


@settings(max_examples=200, deadline=None)
@given(small_graphs(acyclic=True))
def test_on_acyclic_graphs_the_longest_chain_is_the_longest_path(graph):
    size, edges = graph
    analysis = analyse_graph(range(size), edges)
    longest = max(brute_force_longest(edges, node) for node in range(size))
    assert (analysis.longest_chain.hops if analysis.longest_chain else 0) == longest
    for node in range(size):
        assert analysis.depth_below(node).hops == brute_force_longest(edges, node)


@settings(max_examples=200, deadline=None)
@given(small_graphs(acyclic=False))
def test_every_depth_is_a_real_path_and_small_cycles_are_searched_exactly(graph):
    size, edges = graph
    by_id = {edge.id: edge for edge in edges}
    analysis = analyse_graph(range(size), edges)
    for node in range(size):
        depth = analysis.depth_below(node)
        assert depth.hops == brute_force_longest(edges, node) == len(depth.edges)
        visited = [node]
        for edge_id in depth.edges:
            edge = by_id[edge_id]
            assert edge.synchronous and edge.source == visited[-1]
            visited.append(edge.target)
        assert len(set(visited)) == len(visited)
    for edge in edges:
        below = analysis.depth_below(edge.target)
        assert analysis.depth_for_edge(edge.id).hops == 1 + below.hops
        assert analysis.depth_for_edge(edge.id).edges == (edge.id, *below.edges)


def test_a_breaker_whose_receiver_already_waits_on_its_caller_would_close_a_cycle():
    # 1 → 2 → 3 synchronously; 3 → 2 goes through a broker: as a call, 2 and 3 would wait
    # on each other, so it closes a cycle rather than making a longer chain.
    analysis = analyse_graph(
        [1, 2, 3],
        [GraphEdge(10, 1, 2, True), GraphEdge(11, 2, 3, True),
         GraphEdge(12, 3, 2, False, broker_based=True)],
    )  # fmt: skip
    (breaker,) = analysis.breakers
    assert breaker.edge == 12 and breaker.closes_cycle
    assert analysis.cycles == ()


def test_a_breaker_between_separate_chains_closes_no_cycle():
    analysis = analyse_graph(
        [1, 2, 3, 4],
        [GraphEdge(10, 1, 2, True), GraphEdge(11, 3, 4, True),
         GraphEdge(12, 2, 3, False, broker_based=True)],
    )  # fmt: skip
    (breaker,) = analysis.breakers
    assert (breaker.joined, breaker.closes_cycle) == (3, False)
