"""Live re-scoring benchmark: the questionnaire's htmx re-score against GET /healthz.

    python bench/rescore.py [--requests 300]

Starts gunicorn (one sync worker, production settings) on a throwaway SQLite database (or
the one DATABASE_URL names), logs in as a generated editor, then times the htmx re-score
POST and GET /healthz alternately over one keep-alive connection: /healthz is the cheapest
request that still passes every middleware and asks the database, so the ratio of the
medians is what re-scoring itself costs. It also counts the database queries of one
re-score with Django's test client, against those of the questionnaire page itself. Goals:
the re-score median at most 3x /healthz, and at most 3 queries.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import (
    ROOT,
    Row,
    add_output_argument,
    django_setup,
    figure_at_most,
    median,
    percentile,
    ratio_at_most,
    report,
)

ANSWERS = {  # the shared fraud-scoring scenario, as the form posts it
    "dominant_constraint": "resilience", "operation": "query", "caller_needs_result": "yes",
    "user_waiting": "yes", "duration": "under_2s", "chain_depth": "3",
    "consistency": "read_your_writes", "idempotency": "natural",
    "latency_sensitivity": "moderate", "receiver_availability": "sometimes_down",
    "load": "spiky", "drop_policy": "caller_retries", "temporal_decoupling": "required",
    "consumers": "one", "broker_experience": "strong",
    "capabilities": ["timeouts_retries", "queue_depth_alerts", "tracing", "idempotency_keys"],
}  # fmt: skip
USERNAME, PASSWORD = "bench", "bench-password-1"
WARM_UP = 20  # requests of each kind not counted
BASE = re.compile(r'id="id_base" value="([^"]+)"')


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare() -> int:
    """An editor, a system and an interaction, made through the services; the interaction's
    id."""
    from django.contrib.auth import get_user_model

    from advisor import services

    user = get_user_model().objects.create_user(USERNAME, password=PASSWORD)
    team = services.team_create(name="Bench", owner=user)
    system = services.system_create(team=team, name="Shop")
    source = services.service_create(system=system, name="Payments")
    target = services.service_create(system=system, name="Fraud")
    interaction = services.interaction_create(
        system=system, source=source, target=target, name="Score", description="", user=user
    )
    return interaction.pk


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
        urlencode({"csrfmiddlewaretoken": token, "username": USERNAME, "password": PASSWORD}),
        {"Referer": "http://127.0.0.1/login/"},
    )  # fmt: skip
    if status != 302:
        raise SystemExit(f"login failed with HTTP {status}")


def time_requests(client: Client, interaction: int, count: int):
    healthz, rescore = [], []
    path = f"/interactions/{interaction}/"
    base = BASE.search(client.request("GET", path)[1]).group(1)
    headers = {"HX-Request": "true", "X-CSRFToken": client.cookies["csrftoken"],
               "Referer": "http://127.0.0.1/"}  # fmt: skip
    for index in range(count + WARM_UP):
        start = time.perf_counter()
        status, _ = client.request("GET", "/healthz")
        health_time = time.perf_counter() - start
        assert status == 200, status
        body = urlencode({**ANSWERS, "base": base}, doseq=True)
        start = time.perf_counter()
        status, page = client.request("POST", path, body, headers)
        score_time = time.perf_counter() - start
        assert status == 200, (status, page[:300])
        base = BASE.search(page).group(1)
        if index >= WARM_UP:
            healthz.append(health_time * 1000)
            rescore.append(score_time * 1000)
    return healthz, rescore


def count_queries(interaction: int) -> tuple[int, int]:
    """Queries of one re-score, and of the questionnaire page it re-scores."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client as DjangoClient
    from django.test.utils import CaptureQueriesContext

    client = DjangoClient(SERVER_NAME="127.0.0.1")
    client.force_login(get_user_model().objects.get(username=USERNAME))
    path = f"/interactions/{interaction}/"
    with CaptureQueriesContext(connection) as page_queries:
        page = client.get(path)
    assert page.status_code == 200, page.status_code
    base = BASE.search(page.text).group(1)
    with CaptureQueriesContext(connection) as captured:
        response = client.post(path, {**ANSWERS, "base": base}, headers={"HX-Request": "true"})
    assert response.status_code == 200, response.status_code
    return len(captured.captured_queries), len(page_queries.captured_queries)


def serve(port: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "advisor.wsgi", "--workers", "1",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=os.environ.copy(),
    )  # fmt: skip
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return server
        except OSError:
            time.sleep(0.1)
    server.terminate()
    raise SystemExit("gunicorn did not start within 30 s")


def measure(requests: int) -> list[Row]:
    database = django_setup(pages=True)
    interaction = prepare()
    port = free_port()
    server = serve(port)
    try:
        client = Client(port)
        log_in(client)
        healthz, rescore = time_requests(client, interaction, requests)
    finally:
        server.terminate()
        server.wait(timeout=10)
    queries, page_queries = count_queries(interaction)
    note = (
        f"Re-score rows: {requests} requests of each kind, taking turns over one keep-alive "
        f"connection to gunicorn (1 sync worker, production settings), after {WARM_UP} not "
        f"counted; wall-clock medians. The query count is the test client's."
    )
    return [
        Row("Re-score (htmx POST of the questionnaire), median", median(rescore), "ms",
            median(healthz), "GET /healthz, median", ratio_at_most(3), note, database),
        Row("Re-score, 95th percentile", percentile(rescore, 0.95), "ms",
            percentile(healthz, 0.95), "GET /healthz, 95th percentile", database=database),
        Row("Re-score: database queries", queries, "queries", page_queries,
            "the questionnaire page (GET)", figure_at_most(3, "queries"), database=database),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    add_output_argument(parser)
    options = parser.parse_args()
    report(measure(options.requests), options)


if __name__ == "__main__":
    main()
