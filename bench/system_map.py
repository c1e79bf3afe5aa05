"""A large system's map and its analysis: 300 services and 1,000 interactions.

    python bench/system_map.py [--services 300] [--interactions 1000] [--turns 7]

The system is shaped like a real estate of services, not a random graph: services sit in
tiers (edges, front services, domain services, back-office, third parties) and mostly call
the tiers below them, a few call back up (which makes synchronous cycles), about half the
interactions are synchronous, a third are decided (accepted, proposed, a few against the
advice or stale) and the rest are drawn as their teams say they talk today. It is made in a
throwaway database with bulk inserts (one engine run per distinct answer set).

Rows:
- the analysis (longest synchronous chain with its tail estimate, cycles, hot spots, chain
  breakers) against reading the system's facts from the database: goal at most 100 ms;
- the map page (facts, analysis, the drawing, the page) on its first visit, when Graphviz
  lays the map out, and on later visits, when the drawing comes from the cache, both against
  the system's overview page: goal at most 1 s each;
- the review queue and the risk register pages, and the map's query count against the
  overview page's.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    Row,
    add_output_argument,
    alternate,
    django_setup,
    figure_at_most,
    median,
    report,
)

TIERS = (("Edge", 0.04), ("Front", 0.16), ("Domain", 0.45), ("Back office", 0.25),
         ("Partner", 0.10))  # fmt: skip
STYLES = ("sync",) * 11 + ("async",) * 6 + ("request_reply",) * 3
ANSWER_SETS = (
    {"dominant_constraint": "user_latency", "operation": "query", "caller_needs_result": "yes",
     "user_waiting": "yes", "duration": "under_100ms", "chain_depth": 3,
     "consistency": "immediate", "receiver_availability": "always", "latency_budget_ms": 400,
     "capabilities": ["timeouts_retries"]},
    {"dominant_constraint": "resilience", "operation": "event", "caller_needs_result": "no",
     "user_waiting": "no", "duration": "under_2s", "consistency": "eventual",
     "receiver_availability": "sometimes_down", "load": "spiky", "consumers": "several",
     "capabilities": ["tracing"]},
    {"dominant_constraint": "ops_simplicity", "operation": "command", "caller_needs_result": "yes",
     "user_waiting": "ack_ok", "duration": "longer", "consistency": "read_your_writes",
     "receiver_availability": "unreliable", "idempotency": "with_keys", "capabilities": []},
)  # fmt: skip


def build_system(team, user, services_wanted: int, interactions_wanted: int, seed: int):
    """The system, in bulk: services by tier, interactions mostly downwards, drafts, and
    decisions for about a third of them."""
    from advisor.engine import evaluate, parse_answers
    from advisor.frameworks import team_framework
    from advisor.models import Assessment, Interaction, Service, System
    from decisions.models import Decision, DecisionSequence, Status

    rng = random.Random(seed)
    system = System.objects.create(team=team, name="Estate", description="Benchmark estate.")
    tiers: list[list[Service]] = []
    made = 0
    for index, (label, share) in enumerate(TIERS):
        size = services_wanted - made if index == len(TIERS) - 1 else round(services_wanted * share)
        tier = [Service(system=system, name=f"{label} {number + 1}") for number in range(size)]
        tiers.append(Service.objects.bulk_create(tier))
        made += size
    pairs: set[tuple[int, int]] = set()
    interactions = []
    while len(interactions) < interactions_wanted:
        upper = rng.randrange(len(TIERS) - 1)
        lower = upper if rng.random() < 0.05 else rng.randrange(upper + 1, len(TIERS))
        source, target = rng.choice(tiers[upper]), rng.choice(tiers[lower])
        if rng.random() < 0.01:  # a call back up: these close synchronous cycles
            source, target = target, source
        if source.pk == target.pk or (source.pk, target.pk) in pairs:
            continue
        pairs.add((source.pk, target.pk))
        interactions.append(
            Interaction(system=system, source=source, target=target,
                        name=f"{source.name} calls {target.name}", style=rng.choice(STYLES))
        )  # fmt: skip
    interactions = Interaction.objects.bulk_create(interactions)
    framework = team_framework(team)
    results = []
    for raw in ANSWER_SETS:
        parsed = parse_answers(framework, raw)
        results.append((raw, evaluate(framework, parsed).as_dict()))
    drafts, decisions = [], []
    for number, interaction in enumerate(interactions, start=1):
        answers, result = results[number % len(results)]
        drafts.append(Assessment(
            interaction=interaction, framework_name=framework.name,
            framework_version=framework.version, answers=answers, result=result,
            created_by=user, updated_by=user,
        ))  # fmt: skip
        if number % 3 == 0:
            chosen = interaction.style or "sync"
            frozen = {**answers, "chain_depth": 2} if number % 30 == 0 else answers  # stale
            decisions.append(Decision(
                team=team, number=len(decisions) + 1, interaction=interaction,
                system_name=system.name, interaction_name=interaction.name,
                title=f"How {interaction.name}", chosen_option=chosen,
                recommended_option=result["recommendation"] or chosen,
                status=Status.ACCEPTED if number % 2 else Status.PROPOSED,
                framework_name=framework.name, framework_version=framework.version,
                answers=frozen, result=result, created_by=user,
            ))  # fmt: skip
    Assessment.objects.bulk_create(drafts)
    Decision.objects.bulk_create(decisions)
    DecisionSequence.objects.update_or_create(
        team=team, defaults={"last_number": len(decisions), "recorded": len(decisions)}
    )
    return system


def measure(services_wanted: int, interactions_wanted: int, turns: int) -> list[Row]:
    database = django_setup(pages=True)
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from advisor import services
    from advisor.models import System
    from advisor.system_map.analysis import analyse_system
    from advisor.system_map.facts import system_facts
    from tests.factories import UserFactory

    user = UserFactory(username=f"bench{time.time_ns()}")
    team = services.team_create(name=f"Estate {time.time_ns()}", owner=user)
    system = build_system(team, user, services_wanted, interactions_wanted, seed=11)
    system = System.objects.select_related("team").get(pk=system.pk)
    client = Client()
    client.force_login(user)

    def page(name: str, *, cold: bool = False):
        url = reverse(name, args=[system.pk])

        def get() -> None:
            if cold:
                caches["maps"].clear()
            response = client.get(url)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}")

        return get

    facts = system_facts(system)
    analysis = alternate(
        {"facts": lambda: system_facts(system), "analysis": lambda: analyse_system(facts)}, turns
    )
    pages = alternate(
        {
            "overview": page("system_detail"),
            "map, first draw": page("system_map", cold=True),
            "map": page("system_map"),
            "review": page("system_review"),
            "risks": page("system_risks"),
        },
        turns,
    )
    queries = {}
    for name in ("system_detail", "system_map"):
        with CaptureQueriesContext(connection) as captured:
            page(name)()
        queries[name] = len(captured.captured_queries)
    size = f"{services_wanted} services, {interactions_wanted:,} interactions"
    overview = median(pages["overview"])
    longest = analyse_system(facts).longest
    chain = f"longest synchronous chain {longest.chain.hops} hops" if longest else "no chain"
    return [
        Row(f"System analysis, {size}", median(analysis["analysis"]), "ms",
            median(analysis["facts"]), "reading the system's facts (4 queries)",
            figure_at_most(100, "ms"), database=database,
            note=f"System map rows: a tiered estate of {size} ({chain}); wall-clock medians "
                 f"of {turns} turns."),
        Row(f"System map page, first draw, {size}", median(pages["map, first draw"]), "ms",
            overview, "the system's overview page", figure_at_most(1000, "ms"),
            database=database),
        Row(f"System map page, drawn before, {size}", median(pages["map"]), "ms", overview,
            "the system's overview page", figure_at_most(1000, "ms"), database=database),
        Row(f"Review queue page, {size}", median(pages["review"]), "ms", overview,
            "the system's overview page", database=database),
        Row(f"Risk register page, {size}", median(pages["risks"]), "ms", overview,
            "the system's overview page", database=database),
        Row("System map page queries", queries["system_map"], "queries",
            queries["system_detail"], "the system's overview page", database=database),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--services", type=int, default=300)
    parser.add_argument("--interactions", type=int, default=1000)
    parser.add_argument("--turns", type=int, default=7)
    add_output_argument(parser)
    options = parser.parse_args()
    report(measure(options.services, options.interactions, options.turns), options)


if __name__ == "__main__":
    main()
