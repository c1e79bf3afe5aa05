"""Long work done by the task worker (`manage.py db_worker`): whole-log exports."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from types import TracebackType

from django.db import DatabaseError, connection
from django.tasks import task

from decisions.exporting import FORMAT_LABELS, build_export
from decisions.services.exports import (
    export_job_beat,
    export_job_fail,
    export_job_finish,
    export_job_progress,
    export_job_start,
    exports_prune,
    stale_after,
)

logger = logging.getLogger(__name__)


class ExportSuperseded(Exception):
    """The export was queued again (its worker was taken for dead) while this attempt was
    still running: this attempt stops, and the newer one does the work."""


class ProgressWriter:
    """The progress callback of one attempt: writes `done` of `total` (and so the job's
    heartbeat) at most every `interval` seconds or every `every` decisions, whichever comes
    first, and always the first and the last call, so the page moves without a write per
    decision."""

    def __init__(
        self,
        job_id: int,
        attempt: int,
        *,
        interval: float = 0.5,
        every: int = 100,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.job_id = job_id
        self.attempt = attempt
        self.interval = interval
        self.every = every
        self.clock = clock
        self.done = 0
        self.total = 0
        self._written_at: float | None = None
        self._written_done = 0

    def __call__(self, done: int, total: int) -> None:
        self.done, self.total = done, total
        now = self.clock()
        due = (
            self._written_at is None
            or done >= total
            or now - self._written_at >= self.interval
            or done - self._written_done >= self.every
        )
        if not due:
            return
        self._written_at, self._written_done = now, done
        if not export_job_progress(
            job_id=self.job_id, attempt=self.attempt, done=done, total=total
        ):
            raise ExportSuperseded(f"Export job {self.job_id}, attempt {self.attempt}")


class Heartbeat:
    """Beats the job's heartbeat from a thread while the export runs, so a long step that
    reports no progress (laying out a whole-log PDF) is not taken for a dead worker."""

    def __init__(self, job_id: int, attempt: int, *, every: float | None = None) -> None:
        self.job_id = job_id
        self.attempt = attempt
        # Several beats fit in the time after which a silent export counts as lost.
        self.every = every if every is not None else stale_after().total_seconds() / 4
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="export-heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    if not export_job_beat(job_id=self.job_id, attempt=self.attempt):
                        return
                except DatabaseError:
                    # A missed beat is not worth stopping the export for; the next may land.
                    logger.warning("Export job %s: heartbeat not written", self.job_id)
        finally:
            # The thread's own connection, which nothing else would close.
            connection.close()


def _error_text(format: str, error: Exception) -> str:
    """What the person who asked for the export reads about its failure."""
    label = FORMAT_LABELS.get(format, format)
    if isinstance(error, NotImplementedError):
        return f"{label} exports are not available yet; choose another format."
    return (
        f"The {label} export could not be made: something went wrong while writing it. "
        "It has been logged; try again, or choose another format."
    )


@task()
def run_export_job(job_id: int, attempt: int) -> str:
    """Make the export `job_id` as its attempt number `attempt`, keeping the file on the
    job (or why it failed). An attempt that is no longer the job's current one does
    nothing, so running a task twice, or an old one late, changes nothing."""
    exports_prune()
    job = export_job_start(job_id=job_id, attempt=attempt)
    if job is None:
        logger.info("Export job %s: attempt %s is not current; nothing to do", job_id, attempt)
        return "skipped"
    progress = ProgressWriter(job_id, attempt)
    try:
        with Heartbeat(job_id, attempt):
            file = build_export(
                team=job.team, format=job.format, system=job.system_name, progress=progress
            )
    except ExportSuperseded:
        logger.info("Export job %s: attempt %s superseded by a newer one", job_id, attempt)
        return "superseded"
    except Exception as error:
        logger.exception("Export job %s (attempt %s) failed", job_id, attempt)
        export_job_fail(job_id=job_id, attempt=attempt, error=_error_text(job.format, error))
        return "failed"
    total = max(progress.total, progress.done)
    try:
        kept = export_job_finish(job_id=job_id, attempt=attempt, file=file, done=total, total=total)
    except DatabaseError as error:
        # Left running, the job would be retried until given up, failing the same way.
        logger.exception("Export job %s (attempt %s): file not kept", job_id, attempt)
        export_job_fail(job_id=job_id, attempt=attempt, error=_error_text(job.format, error))
        return "failed"
    return "done" if kept else "superseded"
