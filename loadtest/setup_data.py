"""The load test's data: teams of editors, each with one interaction of their own.

    DJANGO_SETTINGS_MODULE=advisor.settings python -m loadtest.setup_data --out accounts.json

Each team's owner invites its editors, who accept. Every team gets the demo's Storefront
system (its services and interactions, each answered with its demo scenario, as a team
part-way through its work would have it) and one accepted decision per interaction, so the
decision log has history. Each editor owns one interaction
and is the only one to answer it during the run, so simulated users never conflict on one
draft. Everything is made through the services, as people make it in the app; only the
accounts are inserted directly, all with one password hashed once (hashing is slow by
design, and 50 hashes would take most of a minute).

Writes the accounts, their interactions and team addresses as JSON for the locustfile.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sys
from pathlib import Path
from typing import Any

import django

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "fixtures" / "demo"


def _scenario_answers(scenario: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / f"{scenario}.json").read_text(encoding="utf-8"))["answers"]


def _record_accepted(interaction, author, lead) -> None:
    """One decision recorded from the draft as the record form pre-fills it, then accepted."""
    from advisor.models import Assessment
    from decisions import services as decision_services
    from decisions.models import Status

    draft = Assessment.objects.get(interaction=interaction)
    data = decision_services.decision_defaults(interaction=interaction, draft=draft)
    data.pop("preview"), data.pop("option_texts")
    decision = decision_services.decision_record(
        interaction=interaction, user=author, data=data, deciders=[author]
    )
    decision_services.decision_change_status(
        decision=decision, user=lead, status=Status.ACCEPTED, base_version=decision.version,
        note="Agreed at the architecture review.",
    )  # fmt: skip


def create_load_data(*, users: int, team_size: int, password: str) -> list[dict[str, Any]]:
    """Create the teams and accounts; return one entry per account."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password

    from advisor import services
    from advisor.demo import DEMO_INTERACTIONS, DEMO_SERVICES, DEMO_SYSTEM, interaction_answer
    from advisor.models import Membership, Role

    hashed = make_password(password)
    model = get_user_model()
    accounts = model.objects.bulk_create(
        model(username=f"load-user-{n:03d}", email=f"load-user-{n:03d}@example.com",
              first_name="Load", last_name=f"User {n}", password=hashed)
        for n in range(1, users + 1)
    )  # fmt: skip
    entries = []
    for start in range(0, users, team_size):
        number = start // team_size + 1
        members = accounts[start : start + team_size]
        lead = model.objects.create_user(f"load-lead-{number:02d}", password=None)
        team = services.team_create(name=f"Load Team {number}", owner=lead)
        owner = Membership.objects.get(team=team, user=lead)
        system = services.system_create(team=team, name=DEMO_SYSTEM[0],
                                        description=DEMO_SYSTEM[1])  # fmt: skip
        by_name = {name: services.service_create(system=system, name=name)
                   for name in DEMO_SERVICES}  # fmt: skip
        for index, member in enumerate(members):
            invitation = services.invitation_create(by=owner, login=member.username,
                                                    role=Role.EDITOR)  # fmt: skip
            services.invitation_accept(invitation=invitation, user=member)
            title, caller, receiver, about, scenario = DEMO_INTERACTIONS[
                index % len(DEMO_INTERACTIONS)
            ]
            if index >= len(DEMO_INTERACTIONS):
                title = f"{title} ({index // len(DEMO_INTERACTIONS) + 1})"
            interaction = services.interaction_create(
                system=system, source=by_name[caller], target=by_name[receiver], name=title,
                description=about, user=member,
            )  # fmt: skip
            interaction_answer(interaction, _scenario_answers(scenario), member)
            _record_accepted(interaction, member, lead)
            entries.append({"username": member.username, "interaction": interaction.pk,
                            "team": team.slug})  # fmt: skip
    return entries


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="where to write the accounts")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--team-size", type=int, default=10)
    options = parser.parse_args(argv)
    if options.users < 1 or options.team_size < 1:
        parser.error("--users and --team-size must be at least 1")
    django.setup()
    from django.db import transaction

    password = secrets.token_urlsafe(18)
    with transaction.atomic():
        accounts = create_load_data(
            users=options.users, team_size=options.team_size, password=password
        )
    options.out.write_text(json.dumps({"password": password, "accounts": accounts}, indent=1))
    teams = len({account["team"] for account in accounts})
    print(f"Load data: {len(accounts)} editors in {teams} teams, one interaction each.")


if __name__ == "__main__":
    sys.exit(main())
