"""A system's chain analysis read from its facts: hops, breakers and the tail estimate."""

from __future__ import annotations

import pytest

from advisor import services
from advisor.engine.estimators import estimate_tail_latency
from advisor.models import Assessment, Style
from advisor.system_map.analysis import analyse_system, computed_chain_depth, path_services
from advisor.system_map.facts import system_facts
from tests.factories import (
    SOMEONE_WAITS,
    ServiceFactory,
    SystemFactory,
    UserFactory,
    record_decision,
)

pytestmark = pytest.mark.django_db


class Shop:
    """A system of named services, and interactions between them made the app's way."""

    def __init__(self, *names: str) -> None:
        self.system = SystemFactory()
        self.user = UserFactory()
        self.services = {name: ServiceFactory(system=self.system, name=name) for name in names}

    def call(self, source: str, target: str, style: str = Style.SYNC, answers=None):
        interaction = services.interaction_create(
            system=self.system, source=self.services[source], target=self.services[target],
            name=f"{source} to {target}", description="", user=self.user, style=style,
        )  # fmt: skip
        if answers:
            Assessment.objects.filter(interaction=interaction).update(answers=answers)
        return interaction

    def analysis(self):
        facts = system_facts(self.system)
        return facts, analyse_system(facts)


def test_synchronous_calls_make_the_longest_chain_and_a_queue_breaks_it():
    shop = Shop("Checkout", "Orders", "Inventory", "Warehouse", "Mailer")
    first = shop.call("Checkout", "Orders")
    second = shop.call("Orders", "Inventory")
    shop.call("Inventory", "Warehouse", Style.ASYNC)
    shop.call("Warehouse", "Mailer")
    facts, analysis = shop.analysis()
    chain = analysis.graph.longest_chain
    assert chain.edges == (first.pk, second.pk)
    assert [facts.service(node).name for node in chain.nodes] == [
        "Checkout", "Orders", "Inventory",
    ]  # fmt: skip
    (breaker,) = analysis.graph.breakers
    assert (breaker.hops_before, breaker.hops_after, breaker.joined) == (2, 1, 4)


def test_request_reply_breaks_a_chain_and_an_unknown_style_neither_counts_nor_breaks():
    shop = Shop("A", "B", "C", "D")
    shop.call("A", "B")
    queued = shop.call("B", "C", Style.REQUEST_REPLY)
    shop.call("C", "D", Style.UNKNOWN)
    _, analysis = shop.analysis()
    assert analysis.graph.longest_chain.hops == 1
    assert [breaker.edge for breaker in analysis.graph.breakers] == [queued.pk]


def test_a_decision_counts_instead_of_the_declared_style():
    shop = Shop("Gateway", "Orders", "Payments")
    shop.call("Gateway", "Orders")
    decided = shop.call("Orders", "Payments", Style.ASYNC,
                        answers={**SOMEONE_WAITS, "operation": "query"})  # fmt: skip
    record_decision(decided, chosen_option="sync")
    _, analysis = shop.analysis()
    assert analysis.graph.longest_chain.hops == 2
    assert analysis.graph.breakers == ()


def test_the_longest_chain_uses_the_frameworks_default_latency_when_none_is_answered():
    shop = Shop("A", "B", "C", "D")
    shop.call("A", "B")
    shop.call("B", "C")
    shop.call("C", "D")
    facts, analysis = shop.analysis()
    estimate = analysis.longest
    settings = facts.framework.tail_latency
    assert estimate.assumed_latency
    assert estimate.per_hop_p50_ms == settings.default_p50_ms
    assert estimate.per_hop_p99_ms == settings.default_p50_ms * settings.default_p99_ratio
    assert estimate.tail == estimate_tail_latency(3, 50.0, 250.0)
    assert estimate.budget_ms is None and estimate.over_budget is None


def test_the_slowest_figures_answered_on_the_chain_and_its_tightest_budget_count():
    shop = Shop("A", "B", "C", "Elsewhere")
    shop.call("A", "B", answers={"per_hop_p50_ms": 80, "latency_budget_ms": 2000})
    shop.call("B", "C", answers={"per_hop_p50_ms": 40, "per_hop_p99_ms": 600,
                                 "latency_budget_ms": 900})  # fmt: skip
    # Not on the chain: its figures and its budget do not count.
    shop.call("Elsewhere", "A", Style.ASYNC,
              answers={"per_hop_p50_ms": 500, "latency_budget_ms": 10})  # fmt: skip
    _, analysis = shop.analysis()
    estimate = analysis.longest
    assert not estimate.assumed_latency
    assert (estimate.per_hop_p50_ms, estimate.per_hop_p99_ms) == (80, 600)
    assert estimate.tail == estimate_tail_latency(2, 80, 600)
    assert estimate.budget_ms == 900
    assert estimate.over_budget is (estimate.tail.p99_ms > 900)


def test_a_chain_over_its_budget_says_so():
    shop = Shop("A", "B", "C")
    shop.call("A", "B", answers={"per_hop_p99_ms": 400, "latency_budget_ms": 500})
    shop.call("B", "C")
    _, analysis = shop.analysis()
    # Only a p99 answered: the median follows from the framework's ratio.
    assert analysis.longest.per_hop_p50_ms == 80
    assert analysis.longest.tail.p99_ms > 500
    assert analysis.longest.over_budget is True


def test_a_system_without_synchronous_calls_has_no_longest_chain():
    shop = Shop("A", "B")
    shop.call("A", "B", Style.ASYNC)
    _, analysis = shop.analysis()
    assert analysis.graph.longest_chain is None
    assert analysis.longest is None


def test_an_interactions_computed_chain_depth_counts_itself_whatever_its_style():
    shop = Shop("Checkout", "Orders", "Inventory", "Warehouse")
    queued = shop.call("Checkout", "Orders", Style.ASYNC)
    shop.call("Orders", "Inventory")
    shop.call("Inventory", "Warehouse")
    facts, analysis = shop.analysis()
    depth = computed_chain_depth(facts, analysis, queued.pk)
    assert depth.hops == 3
    assert not depth.through_cycle
    assert path_services(facts, depth) == ("Checkout", "Orders", "Inventory", "Warehouse")


def test_a_synchronous_ring_is_a_cycle_and_depths_through_it_say_so():
    shop = Shop("A", "B", "C")
    into = shop.call("C", "A")
    shop.call("A", "B")
    shop.call("B", "A")
    facts, analysis = shop.analysis()
    (cycle,) = analysis.graph.cycles
    assert {facts.service(node).name for node in cycle.nodes} == {"A", "B"}
    depth = computed_chain_depth(facts, analysis, into.pk)
    assert (depth.hops, depth.through_cycle) == (2, True)


def test_the_analysis_reads_nothing_more_than_the_facts(django_assert_num_queries):
    shop = Shop(*(f"Service {number}" for number in range(12)))
    for number in range(11):
        shop.call(f"Service {number}", f"Service {number + 1}")
    facts = system_facts(shop.system)
    with django_assert_num_queries(0):
        analysis = analyse_system(facts)
        computed_chain_depth(facts, analysis, facts.interactions[0].id)
    assert analysis.longest.chain.hops == 11
