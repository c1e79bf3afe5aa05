"""Whole-log exports as background jobs: queueing, progress, failure, lost workers, expiry."""

from __future__ import annotations

import io
import json
import logging
import signal
import threading
import zipfile
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import DataError
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from decisions import tasks
from decisions.exporting import FORMATS, ExportFile
from decisions.models import ExportJob
from decisions.services.exports import (
    GIVEN_UP,
    InvalidExport,
    export_job_create,
    exports_prune,
    exports_requeue_stale,
)
from decisions.tasks import ProgressWriter, run_export_job
from tests.factories import SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db

State = ExportJob.State
LONG_AGO = timedelta(minutes=10)


def make_job(team, user, **fields) -> ExportJob:
    fields.setdefault("format", "json")
    fields.setdefault("attempts", 1)
    return ExportJob.objects.create(team=team, requested_by=user, **fields)


def task_results_for(job: ExportJob) -> list[DBTaskResult]:
    """The tasks queued for the job, oldest first."""
    return [
        result
        for result in DBTaskResult.objects.order_by("enqueued_at")
        if result.args_kwargs["kwargs"].get("job_id") == job.pk
    ]


class FakeExport:
    """Stands in for `build_export`: reports progress over `total` decisions, then returns
    a small file; `seen` keeps what the job looked like in the database at each step."""

    def __init__(self, total: int = 3, notes: tuple[str, ...] = ()) -> None:
        self.total = total
        self.notes = notes
        self.calls = 0
        self.seen: list[tuple[int, int]] = []

    def __call__(self, *, team, format, system="", progress):
        self.calls += 1
        for done in range(self.total + 1):
            progress(done, self.total)
            job = ExportJob.objects.get(team=team, state=State.RUNNING)
            self.seen.append((job.done, job.total))
        return ExportFile(f"{team.slug}-decisions.zip", "application/zip", b"PK-bytes", self.notes)


@pytest.fixture
def fake_export(monkeypatch) -> FakeExport:
    fake = FakeExport(notes=("log4brains keeps one superseder.",))
    monkeypatch.setattr(tasks, "build_export", fake)
    return fake


class TestCreating:
    def test_a_new_export_is_queued_for_the_worker_as_its_first_attempt(self, team, owner):
        job = export_job_create(team=team, user=owner, format="json")

        assert (job.state, job.attempts) == (State.QUEUED, 1)
        [queued] = task_results_for(job)
        assert queued.task_path == "decisions.tasks.run_export_job"
        assert queued.status == TaskResultStatus.READY
        assert queued.args_kwargs["kwargs"] == {"job_id": job.pk, "attempt": 1}
        assert job.task_id == str(queued.id)

    def test_one_systems_decisions_can_be_exported(self, team, owner):
        SystemFactory(team=team, name="Shop")
        job = export_job_create(team=team, user=owner, format="madr", system_name="Shop")
        assert job.system_name == "Shop"

    @pytest.mark.parametrize(
        "fields", [{"format": "docx"}, {"format": "json", "system_name": "Nowhere"}]
    )
    def test_an_unknown_format_or_system_is_refused(self, team, owner, fields):
        with pytest.raises(InvalidExport):
            export_job_create(team=team, user=owner, **fields)
        assert not ExportJob.objects.exists()


