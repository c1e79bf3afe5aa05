"""Live re-scoring benchmark: the questionnaire's htmx re-score against /healthz.

    python bench/rescore.py [--requests 300]

Starts gunicorn (one sync worker, production settings) on a throwaway SQLite database,
logs in as a generated editor, then times the htmx re-score POST and GET /healthz
alternately over one keep-alive connection, and reports medians and their ratio. It also
counts the database queries of one re-score with Django's test client. Goal: the re-score
median at most 3x /healthz, and at most 3 queries. Prints figures only.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

ANSWERS = {  # the shared fraud-scoring scenario, as the form posts it
    "dominant_constraint": "resilience", "operation": "query", "caller_needs_result": "yes",
    "user_waiting": "yes", "duration": "under_2s", "chain_depth": "3",
    "consistency": "read_your_writes", "idempotency": "natural",
    "latency_sensitivity": "moderate", "receiver_availability": "sometimes_down",
    "load": "spiky", "drop_policy": "caller_retries", "temporal_decoupling": "required",
    "consumers": "one", "broker_experience": "strong",
    "capabilities": ["timeouts_retries", "queue_depth_alerts", "tracing", "idempotency_keys"],
}  # fmt: skip


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def environment(database: Path) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{database}",
        "DEBUG": "false",
        "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "advisor.settings",
        "STATIC_ROOT": str(database.parent / "static"),
    }


def prepare(env: dict) -> int:
    """Migrate and create an editor, a system and an interaction; return the interaction id."""
    for command in (["migrate", "-v0"], ["collectstatic", "--no-input", "-v0"]):
        subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True)
    script = (
        "from django.contrib.auth import get_user_model\n"
        "from advisor import services\n"
        "from advisor.models import Role, Membership\n"
        "user = get_user_model().objects.create_user('bench', password='bench-password-1')\n"
        "team = services.team_create(name='Bench', owner=user)\n"
        "system = services.system_create(team=team, name='Shop')\n"
        "a = services.service_create(system=system, name='Payments')\n"
        "b = services.service_create(system=system, name='Fraud')\n"
        "i = services.interaction_create(system=system, source=a, target=b, name='Score',"
        " description='', user=user)\n"
        "print(i.pk)\n"
    )
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=env, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return int(done.stdout.strip().splitlines()[-1])


class Client:
    def __init__(self, port: int) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: str | None = None, headers=None):
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        data = response.read().decode()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data


def log_in(client: Client) -> None:
    status, page = client.request("GET", "/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    status, _ = client.request(
        "POST", "/login/",
        urlencode({"csrfmiddlewaretoken": token, "username": "bench",
                   "password": "bench-password-1"}),
        {"Referer": "http://127.0.0.1/login/"},
    )  # fmt: skip
    if status != 302:
        raise SystemExit(f"login failed with HTTP {status}")


def time_requests(client: Client, interaction: int, count: int):
    healthz, rescore = [], []
    path = f"/interactions/{interaction}/"
    base = re.search(r'id="id_base" value="([^"]+)"', client.request("GET", path)[1]).group(1)
    headers = {"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"],
               "Referer": "http://127.0.0.1/"}  # fmt: skip
    for index in range(count + 20):
        start = time.perf_counter()
        status, _ = client.request("GET", "/healthz")
        health_time = time.perf_counter() - start
        assert status == 200, status
        body = urlencode({**ANSWERS, "base": base}, doseq=True)
        start = time.perf_counter()
        status, page = client.request("POST", path, body, headers)
        score_time = time.perf_counter() - start
        assert status == 200, (status, page[:300])
        base = re.search(r'id="id_base" value="([^"]+)"', page).group(1)
        if index >= 20:  # warm-up requests are not counted
            healthz.append(health_time * 1000)
            rescore.append(score_time * 1000)
    return healthz, rescore


def count_queries(env: dict, interaction: int) -> int:
    os.environ.update(env)
    import django

    django.setup()
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    from advisor.models import Assessment

    client = DjangoClient(SERVER_NAME="127.0.0.1")
    client.login(username="bench", password="bench-password-1")
    from advisor.questionnaire import base_token

    draft = Assessment.objects.get(interaction_id=interaction)
    base = base_token(interaction, draft.revision, draft.answers)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            f"/interactions/{interaction}/",
            {**ANSWERS, "base": base}, headers={"HX-Request": "true"},
        )  # fmt: skip
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        env = environment(Path(directory) / "bench.sqlite3")
        interaction = prepare(env)
        port = free_port()
        server = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "advisor.wsgi", "--workers", "1",
             "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
            cwd=ROOT, env=env,
        )  # fmt: skip
        try:
            for _ in range(100):
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                    break
                except OSError:
                    time.sleep(0.1)
            client = Client(port)
            log_in(client)
            healthz, rescore = time_requests(client, interaction, options.requests)
        finally:
            server.terminate()
            server.wait(timeout=10)
        queries = count_queries(env, interaction)

    health_median, score_median = statistics.median(healthz), statistics.median(rescore)
    print(f"requests each:         {options.requests} (gunicorn, 1 sync worker, SQLite)")
    print(f"GET /healthz median:   {health_median:.2f} ms")
    p95 = sorted(rescore)[int(len(rescore) * 0.95)]
    print(f"re-score median:       {score_median:.2f} ms  (p95 {p95:.2f} ms)")
    print(f"ratio:                 {score_median / health_median:.2f}x  (goal <= 3x)")
    print(f"queries per re-score:  {queries}  (goal <= 3)")


if __name__ == "__main__":
    main()
