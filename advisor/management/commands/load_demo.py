"""Load the demo team so a new user has something to explore. Safe to run again."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from advisor import services
from advisor.engine import evaluate, parse_answers
from advisor.frameworks import get_framework
from advisor.models import Interaction, Membership, Role, Service, System, Team

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "crossroads-demo"

DEMO_TEAMS = [
    ("Checkout Squad", "checkout-squad", Role.OWNER),
    ("Platform Guild", "platform-guild", Role.EDITOR),
]

DEMO_SYSTEM = ("Storefront", "The shop's checkout path and what hangs off it.")
DEMO_SERVICES = ["Accounts", "Checkout", "E-mail", "Fraud", "Inventory", "Payments"]
# (name, caller, receiver, description, the demo scenario whose answers it starts with)
DEMO_INTERACTIONS = [
    ("Reserve the last item", "Checkout", "Inventory",
     "Two shoppers must never both get the last unit.", "reserve-last-item"),
    ("Score fraud risk", "Payments", "Fraud",
     "Payments needs a risk score before it authorises.", "fraud-scoring"),
    ("Send the welcome e-mail", "Accounts", "E-mail",
     "After sign-up, greet the new customer.", "signup-welcome-email"),
]  # fmt: skip
SCENARIOS = settings.BASE_DIR / "fixtures" / "demo"


class Command(BaseCommand):
    help = "Create the demo login, its teams and a demo system, leaving existing data as it is."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        # The guild's owner, so the demo user meets a team where they are only an editor.
        lead, _ = get_user_model().objects.get_or_create(
            username="guild-lead", defaults={"email": "guild-lead@example.com"}
        )
        teams = []
        for name, slug, role in DEMO_TEAMS:
            team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
            Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
            if role != Role.OWNER:
                Membership.objects.get_or_create(
                    team=team, user=lead, defaults={"role": Role.OWNER}
                )
            teams.append(team)
        self._load_system(teams[0], user)
        self.stdout.write(self.style.SUCCESS(f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}"))

    def _load_system(self, team: Team, user) -> None:
        name, description = DEMO_SYSTEM
        system, _ = System.objects.get_or_create(
            team=team, name=name, defaults={"description": description}
        )
        services_by_name = {
            service: Service.objects.get_or_create(system=system, name=service)[0]
            for service in DEMO_SERVICES
        }
        framework = get_framework()
        for title, caller, receiver, about, scenario in DEMO_INTERACTIONS:
            if Interaction.objects.filter(system=system, name=title).exists():
                continue
            interaction = services.interaction_create(
                system=system, source=services_by_name[caller],
                target=services_by_name[receiver], name=title, description=about, user=user,
            )  # fmt: skip
            raw = json.loads((SCENARIOS / f"{scenario}.json").read_text())["answers"]
            answers = parse_answers(framework, raw)
            services.assessment_save_draft(
                interaction_id=interaction.pk, user=user, answers=answers,
                result=evaluate(framework, answers), base_revision=0,
            )  # fmt: skip
