"""The export pages: start an export, watch it, download it."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from decisions import tasks
from decisions.exporting import ExportFile
from decisions.models import ExportJob
from decisions.tasks import run_export_job
from tests.factories import SystemFactory

pytestmark = pytest.mark.django_db

State = ExportJob.State
HTMX = {"HTTP_HX_REQUEST": "true"}


def make_job(team, user, **fields) -> ExportJob:
    fields.setdefault("format", "json")
    fields.setdefault("attempts", 1)
    return ExportJob.objects.create(team=team, requested_by=user, **fields)


def finished(team, user, **fields) -> ExportJob:
    now = timezone.now()
    values = {
        "state": State.DONE, "done": 12, "total": 12, "data": b"PK\x03\x04zip",
        "filename": "checkout-decisions-json-20250101.zip", "content_type": "application/zip",
        "size": 7, "finished_at": now, "expires_at": now + timedelta(hours=24),
    }  # fmt: skip
    return make_job(team, user, **{**values, **fields})


def exports_url(team) -> str:
    return reverse("decision_log_exports", args=[team.slug])


def job_url(job: ExportJob) -> str:
    return reverse("decision_log_export", args=[job.team.slug, job.pk])


def download_url(job: ExportJob) -> str:
    return reverse("decision_log_export_download", args=[job.team.slug, job.pk])


class TestExportsPage:
    def test_it_offers_the_formats_by_title_and_the_teams_systems(self, client, owner, team):
        SystemFactory(team=team, name="Shop")
        client.force_login(owner)

        response = client.get(exports_url(team))

        assert response.status_code == 200
        for title in ("MADR 4 (zip)", "adr-tools (zip)", "log4brains (zip)",
                      "Crossroads JSON (zip)", "Whole-log PDF"):  # fmt: skip
            assert f">{title}</option>" in response.text
        assert '<option value="Shop">Shop only</option>' in response.text
        assert "No exports yet." in response.text

    def test_it_lists_the_teams_ten_latest_exports_only(
        self, client, owner, team, other_team, outsider
    ):
        jobs = [make_job(team, owner, format="madr") for _ in range(12)]
        theirs = make_job(other_team, outsider)
        client.force_login(owner)

        response = client.get(exports_url(team))

        shown = [job for job in jobs if job_url(job) in response.text]
        assert shown == jobs[2:]
        assert job_url(theirs) not in response.text
        assert response.text.count("MADR 4 (zip)</a>") == 10

    def test_posting_starts_an_export_and_redirects_to_it(self, client, editor, team):
        SystemFactory(team=team, name="Shop")
        client.force_login(editor)

        response = client.post(exports_url(team), {"format": "log4brains", "system": "Shop"})

        job = ExportJob.objects.get()
        assert response.status_code == 302
        assert response["Location"] == job_url(job)
        assert (job.format, job.system_name, job.requested_by, job.state) == (
            "log4brains", "Shop", editor, State.QUEUED,
        )  # fmt: skip
        assert DBTaskResult.objects.filter(id=job.task_id).exists()

    def test_a_viewer_may_export_too(self, client, viewer, team):
        client.force_login(viewer)
        response = client.post(exports_url(team), {"format": "json"})
        assert response.status_code == 302
        assert ExportJob.objects.get().requested_by == viewer

    def test_an_unknown_format_shows_the_form_again_with_the_error(self, client, owner, team):
        client.force_login(owner)
        response = client.post(exports_url(team), {"format": "docx"})
        assert response.status_code == 422
        assert "Select a valid choice" in response.text
        assert not ExportJob.objects.exists()

    def test_it_answers_htmx_with_the_recent_exports_alone(self, client, owner, team):
        job = make_job(team, owner, state=State.RUNNING, done=3, total=9,
                       heartbeat_at=timezone.now())  # fmt: skip
        client.force_login(owner)

        response = client.get(exports_url(team), **HTMX)

        assert response.text.lstrip().startswith('<div id="recent-exports"')
        assert "<html" not in response.text
        assert job_url(job) in response.text
        assert "Exporting: 3 of 9" in response.text
        assert 'hx-trigger="every 2s"' in response.text
        assert "HX-Request" in response["Vary"]

    def test_the_list_stops_polling_once_no_export_runs(self, client, owner, team):
        finished(team, owner)
        client.force_login(owner)
        response = client.get(exports_url(team), **HTMX)
        assert "Ready" in response.text
        assert "hx-trigger" not in response.text

    def test_other_methods_are_not_allowed(self, client, owner, team):
        client.force_login(owner)
        assert client.put(exports_url(team)).status_code == 405
        assert client.delete(exports_url(team)).status_code == 405

    def test_anonymous_people_are_sent_to_log_in(self, client, team):
        response = client.get(exports_url(team))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_another_teams_exports_are_not_found(self, client, outsider, team):
        client.force_login(outsider)
        assert client.get(exports_url(team)).status_code == 404
        assert client.post(exports_url(team), {"format": "json"}).status_code == 404
        assert not ExportJob.objects.exists()

    def test_its_queries_do_not_grow_with_the_exports(
        self, client, owner, team, django_assert_num_queries
    ):
        SystemFactory(team=team, name="Shop")
        finished(team, owner)
        client.force_login(owner)
        client.get(exports_url(team))  # the session's first read is not the page's
        # Session, user, membership, system names (two), lost exports, exports, navigation.
        with django_assert_num_queries(8) as one:
            client.get(exports_url(team))
        for _ in range(9):
            finished(team, owner, system_name="Shop")
        with django_assert_num_queries(len(one.captured_queries)):
            response = client.get(exports_url(team))
        assert response.text.count("Ready</span>") == 10


class TestJobPage:
    def test_a_running_export_shows_its_progress_and_polls(self, client, owner, team):
        job = make_job(team, owner, state=State.RUNNING, done=120, total=500,
                       heartbeat_at=timezone.now())  # fmt: skip
        client.force_login(owner)

        response = client.get(job_url(job))

        assert response.status_code == 200
        assert "Exporting: 120 of 500 decisions" in response.text
        assert re.search(r'<progress [^>]*max="500" value="120"', response.text)
        assert f'hx-get="{job_url(job)}" hx-trigger="every 1s"' in response.text
        head = response.text.split("</head>")[0]
        assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in head

    def test_a_queued_export_waits_for_a_worker(self, client, owner, team):
        job = make_job(team, owner)
        client.force_login(owner)
        response = client.get(job_url(job))
        assert "Waiting to start" in response.text
        assert 'hx-trigger="every 1s"' in response.text

    def test_a_finished_export_offers_its_file_and_its_notes_and_stops_polling(
        self, client, owner, team
    ):
        job = finished(team, owner, summary="log4brains keeps one superseder of each record.")
        client.force_login(owner)

        response = client.get(job_url(job))

        assert "Ready" in response.text
        assert f'href="{download_url(job)}">Download checkout-decisions-json-20250101.zip' in (
            response.text
        )
        assert "log4brains keeps one superseder of each record." in response.text
        assert "hx-trigger" not in response.text
        assert 'http-equiv="refresh"' not in response.text

    def test_an_expired_export_says_to_export_again(self, client, owner, team):
        job = finished(team, owner, data=None, expires_at=timezone.now() - timedelta(hours=1))
        client.force_login(owner)
        response = client.get(job_url(job))
        assert "Expired: export again" in response.text
        assert download_url(job) not in response.text

    def test_a_failed_export_says_why(self, client, owner, team):
        stopped = "The export stopped three times; try again or export a smaller part."
        job = make_job(team, owner, state=State.FAILED, error=stopped)
        client.force_login(owner)
        response = client.get(job_url(job))
        assert "Failed" in response.text
        assert stopped in response.text

    def test_htmx_polling_gets_the_status_alone(self, client, owner, team):
        job = finished(team, owner)
        client.force_login(owner)
        response = client.get(job_url(job), **HTMX)
        assert response.text.lstrip().startswith('<section id="job-status"')
        assert "<html" not in response.text
        assert "Ready" in response.text

    def test_polling_an_export_whose_worker_died_queues_it_again(
        self, client, owner, team, monkeypatch
    ):
        job = make_job(team, owner, state=State.RUNNING, done=40, total=90,
                       heartbeat_at=timezone.now() - timedelta(minutes=10))  # fmt: skip
        client.force_login(owner)

        response = client.get(job_url(job), **HTMX)

        job.refresh_from_db()
        assert (job.state, job.attempts) == (State.QUEUED, 2)
        assert "attempt 2 of 3" in response.text
        queued = DBTaskResult.objects.get(id=job.task_id)
        assert queued.args_kwargs["kwargs"] == {"job_id": job.pk, "attempt": 2}

        # A worker picks the new attempt up, and the next poll shows the file.
        monkeypatch.setattr(
            tasks, "build_export",
            lambda **kwargs: ExportFile("log.zip", "application/zip", b"PK"),
        )  # fmt: skip
        run_export_job.call(**queued.args_kwargs["kwargs"])
        assert "Download log.zip" in client.get(job_url(job), **HTMX).text

    def test_posting_is_not_allowed(self, client, owner, team):
        job = make_job(team, owner)
        client.force_login(owner)
        assert client.post(job_url(job)).status_code == 405

    def test_anonymous_people_are_sent_to_log_in(self, client, owner, team):
        job = make_job(team, owner)
        response = client.get(job_url(job))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))

    def test_another_teams_export_is_not_found(self, client, owner, team, other_team, outsider):
        theirs = make_job(other_team, outsider)
        client.force_login(owner)
        # Neither under their team (not a member) nor under one's own.
        assert client.get(job_url(theirs)).status_code == 404
        own_team_url = reverse("decision_log_export", args=[team.slug, theirs.pk])
        assert client.get(own_team_url).status_code == 404

    @pytest.mark.parametrize("state", [State.RUNNING, State.DONE])
    def test_its_queries_are_fixed(self, client, owner, team, django_assert_num_queries, state):
        job = make_job(team, owner, state=state, done=1, total=2, heartbeat_at=timezone.now())
        for _ in range(5):
            make_job(team, owner, state=state, heartbeat_at=timezone.now())
        client.force_login(owner)
        client.get(job_url(job))
        # Session, user, membership, the team's lost exports, the job (and the navigation).
        with django_assert_num_queries(6):
            client.get(job_url(job))
        with django_assert_num_queries(5):
            client.get(job_url(job), **HTMX)


class TestDownload:
    def test_it_sends_the_file_as_an_attachment(self, client, viewer, team):
        job = finished(team, viewer)
        client.force_login(viewer)

        response = client.get(download_url(job))

        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == (
            'attachment; filename="checkout-decisions-json-20250101.zip"'
        )
        assert response.content == b"PK\x03\x04zip"

    @pytest.mark.parametrize(
        "fields",
        [{"data": None}, {"expires_at": timezone.now() - timedelta(minutes=1)}],
        ids=["file deleted", "past its time"],
    )
    def test_an_expired_file_is_gone(self, client, owner, team, fields):
        job = finished(team, owner, **fields)
        client.force_login(owner)
        response = client.get(download_url(job))
        assert response.status_code == 410
        assert "Expired: export again" in response.text

    def test_an_unfinished_export_has_no_file(self, client, owner, team):
        job = make_job(team, owner, state=State.RUNNING)
        client.force_login(owner)
        assert client.get(download_url(job)).status_code == 404

    def test_another_teams_file_is_not_found(self, client, owner, team, other_team, outsider):
        theirs = finished(other_team, outsider)
        client.force_login(owner)
        assert client.get(download_url(theirs)).status_code == 404
        own_team_url = reverse("decision_log_export_download", args=[team.slug, theirs.pk])
        assert client.get(own_team_url).status_code == 404

    def test_posting_is_not_allowed(self, client, owner, team):
        job = finished(team, owner)
        client.force_login(owner)
        assert client.post(download_url(job)).status_code == 405

    def test_anonymous_people_are_sent_to_log_in(self, client, owner, team):
        job = finished(team, owner)
        response = client.get(download_url(job))
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_the_decision_log_links_to_its_exports(client, viewer, team):
    client.force_login(viewer)
    response = client.get(reverse("decision_log", args=[team.slug]))
    assert f'href="{exports_url(team)}">Export the log…</a>' in response.text