class TestRunning:
    def test_the_file_and_its_details_are_kept_until_they_expire(
        self, team, owner, fake_export, settings
    ):
        settings.EXPORT_FILES_KEEP_HOURS = 2
        job = make_job(team, owner)

        assert run_export_job.call(job_id=job.pk, attempt=1) == "done"

        job.refresh_from_db()
        assert job.state == State.DONE
        assert bytes(job.data) == b"PK-bytes"
        assert (job.filename, job.content_type, job.size) == (
            "checkout-decisions.zip", "application/zip", 8,
        )  # fmt: skip
        assert job.summary == "log4brains keeps one superseder."
        assert (job.done, job.total) == (3, 3)
        assert job.expires_at - job.finished_at == timedelta(hours=2)

    def test_progress_is_written_as_the_export_goes(self, team, owner, fake_export):
        job = make_job(team, owner)
        run_export_job.call(job_id=job.pk, attempt=1)
        # The first and the last step are always written; the job beats as it goes.
        assert fake_export.seen[0] == (0, 3)
        assert fake_export.seen[-1] == (3, 3)
        job.refresh_from_db()
        assert job.heartbeat_at is not None

    def test_an_attempt_that_is_no_longer_current_does_nothing(self, team, owner, fake_export):
        job = make_job(team, owner, attempts=2)

        assert run_export_job.call(job_id=job.pk, attempt=1) == "skipped"

        job.refresh_from_db()
        assert fake_export.calls == 0
        assert (job.state, job.data) == (State.QUEUED, None)

    def test_running_the_same_attempt_twice_makes_the_file_once(self, team, owner, fake_export):
        job = make_job(team, owner)
        run_export_job.call(job_id=job.pk, attempt=1)
        assert run_export_job.call(job_id=job.pk, attempt=1) == "skipped"
        assert fake_export.calls == 1

    def test_a_failed_export_says_so_in_words_and_logs_the_traceback(
        self, team, owner, monkeypatch, caplog
    ):
        def broken(**kwargs):
            raise RuntimeError("disk full at /var/tmp/x")

        monkeypatch.setattr(tasks, "build_export", broken)
        job = make_job(team, owner)

        with caplog.at_level(logging.ERROR, logger="decisions.tasks"):
            assert run_export_job.call(job_id=job.pk, attempt=1) == "failed"

        job.refresh_from_db()
        assert job.state == State.FAILED
        assert job.error.startswith("The Crossroads JSON (zip) export could not be made")
        assert "/var/tmp" not in job.error
        [record] = [r for r in caplog.records if r.name == "decisions.tasks"]
        assert record.exc_info[1].args == ("disk full at /var/tmp/x",)

    def test_a_file_the_database_refuses_fails_the_export_instead_of_retrying_it(
        self, team, owner, fake_export, monkeypatch
    ):
        def refused(**kwargs):
            raise DataError("value too long")

        monkeypatch.setattr(tasks, "export_job_finish", refused)
        job = make_job(team, owner)

        assert run_export_job.call(job_id=job.pk, attempt=1) == "failed"

        job.refresh_from_db()
        assert job.state == State.FAILED
        assert "could not be made" in job.error

    def test_an_attempt_queued_again_while_it_runs_stops_without_keeping_its_file(
        self, team, owner, monkeypatch
    ):
        def overtaken(*, team, format, system, progress):
            progress(0, 2)
            # Meanwhile the job was taken for lost and queued again as attempt 2.
            ExportJob.objects.filter(team=team).update(state=State.QUEUED, attempts=2)
            progress(2, 2)
            raise AssertionError("the superseded attempt should have stopped")

        monkeypatch.setattr(tasks, "build_export", overtaken)
        job = make_job(team, owner)

        assert run_export_job.call(job_id=job.pk, attempt=1) == "superseded"

        job.refresh_from_db()
        assert (job.state, job.attempts, job.data, job.error) == (State.QUEUED, 2, None, "")


class TestProgressWriter:
    def test_it_writes_at_most_every_half_second_or_hundred_decisions_and_always_the_last(
        self, team, owner
    ):
        job = make_job(team, owner, state=State.RUNNING)
        now = [0.0]
        write = ProgressWriter(job.pk, 1, clock=lambda: now[0])

        def written() -> tuple[int, int]:
            job.refresh_from_db()
            return job.done, job.total

        write(0, 500)
        assert written() == (0, 500)  # the first call
        now[0] = 0.1
        write(10, 500)
        assert written() == (0, 500)  # too soon
        write(100, 500)
        assert written() == (100, 500)  # a hundred decisions on
        now[0] = 0.7
        write(120, 500)
        assert written() == (120, 500)  # half a second on
        write(500, 500)
        assert written() == (500, 500)  # the last, however soon


