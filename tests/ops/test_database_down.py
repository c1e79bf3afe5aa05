"""The database goes away under a running gunicorn: stopped, then hung (SIGSTOP). The
health check says so at once, pages say so politely, and everything comes back by itself
when the database does, without restarting the app."""

from __future__ import annotations

import time

import pytest

from tests.ops.processes import WORKER_TIMEOUT

pytestmark = pytest.mark.ops

# The goal is 2 s; this bound only catches a health check that hangs.
HEALTH_HANG_GUARD = 5.0
RECOVERY_WITHIN = 20.0
UNREACHABLE = "cannot reach its database"


def _pages(team: dict) -> dict[str, str]:
    return {
        "team page": f"/t/{team['slug']}/",
        "decision log": f"/t/{team['slug']}/decisions/",
        "questionnaire": f"/interactions/{team['interaction']}/",
    }


def _warm_up(client, pages: dict[str, str]) -> None:
    """Every page answers, and both workers hold a connection to the database (the app
    keeps connections between requests), so the fault hits open connections too."""
    for _round in range(3):
        for name, path in pages.items():
            answer = client.get(path)
            assert answer.status == 200, f"{name} before the fault: {answer}"


def _check_health(client, figures, fault: str) -> None:
    times = []
    for _attempt in range(3):
        answer = client.get("/healthz", timeout=WORKER_TIMEOUT + 5)
        times.append(answer.elapsed)
        assert answer.status == 503, f"/healthz with the database {fault}: {answer}"
        assert answer.headers.get("content-type", "").startswith("application/json")
        assert answer.json().get("status") != "ok", answer.body
        assert answer.elapsed < HEALTH_HANG_GUARD, f"/healthz with the database {fault}: {answer}"
    figures(f"/healthz with the database {fault}: 503 in " + ", ".join(f"{t:.2f}" for t in times)
            + " s")  # fmt: skip


def _wait_for_recovery(client, pages: dict[str, str], since: float) -> float:
    """Seconds from `since` until every page and the health check answer 200 again."""
    last = {}
    while time.monotonic() - since < RECOVERY_WITHIN:
        last = {name: client.get(path, timeout=5) for name, path in pages.items()}
        last["/healthz"] = client.get("/healthz", timeout=5)
        if all(answer.status == 200 for answer in last.values()):
            return time.monotonic() - since
        time.sleep(0.25)
    summary = ", ".join(f"{name}: {answer}" for name, answer in last.items())
    pytest.fail(f"not recovered {RECOVERY_WITHIN:.0f} s after the database came back: {summary}")


def test_a_stopped_database_answers_503_and_the_app_recovers_without_a_restart(
    site, app_server, client, figures
):
    pages = _pages(site.teams["outage"])
    _warm_up(client, pages)

    site.cluster.stop("fast")
    _check_health(client, figures, "stopped")
    answers = {name: client.get(path, timeout=WORKER_TIMEOUT + 5) for name, path in pages.items()}
    figures("pages with the database stopped: "
            + ", ".join(f"{name} {answer}" for name, answer in answers.items()))  # fmt: skip
    for name, answer in answers.items():
        assert answer.status == 503, f"{name} with the database stopped: {answer}"
        assert UNREACHABLE in answer.body, f"{name}: the 503 page says {answer.body[:400]!r}"

    restarted = time.monotonic()
    site.cluster.start()
    recovered = _wait_for_recovery(client, pages, restarted)
    figures(f"every page 200 again {recovered:.2f} s after PostgreSQL started (no app restart)")
    assert app_server.process.poll() is None, "gunicorn itself went down"


def test_a_hung_database_answers_503_quickly_and_the_app_recovers(
    site, app_server, client, figures
):
    pages = _pages(site.teams["hang"])
    _warm_up(client, pages)

    site.cluster.freeze()
    try:
        _check_health(client, figures, "hung (SIGSTOP)")
        # One page at a time: two sync workers, and a page stuck on the database would keep
        # a worker from the next one until gunicorn ends it.
        answers = {
            name: client.get(path, timeout=WORKER_TIMEOUT + 5) for name, path in pages.items()
        }
    finally:
        resumed = time.monotonic()
        site.cluster.resume()
    figures("pages with the database hung: "
            + ", ".join(f"{name} {answer}" for name, answer in answers.items()))  # fmt: skip
    for name, answer in answers.items():
        if answer.status is None:
            # At worst gunicorn ends the stuck worker at its timeout and drops the request.
            assert answer.error.startswith("connection dropped"), f"{name} hung: {answer}"
            assert answer.elapsed < WORKER_TIMEOUT + 3, f"{name}: {answer}"
        else:
            assert answer.status == 503, f"{name} with the database hung: {answer}"
            assert UNREACHABLE in answer.body, f"{name}: the 503 page says {answer.body[:400]!r}"

    recovered = _wait_for_recovery(client, pages, resumed)
    figures(f"every page 200 again {recovered:.2f} s after SIGCONT")
    assert app_server.process.poll() is None, "gunicorn itself went down"
