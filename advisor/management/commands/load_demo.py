"""Load the demo team so a new user has something to explore. Safe to run again."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from advisor.demo import DEMO_PASSWORD, DEMO_USERNAME, demo_load


class Command(BaseCommand):
    help = (
        "Create the demo login, its teams, a demo system and its decision log, leaving "
        "existing data as it is."
    )

    def handle(self, *args, **options) -> None:
        loaded = demo_load()
        if loaded.decisions_recorded:
            self.stdout.write(f"Recorded {loaded.decisions_recorded} demo decisions.")
        else:
            self.stdout.write(f"Demo decisions left as they are: {loaded.log_skipped_because}.")
        self.stdout.write(self.style.SUCCESS(f"Demo login: {DEMO_USERNAME} / {DEMO_PASSWORD}"))
