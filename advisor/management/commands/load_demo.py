"""Load the demo team so a new user has something to explore. Safe to run again."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from advisor.models import Membership, Role, Team

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "crossroads-demo"

DEMO_TEAMS = [
    ("Checkout Squad", "checkout-squad", Role.OWNER),
    ("Platform Guild", "platform-guild", Role.EDITOR),
]


class Command(BaseCommand):
    help = "Create the demo login and its teams, leaving existing demo data as it is."

    @transaction.atomic
    def handle(self, *args, **options) -> None:
        user, created = get_user_model().objects.get_or_create(
            username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        for name, slug, role in DEMO_TEAMS:
            team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
            Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}  (http://127.0.0.1:8000/)"
            )
        )
