"""Whole-log exports made in the background: starting them, recording their progress,
starting again those whose worker died, and removing their files once they expire.

Every write a running export makes names the attempt it belongs to (`job.attempts` when
it was queued), and changes the job only while that attempt is still the current one. So
an export that was given up for lost and queued again cannot overwrite the newer run, and
a task that runs twice does its work once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.db.models import BooleanField, ExpressionWrapper, F, Q, QuerySet
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from advisor.models import Team
from decisions.exporting import FORMATS, ExportFile
from decisions.models import Decision, ExportJob

logger = logging.getLogger(__name__)

State = ExportJob.State

# After this many attempts have stopped without finishing, the export is given up: a log
# that kills its worker every time would otherwise be retried for ever.
MAX_ATTEMPTS = 3
GIVEN_UP = "The export stopped three times; try again or export a smaller part."


def keep_files_for() -> timedelta:
    """How long a finished export's file stays available (EXPORT_FILES_KEEP_HOURS)."""
    return timedelta(hours=getattr(settings, "EXPORT_FILES_KEEP_HOURS", 24))


def stale_after() -> timedelta:
    """How long a running export may go without a heartbeat before its worker is taken
    for dead (EXPORT_STALE_AFTER_SECONDS)."""
    return timedelta(seconds=getattr(settings, "EXPORT_STALE_AFTER_SECONDS", 120))


class InvalidExport(ValueError):
    """The format or the system asked for is not one this team can export."""


# Reads ------------------------------------------------------------------------------


def export_jobs_for_team(team: Team) -> QuerySet[ExportJob]:
    """The team's export jobs, newest first, without their files (which can be large) but
    knowing whether each still has one (`has_file`)."""
    return (
        ExportJob.objects.filter(team=team)
        .defer("data")
        .annotate(has_file=ExpressionWrapper(Q(data__isnull=False), output_field=BooleanField()))
        .order_by("-created_at", "-pk")
    )


def export_systems(team: Team) -> list[str]:
    """The system names a team can export on their own: its systems, and the names its
    decisions were recorded under (a system since renamed or removed keeps its decisions)."""
    names = set(team.systems.values_list("name", flat=True))
    names.update(
        Decision.objects.filter(team=team).values_list("system_name", flat=True).distinct()
    )
    names.discard("")
    return sorted(names, key=str.casefold)


def export_job_is_expired(job: ExportJob, *, now: datetime | None = None) -> bool:
    """Whether a finished export's file is gone (or past its time and about to go)."""
    if job.state != State.DONE:
        return False
    has_file = getattr(job, "has_file", None)
    if has_file is None:
        has_file = job.data is not None
    now = now or timezone.now()
    return not has_file or (job.expires_at is not None and job.expires_at <= now)


# Starting an export ----------------------------------------------------------------


def export_job_create(
    *, team: Team, user: AbstractBaseUser, format: str, system_name: str = ""
) -> ExportJob:
    """A new export of the team's log (one system's, when `system_name` is given), queued
    for a worker as its first attempt."""
    if format not in FORMATS:
        raise InvalidExport(f"Unknown export format {format!r}.")
    if system_name and system_name not in export_systems(team):
        raise InvalidExport(f"The team has no system named {system_name!r}.")
    with transaction.atomic():
        # The same export asked for again while one is under way is that one: a click
        # repeated, or a second member, does not queue the whole log twice.
        running = (
            ExportJob.objects.select_for_update()
            .filter(
                team=team,
                format=format,
                system_name=system_name,
                state__in=(ExportJob.State.QUEUED, ExportJob.State.RUNNING),
            )
            .defer("data")
            .first()
        )
        if running is not None:
            return running
        job = ExportJob.objects.create(
            team=team, requested_by=user, format=format, system_name=system_name, attempts=1
        )
        _enqueue(job.pk, 1)
    job.refresh_from_db()
    return job


def _enqueue(job_id: int, attempt: int) -> None:
    # Imported here: the task module imports this one for its writes.
    from decisions.tasks import run_export_job

    result = run_export_job.enqueue(job_id=job_id, attempt=attempt)
    # Only the attempt that is still current keeps its task id (a backend that runs the
    # task at once may already have moved the job on).
    ExportJob.objects.filter(pk=job_id, attempts=attempt).update(task_id=str(result.id))


# Writes a running export makes -----------------------------------------------------


def _current(job_id: int, attempt: int) -> QuerySet[ExportJob]:
    return ExportJob.objects.filter(pk=job_id, attempts=attempt, state=State.RUNNING)


def export_job_start(*, job_id: int, attempt: int) -> ExportJob | None:
    """Mark the queued job running for `attempt` and return it, or None when that attempt
    is no longer the job's current one (queued again since, finished, or already run)."""
    now = timezone.now()
    started = ExportJob.objects.filter(pk=job_id, attempts=attempt, state=State.QUEUED).update(
        state=State.RUNNING, done=0, total=0, heartbeat_at=now, error=""
    )
    if not started:
        return None
    return ExportJob.objects.select_related("team").defer("data").get(pk=job_id)