@pytest.mark.django_db(transaction=True)
def test_a_long_step_without_progress_still_beats_the_heartbeat(team, owner, monkeypatch):
    job = make_job(team, owner, state=State.RUNNING, heartbeat_at=timezone.now() - LONG_AGO)
    beaten = threading.Event()

    def beat(**kwargs) -> bool:
        alive = real_beat(**kwargs)
        beaten.set()
        return alive

    real_beat = tasks.export_job_beat
    monkeypatch.setattr(tasks, "export_job_beat", beat)
    with tasks.Heartbeat(job.pk, 1, every=0.01):
        assert beaten.wait(timeout=10)

    job.refresh_from_db()
    assert job.heartbeat_at > timezone.now() - timedelta(minutes=1)


class TestRequeue:
    def test_a_running_export_whose_heartbeat_stopped_is_queued_again(self, team, owner):
        job = make_job(
            team, owner, state=State.RUNNING, done=40, total=90,
            heartbeat_at=timezone.now() - LONG_AGO,
        )  # fmt: skip

        assert exports_requeue_stale() == [job.pk]

        job.refresh_from_db()
        assert (job.state, job.attempts, job.done) == (State.QUEUED, 2, 0)
        [queued] = task_results_for(job)
        assert queued.args_kwargs["kwargs"] == {"job_id": job.pk, "attempt": 2}
        assert job.task_id == str(queued.id)

    def test_a_running_export_with_a_recent_heartbeat_is_left_alone(self, team, owner):
        make_job(team, owner, state=State.RUNNING, heartbeat_at=timezone.now())
        assert exports_requeue_stale() == []

    def test_the_time_without_a_heartbeat_comes_from_the_settings(self, team, owner, settings):
        settings.EXPORT_STALE_AFTER_SECONDS = 30
        job = make_job(
            team, owner, state=State.RUNNING, heartbeat_at=timezone.now() - timedelta(seconds=60)
        )
        assert exports_requeue_stale() == [job.pk]

    def test_an_export_that_stopped_three_times_fails_with_a_message(self, team, owner):
        job = make_job(
            team, owner, state=State.RUNNING, attempts=3, heartbeat_at=timezone.now() - LONG_AGO
        )

        assert exports_requeue_stale() == [job.pk]

        job.refresh_from_db()
        assert (job.state, job.error) == (State.FAILED, GIVEN_UP)
        assert GIVEN_UP == "The export stopped three times; try again or export a smaller part."
        assert task_results_for(job) == []

    def test_a_queued_export_waiting_for_a_worker_is_left_alone(self, team, owner):
        export_job_create(team=team, user=owner, format="json")
        assert exports_requeue_stale() == []

    @pytest.mark.parametrize("fate", ["failed", "vanished", "claimed by a dead worker"])
    def test_a_queued_export_whose_task_will_never_run_it_is_queued_again(self, team, owner, fate):
        job = export_job_create(team=team, user=owner, format="json")
        task = DBTaskResult.objects.get(id=job.task_id)
        if fate == "failed":
            task.set_failed(RuntimeError("worker crashed"))
        elif fate == "vanished":
            task.delete()
        else:
            task.claim("worker-1")
            DBTaskResult.objects.filter(id=task.id).update(started_at=timezone.now() - LONG_AGO)

        assert exports_requeue_stale() == [job.pk]

        job.refresh_from_db()
        assert (job.state, job.attempts) == (State.QUEUED, 2)
        assert task_results_for(job)[-1].args_kwargs["kwargs"]["attempt"] == 2

    def test_a_queued_export_just_claimed_by_a_worker_is_left_alone(self, team, owner):
        job = export_job_create(team=team, user=owner, format="json")
        DBTaskResult.objects.get(id=job.task_id).claim("worker-1")
        assert exports_requeue_stale() == []

    def test_asked_for_one_team_it_leaves_other_teams_exports(
        self, team, owner, other_team, outsider
    ):
        theirs = make_job(
            other_team, outsider, state=State.RUNNING, heartbeat_at=timezone.now() - LONG_AGO
        )
        assert exports_requeue_stale(team=team) == []
        assert exports_requeue_stale(team=other_team) == [theirs.pk]

    def test_after_its_worker_died_the_old_attempt_does_nothing_and_the_new_one_finishes(
        self, team, owner, fake_export
    ):
        job = make_job(team, owner, state=State.RUNNING, heartbeat_at=timezone.now() - LONG_AGO)
        exports_requeue_stale()

        # The dead worker's task, run late elsewhere, finds its attempt superseded.
        assert run_export_job.call(job_id=job.pk, attempt=1) == "skipped"
        assert run_export_job.call(job_id=job.pk, attempt=2) == "done"

        job.refresh_from_db()
        assert (job.state, job.attempts, fake_export.calls) == (State.DONE, 2, 1)


