"""Export housekeeping, for cron or a systemd timer: start again the exports whose worker
died, and delete the files of those that expired."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from decisions.services.exports import exports_prune, exports_requeue_stale


class Command(BaseCommand):
    help = (
        "Queue again the whole-log exports whose worker stopped (giving up after three "
        "attempts), and delete the files of finished exports past their time."
    )

    def handle(self, *args, **options) -> None:
        pruned = exports_prune()
        changed = exports_requeue_stale()
        self.stdout.write(
            f"{len(changed)} stalled export{'s' if len(changed) != 1 else ''} queued again "
            f"or given up; {pruned} expired file{'s' if pruned != 1 else ''} deleted."
        )
