"""Decision-record benchmarks.

    python bench/records.py [--large 50000] [--small 100] [--pdfs 20]

1. PDF: render_decision_pdf (template + WeasyPrint) against WeasyPrint rendering the same
   HTML alone, same process, same run. Goal: at most 1.2x.
2. History: the team's decision log page with 100 and with 50,000 decisions, median time
   and query count. Goal: at most 1.3x, and the same number of queries. Also a filtered
   search (accepted decisions mentioning "flash"), through the database's search index
   (FTS5 on SQLite, GIN on PostgreSQL). The same five decisions mention it in both logs, so
   both pages show the same rows and only the log's size differs. Goal: at most 1.3x.

Uses a throwaway SQLite database (or DATABASE_URL when set). Prints figures only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


FLASH = {5, 25, 45, 65, 85}  # accepted ones (number % 4 == 1)


def timed(function, repeat: int) -> float:
    function()  # warm up
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--pdfs", type=int, default=20)
    options = parser.parse_args()

    directory = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advisor.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from advisor import services
    from advisor.models import Membership, Role, Team
    from decisions.document import record_context as _record_context
    from decisions.models import Decision, DecisionSequence
    from decisions.pdf import decision_pdf_html, render_decision_pdf, render_html_pdf
    from decisions.search import search_text_expression
    from tests.factories import UserFactory, make_interaction, record_decision

    user = UserFactory(username=f"bench{time.time_ns()}")

    def team_with(count: int) -> Team:
        team = services.team_create(name=f"Bench {count} {time.time_ns()}", owner=user)
        interaction = make_interaction(
            system=services.system_create(team=team, name="Shop"), user=user,
            answers={"operation": "query", "chain_depth": 3, "consistency": "eventual"},
        )  # fmt: skip
        first = record_decision(interaction, user=user, context="A sample record.")
        patterns = ["sync", "async", "request_reply", "cqrs_lite"]
        statuses = ["proposed", "accepted", "superseded", "rejected"]
        Decision.objects.bulk_create(
            [
                Decision(
                    team=team, number=number, interaction=interaction,
                    system_name=f"System {number % 7}", interaction_name=f"Interaction {number}",
                    title=f"Decision number {number}", status=statuses[number % 4],
                    chosen_option=patterns[number % 4], recommended_option=patterns[number % 4],
                    context="Flash sale overload." if number in FLASH
                    else "Generated for the benchmark.", framework_name="default",
                    framework_version=1, answers=first.answers, result=first.result,
                    created_by=user,
                )
                for number in range(2, count + 1)
            ],
            batch_size=2000,
        )  # fmt: skip
        DecisionSequence.objects.filter(team=team).update(last_number=count, recorded=count)
        # As decision_record would have left them (bulk_create skips the services).
        team.decisions.update(search_text=search_text_expression())
        if connection.vendor == "postgresql":  # as autovacuum would after a bulk load
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE decisions_decision")
        return team

    client = Client(SERVER_NAME="localhost")
    client.force_login(user)

    # --- PDF -----------------------------------------------------------------------------
    decision = Decision.objects.filter(created_by=user).first() or record_decision(user=user)
    if decision is None:
        raise SystemExit("no decision to render")
    context = _record_context(decision)
    html = decision_pdf_html(context)
    # Alternate the two so drift in WeasyPrint's own speed hits both alike.
    render_html_pdf(html)
    full_samples, alone_samples = [], []
    for _ in range(options.pdfs):
        start = time.perf_counter()
        render_decision_pdf(decision, _record_context(decision))
        full_samples.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        render_html_pdf(html)
        alone_samples.append((time.perf_counter() - start) * 1000)
    full, alone = statistics.median(full_samples), statistics.median(alone_samples)

    # --- history -------------------------------------------------------------------------
    results = {}
    for size in (options.small, options.large):
        team = team_with(size)
        Membership.objects.filter(team=team, user=user).update(role=Role.VIEWER)
        url = f"/t/{team.slug}/decisions/"
        assert client.get(url).status_code == 200  # fills the pattern-mix cache
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        query_count = len(queries.captured_queries)  # before the next request resets the log
        filtered = f"{url}?status=accepted&q=flash"
        results[size] = (
            timed(lambda u=url: client.get(u), 15),
            query_count,
            timed(lambda u=filtered: client.get(u), 15),
        )

    small, large = results[options.small], results[options.large]
    print(f"database: {connection.vendor}")
    print(f"PDF of one decision: {full:.1f} ms; WeasyPrint alone on the same HTML: {alone:.1f} ms;"
          f" ratio {full / alone:.2f}x (goal <= 1.2x)")  # fmt: skip
    print(f"history, {options.small:,} decisions: {small[0]:.1f} ms, {small[1]} queries; "
          f"filtered and searched: {small[2]:.1f} ms")  # fmt: skip
    print(f"history, {options.large:,} decisions: {large[0]:.1f} ms, {large[1]} queries; "
          f"filtered and searched: {large[2]:.1f} ms")  # fmt: skip
    print(f"ratio {options.large:,}/{options.small:,}: {large[0] / small[0]:.2f}x page, "
          f"{large[2] / small[2]:.2f}x filtered (goal <= 1.3x, same queries: "
          f"{'yes' if large[1] == small[1] else 'no'})")  # fmt: skip


if __name__ == "__main__":
    main()