class TestExpiry:
    def test_expired_files_are_deleted_and_fresh_ones_kept(self, team, owner):
        now = timezone.now()
        expired = make_job(team, owner, state=State.DONE, data=b"old", expires_at=now)
        fresh = make_job(
            team, owner, state=State.DONE, data=b"new", expires_at=now + timedelta(hours=1)
        )

        assert exports_prune(now=now) == 1

        expired.refresh_from_db()
        fresh.refresh_from_db()
        assert expired.data is None
        assert expired.state == State.DONE  # the job stays, to say its file expired
        assert bytes(fresh.data) == b"new"

    def test_every_export_run_first_deletes_the_expired_files(self, team, owner, fake_export):
        expired = make_job(
            team, owner, state=State.DONE, data=b"old", expires_at=timezone.now() - LONG_AGO
        )
        job = make_job(team, owner)

        run_export_job.call(job_id=job.pk, attempt=1)

        expired.refresh_from_db()
        assert expired.data is None


def test_the_housekeeping_command_requeues_stalled_exports_and_deletes_expired_files(team, owner):
    stalled = make_job(team, owner, state=State.RUNNING, heartbeat_at=timezone.now() - LONG_AGO)
    expired = make_job(
        team, owner, state=State.DONE, data=b"old", expires_at=timezone.now() - LONG_AGO
    )
    out = io.StringIO()

    call_command("requeue_stale_exports", stdout=out)

    stalled.refresh_from_db()
    expired.refresh_from_db()
    assert (stalled.state, stalled.attempts) == (State.QUEUED, 2)
    assert expired.data is None
    assert out.getvalue().strip() == (
        "1 stalled export queued again or given up; 1 expired file deleted."
    )


def _record_two_decisions(team, owner) -> None:
    system = SystemFactory(team=team, name="Shop")
    for name in ("Reserve stock", "Charge the card"):
        record_decision(
            make_interaction(system=system, user=owner, name=name), user=owner, title=name
        )


@pytest.mark.parametrize("format", FORMATS)
def test_each_format_is_exported_through_a_job(team, owner, format):
    _record_two_decisions(team, owner)
    job = export_job_create(team=team, user=owner, format=format)

    assert run_export_job.call(job_id=job.pk, attempt=1) == "done"

    job.refresh_from_db()
    assert (job.state, job.done, job.total, job.error) == (State.DONE, 2, 2, "")
    assert job.filename.startswith(f"checkout-decisions-{format}-")
    assert job.size == len(job.data) > 0
    expected_start = b"%PDF-" if format == "pdf" else b"PK"
    assert bytes(job.data).startswith(expected_start)


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_a_queued_export(team, owner):
    _record_two_decisions(team, owner)
    job = export_job_create(team=team, user=owner, format="json")
    handlers = {
        sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)
    }
    try:
        call_command("db_worker", "--batch", "--no-startup-delay", stdout=io.StringIO())
    finally:
        # The worker takes over the process's signals; give them back to pytest.
        for sig, handler in handlers.items():
            signal.signal(sig, handler)

    job.refresh_from_db()
    assert job.state == State.DONE
    assert DBTaskResult.objects.get(id=job.task_id).status == TaskResultStatus.SUCCESSFUL
    with zipfile.ZipFile(io.BytesIO(bytes(job.data))) as archive:
        texts = [archive.read(name).decode() for name in archive.namelist()]
    assert any("Charge the card" in text for text in texts)
    assert all(json.loads(text) for text in texts if text.lstrip().startswith("{"))


def test_the_same_export_asked_again_while_queued_is_the_same_job(team, owner, viewer):
    first = export_job_create(team=team, user=owner, format="madr")
    again = export_job_create(team=team, user=viewer, format="madr")
    other = export_job_create(team=team, user=owner, format="adr-tools")
    assert again.pk == first.pk and other.pk != first.pk
    assert ExportJob.objects.filter(team=team).count() == 2
