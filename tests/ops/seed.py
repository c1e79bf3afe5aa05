"""The fault tests' database, prepared inside the app (run by `manage.py shell -c`, one
start of Django for all of it): migrated, then one user owning one team per scenario, each
team with a system, two services and interactions between them, so every scenario numbers
its decisions from ADR-0001 on its own. Recordings of one interaction wait for each other
(its answers are locked while one is recorded); those of different interactions meet only
at the team's numbering, which is what the scale-out test needs to reach."""

from __future__ import annotations

import json
import sys

USERNAME = "ops-owner"
PASSWORD = "ops-Crossroads-2025!"  # a throwaway database's only account


INTERACTIONS = {"scale": 8}


def seed(scenarios: list[str]) -> dict[str, dict]:
    from django.contrib.auth import get_user_model

    from advisor import services

    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    created = {}
    for scenario in scenarios:
        team = services.team_create(name=f"Ops {scenario}", owner=user)
        system = services.system_create(team=team, name="Payments")
        checkout = services.service_create(system=system, name="Checkout")
        ledger = services.service_create(system=system, name="Ledger")
        interactions = [
            services.interaction_create(
                system=system, source=checkout, target=ledger, name=f"Settle an order {n}",
                description="", user=user,
            ).pk
            for n in range(1, INTERACTIONS.get(scenario, 1) + 1)
        ]  # fmt: skip
        created[scenario] = {
            "team_id": team.pk, "slug": team.slug, "interactions": interactions,
            "interaction": interactions[0],
        }  # fmt: skip
    return created


def main(scenarios: str) -> None:
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    json.dump(seed(scenarios.split(",")), sys.stdout)