def export_job_progress(*, job_id: int, attempt: int, done: int, total: int) -> bool:
    """Record how far the export is, which also tells that its worker is alive. False when
    the attempt is no longer current, so its worker should stop."""
    return bool(
        _current(job_id, attempt).update(done=done, total=total, heartbeat_at=timezone.now())
    )


def export_job_beat(*, job_id: int, attempt: int) -> bool:
    """Tell that the export's worker is alive during a long step that reports no
    progress. False when the attempt is no longer current."""
    return bool(_current(job_id, attempt).update(heartbeat_at=timezone.now()))


def export_job_finish(
    *, job_id: int, attempt: int, file: ExportFile, done: int, total: int
) -> bool:
    """Keep the finished file until it expires. False (and nothing kept) when the attempt
    is no longer current."""
    now = timezone.now()
    return bool(
        _current(job_id, attempt).update(
            state=State.DONE,
            done=done,
            total=total,
            heartbeat_at=now,
            filename=file.filename,
            content_type=file.content_type,
            size=len(file.data),
            data=file.data,
            summary=file.summary,
            error="",
            finished_at=now,
            expires_at=now + keep_files_for(),
        )
    )


def export_job_fail(*, job_id: int, attempt: int, error: str) -> bool:
    """Mark the export failed with `error`, a sentence for the person who asked for it.
    False when the attempt is no longer current."""
    now = timezone.now()
    return bool(
        _current(job_id, attempt).update(
            state=State.FAILED, error=error, heartbeat_at=now, finished_at=now
        )
    )


# Housekeeping ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Candidate:
    pk: int
    state: str
    attempts: int
    task_id: str
    created_at: datetime


def exports_requeue_stale(*, team: Team | None = None, now: datetime | None = None) -> list[int]:
    """Queue again the exports whose worker died (the team's, or everyone's), and give up
    on those that have stopped `MAX_ATTEMPTS` times. Returns the ids of the jobs changed.

    A running export is lost when its heartbeat is older than `stale_after()`; a queued one
    when its task failed, finished without running it, vanished, or was claimed by a
    worker that has not started it since."""
    now = now or timezone.now()
    cutoff = now - stale_after()
    stale_running = Q(state=State.RUNNING) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True)
    )
    jobs = ExportJob.objects.filter(stale_running | Q(state=State.QUEUED))
    if team is not None:
        jobs = jobs.filter(team=team)
    candidates = [
        _Candidate(**row) for row in jobs.values("pk", "state", "attempts", "task_id", "created_at")
    ]
    lost_queued = _lost_queued([job for job in candidates if job.state == State.QUEUED], cutoff)
    changed = []
    for job in candidates:
        lost = job.state == State.RUNNING or job.pk in lost_queued
        if lost and _requeue(job, cutoff, now):
            changed.append(job.pk)
    return changed


def _lost_queued(queued: list[_Candidate], cutoff: datetime) -> set[int]:
    """The queued jobs whose task will never start them."""
    lost = {job.pk for job in queued if not job.task_id and job.created_at < cutoff}
    by_task = {job.task_id: job.pk for job in queued if job.task_id}
    if not by_task:
        return lost
    from decisions.tasks import run_export_job

    if isinstance(run_export_job.get_backend(), DatabaseBackend):
        # One query for every queued job, whatever their number.
        rows = DBTaskResult.objects.filter(id__in=list(by_task)).values_list(
            "id", "status", "started_at"
        )
        alive = {
            str(task_id)
            for task_id, status, started_at in rows
            if status == TaskResultStatus.READY
            or (status == TaskResultStatus.RUNNING and started_at and started_at >= cutoff)
        }
    else:
        # Other backends either run the task at once or cannot be asked: trust them.
        alive = set(by_task)
    return lost | {pk for task_id, pk in by_task.items() if task_id not in alive}


def _requeue(job: _Candidate, cutoff: datetime, now: datetime) -> bool:
    """Queue the lost job as its next attempt, or give up on it, unless someone else (a
    heartbeat, another page, the command) changed it since it was read."""
    unchanged = ExportJob.objects.filter(pk=job.pk, state=job.state, attempts=job.attempts)
    if job.state == State.RUNNING:
        unchanged = unchanged.filter(Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True))
    if job.attempts >= MAX_ATTEMPTS:
        given_up = unchanged.update(
            state=State.FAILED, error=GIVEN_UP, finished_at=now, heartbeat_at=None
        )
        if given_up:
            logger.warning("Export job %s given up after %s attempts", job.pk, job.attempts)
        return bool(given_up)
    attempt = job.attempts + 1
    with transaction.atomic():
        requeued = unchanged.update(
            state=State.QUEUED, attempts=F("attempts") + 1, done=0, heartbeat_at=None,
            task_id="",
        )  # fmt: skip
        if requeued:
            _enqueue(job.pk, attempt)
    if requeued:
        logger.warning("Export job %s lost its worker; queued as attempt %s", job.pk, attempt)
    return bool(requeued)


def exports_prune(*, now: datetime | None = None) -> int:
    """Delete the files of finished exports past their time (the jobs stay, to say the
    file expired). Returns how many files were deleted."""
    now = now or timezone.now()
    return ExportJob.objects.filter(
        state=State.DONE, expires_at__lte=now, data__isnull=False
    ).update(data=None)
