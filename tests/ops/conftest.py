"""Fault tests: the app under gunicorn against its own PostgreSQL, which the tests stop,
crash and freeze. They run in the PostgreSQL suite only (`make test-postgres`, or
`scripts/with-postgres.sh .venv/bin/pytest -m ops`), and print what they measured at the
end of the run."""

from __future__ import annotations

import json
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.ops import processes, seed
from tests.ops.cluster import Cluster, server_binaries
from tests.ops.web import WebClient

HERE = Path(__file__).resolve().parent
SCENARIOS = ["outage", "hang", "crash", "burst", "scale"]
FIGURES = pytest.StashKey[list]()


def pytest_configure(config) -> None:
    config.addinivalue_line(
        "markers", "ops: starts its own PostgreSQL and gunicorn and breaks them "
        "(PostgreSQL suite only; run alone with -m ops)",
    )  # fmt: skip
    config.stash[FIGURES] = []


def pytest_collection_modifyitems(config, items) -> None:
    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(
        reason="fault tests run in the PostgreSQL suite only (make test-postgres): they "
        "start and break a PostgreSQL server of their own"
    )
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:
    figures = config.stash.get(FIGURES, [])
    if figures:
        terminalreporter.section("fault tests: measured")
        for line in figures:
            terminalreporter.write_line(line)


@pytest.fixture
def figures(request):
    """Record a measured figure for the run's summary (and the test's own output)."""

    def record(text: str) -> None:
        print(text)
        request.config.stash[FIGURES].append(f"{request.node.name}: {text}")

    return record


@dataclass
class Site:
    cluster: Cluster
    teams: dict[str, dict]
    # Two servers of two sync workers on the one database; most tests use the first.
    servers: list[processes.Gunicorn]


def _prepare(cluster: Cluster, workdir: Path, servers: list[processes.Gunicorn]) -> Site:
    """Each step starts as soon as what it needs is there: static files need no database,
    and the servers boot while the database is migrated (nothing asks them a page before)."""
    environment = processes.production_environment(cluster.url, workdir / "static")
    with ThreadPoolExecutor(1) as pool:
        static = pool.submit(
            processes.manage,
            {**environment, "DJANGO_SETTINGS_MODULE": "tests.ops.static_settings"},
            "collectstatic", "--no-input", "-v0",
        )  # fmt: skip
        cluster.create()
        static.result()
    for _server in range(2):
        servers.append(processes.Gunicorn(environment, workdir))
    script = f"from tests.ops.seed import main; main({','.join(SCENARIOS)!r})"
    output = processes.manage(environment, "shell", "-v0", "-c", script)
    for server in servers:
        server.wait_until_serving()
    return Site(cluster, json.loads(output.strip().splitlines()[-1]), servers)


@pytest.fixture(scope="session")
def ops_site():
    """A migrated PostgreSQL of the tests' own, its scenarios' teams, and two gunicorn
    servers on it with production settings. All removed at the end whatever happens."""
    binaries = server_binaries()
    if binaries is None:
        pytest.fail("No PostgreSQL server binaries under /usr/lib/postgresql: the fault tests "
                    "need them (scripts/system-deps.sh installs them).")  # fmt: skip
    if not (processes.BIN / "gunicorn").exists():
        pytest.fail(f"gunicorn is not installed in {processes.BIN} (make install).")
    workdir = Path(tempfile.mkdtemp(prefix="crossroads-ops."))
    cluster = Cluster(binaries)
    servers: list[processes.Gunicorn] = []
    try:
        yield _prepare(cluster, workdir, servers)
    finally:
        processes.stop_all(servers)
        cluster.remove()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def _signed_in(ops_site) -> WebClient:
    client = WebClient(ops_site.servers[0].url)
    client.log_in(seed.USERNAME, seed.PASSWORD)
    return client


@pytest.fixture
def site(ops_site):
    """The site, left with its database running and answering whatever the test did, and
    with what the servers logged shown if the test fails."""
    yield ops_site
    ops_site.cluster.resume()
    if not ops_site.cluster.running():
        ops_site.cluster.start()
    for server in ops_site.servers:
        print(f"--- gunicorn on {server.url}:\n{server.log_tail()}")


@pytest.fixture
def app_server(site) -> processes.Gunicorn:
    return site.servers[0]


@pytest.fixture
def client(site, _signed_in) -> WebClient:
    """A browser signed in as the teams' owner, on the first server."""
    return _signed_in.copy()
