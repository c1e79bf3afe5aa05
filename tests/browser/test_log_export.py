"""A whole-log export in the browser: start it, watch it finish, download the file."""

from __future__ import annotations

import re
import threading
import zipfile

import pytest
from django.core.management import call_command
from django.db import connection
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)


class WorkerThread(threading.Thread):
    """The database task worker, as `manage.py db_worker` runs it, beside the live server
    (same process, so the same test database) until it has run one task."""

    def __init__(self) -> None:
        super().__init__(name="db-worker", daemon=True)
        self.worker = Worker(
            queue_names=["default"], interval=0.1, batch=False, backend_name="default",
            startup_delay=False, max_tasks=1, worker_id="browser-test",
            excluded_queue_names=[],
        )  # fmt: skip

    def run(self) -> None:
        try:
            self.worker.run()
        finally:
            connection.close()

    def stop(self) -> None:
        self.worker.running = False
        self.join(timeout=10)


def test_a_json_export_of_the_log_runs_in_the_background_and_downloads(page):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    worker = WorkerThread()
    try:
        log_in(page, "demo", "crossroads-demo")
        page.goto("/t/checkout-squad/decisions/")
        page.get_by_role("link", name="Export the log…").click()
        page.get_by_label("Format").select_option(label="Crossroads JSON (zip)")
        page.get_by_role("button", name="Start the export").click()

        expect(page).to_have_url(re.compile(r"/t/checkout-squad/decisions/exports/\d+/$"))
        status = page.locator("#job-status")
        expect(status).to_contain_text("Waiting to start")
        # Marks this page, so it shows whether the status changed in place (htmx polling)
        # rather than by loading the page again.
        page.evaluate("window.sameDocument = true")
        worker.start()
        expect(status).to_contain_text("Ready")
        assert page.evaluate("window.sameDocument === true")
        with page.expect_download() as download:
            status.get_by_role("link", name=re.compile("^Download ")).click()
    finally:
        if worker.is_alive():
            worker.stop()

    name = download.value.suggested_filename
    assert re.fullmatch(r"checkout-squad-decisions-json-\d{8}\.zip", name), name
    with zipfile.ZipFile(download.value.path()) as archive:
        assert archive.namelist()
