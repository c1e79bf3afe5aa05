"""The app as production runs it: `manage.py` commands and gunicorn servers (sync workers)
with DEBUG off, pointed at the fault tests' own PostgreSQL."""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from pathlib import Path

from tests.ops.web import WebClient

PROJECT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
# gunicorn ends a worker stuck this long on one request (its default is 30 s): long enough
# for a worker to boot on a busy machine, short enough to bound a request stuck on a hung
# database within the test's time.
WORKER_TIMEOUT = 20


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_environment(database_url: str, static_root: Path) -> dict[str, str]:
    """The environment a production server gets: its own settings, never the suite's."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("DJANGO_", "DATABASE_", "PYTEST", "DB_"))
    }
    environment.update(
        DJANGO_SETTINGS_MODULE="advisor.settings",
        DATABASE_URL=database_url,
        SECRET_KEY=secrets.token_urlsafe(40),
        DEBUG="false",
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="false",
        STATIC_ROOT=str(static_root),
        LOG_LEVEL="WARNING",
        PYTHONUNBUFFERED="1",
    )
    return environment


def manage(environment: dict[str, str], *args: str) -> str:
    """Run a management command; its output, or an error that shows what it printed."""
    result = subprocess.run(
        [str(BIN / "python"), "manage.py", *args],
        cwd=PROJECT, env=environment, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return result.stdout


class Gunicorn:
    """`gunicorn advisor.wsgi` with `workers` sync workers on a free port, started at once;
    `wait_until_serving` waits for its health check."""

    def __init__(self, environment: dict[str, str], log_dir: Path, workers: int = 2) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log_dir / f"gunicorn-{self.port}.log"
        command = [
            str(BIN / "gunicorn"), "advisor.wsgi", "-w", str(workers), "-k", "sync",
            "-b", f"127.0.0.1:{self.port}", "--timeout", str(WORKER_TIMEOUT),
            "--graceful-timeout", "2", "--error-logfile", "-",
            # Not the one control socket every gunicorn on the machine would share.
            "--no-control-socket",
        ]  # fmt: skip
        with self.log.open("wb") as log:
            self.process = subprocess.Popen(
                command, cwd=PROJECT, env=environment, stdout=log, stderr=subprocess.STDOUT
            )

    def wait_until_serving(self, within: float = 60) -> None:
        deadline = time.monotonic() + within
        probe = WebClient(self.url)
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited:\n{self.log_tail()}")
            if probe.get("/healthz", timeout=5).status == 200:
                return
            time.sleep(0.2)
        raise RuntimeError(
            f"gunicorn did not answer /healthz within {within} s:\n{self.log_tail()}"
        )

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"


def stop_all(servers: list[Gunicorn]) -> None:
    """Stop the servers together (each finishes its requests first, briefly)."""
    running = [server.process for server in servers if server.process.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
