"""The team's decision log page, and its search, with 100 and with 50,000 decisions.

    python bench/records.py [--large 50000] [--small 100] [--turns 15]

The page promises to cost the same whatever the log's length: it shows 25 decisions a page,
read through the team's (team, number) index; it takes the log's size from the team's
numbering row instead of counting; and the pattern mix is cached under the team's change
counter. So the goal for the 50,000-decision log against the 100-decision one is at most
1.3x (a deeper index, no more), with the same number of queries. The search (accepted
decisions mentioning "flash") goes through the database's search index (FTS5 on SQLite,
GIN on PostgreSQL); the same five decisions mention it in both logs, so both pages show
the same rows and only the log's size differs: goal at most 1.3x too. The first visit after
a change, which counts the pattern mix again over the whole log, is shown without a goal.

Both logs are made in a throwaway database (DATABASE_URL, or a temporary SQLite file): one
decision recorded through the services, copied in SQL, then given its search text by the
services' helper. Pages are requested through Django's test client, small and large taking
turns; wall-clock medians (on PostgreSQL the server's time counts too).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SAME, Row, add_output_argument, alternate, django_setup, median, report
from bench.common import ratio_at_most as at_most

FLASH = {5, 25, 45, 65, 85}  # accepted ones (number % 4 == 1)


def team_with(count: int, user):
    """A team whose log holds `count` decisions: one recorded through the services, the
    others copies of it made by one INSERT … SELECT (bulk_create would spend minutes turning
    50,000 rows of frozen results into SQL parameters), then given their search text by
    the services' helper, as recording them one by one would leave them."""
    from django.db import connection, transaction

    from advisor import services
    from advisor.models import Membership, Role
    from decisions.models import DecisionSequence
    from decisions.search import search_text_expression
    from tests.factories import make_interaction, record_decision

    team = services.team_create(name=f"Bench {count} {time.time_ns()}", owner=user)
    interaction = make_interaction(
        system=services.system_create(team=team, name="Shop"), user=user,
        answers={"operation": "query", "chain_depth": 3, "consistency": "eventual"},
    )  # fmt: skip
    first = record_decision(interaction, user=user, context="A sample record.")
    with transaction.atomic():
        if connection.vendor == "postgresql":  # the app's statement timeout is for requests
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL statement_timeout = 0")
        _copies(first, count)
        DecisionSequence.objects.filter(team=team).update(last_number=count, recorded=count)
        team.decisions.update(search_text=search_text_expression())
        if connection.vendor == "postgresql":  # as autovacuum would after a bulk load
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE decisions_decision")
    Membership.objects.filter(team=team, user=user).update(role=Role.VIEWER)
    return team


def _copies(first, count: int) -> None:
    """Decisions 2 to `count` of `first`'s team: its copies, each with its own number,
    title, status, chosen pattern and system; five of them mention a flash sale."""
    from django.db import connection

    from decisions.models import Decision

    patterns = ("sync", "async", "request_reply", "cqrs_lite")
    statuses = ("proposed", "accepted", "superseded", "rejected")

    def by_number(values: tuple[str, ...]) -> str:
        cases = " ".join(f"WHEN {i} THEN '{value}'" for i, value in enumerate(values))
        return f"CASE n.number %% {len(values)} {cases} END"  # %% is % with parameters

    flash = ", ".join(str(number) for number in sorted(FLASH))
    made = {
        "number": "n.number",
        "title": "'Decision number ' || n.number",
        "status": by_number(statuses),
        "chosen_option": by_number(patterns),
        "recommended_option": by_number(patterns),
        "system_name": "'System ' || (n.number %% 7)",
        "interaction_name": "'Interaction ' || n.number",
        "context": f"CASE WHEN n.number IN ({flash}) THEN 'Flash sale overload.' "
        "ELSE 'Generated for the benchmark.' END",
        "search_text": "''",  # indexed once, when the services' helper fills it in
    }
    quote = connection.ops.quote_name
    fields = [f for f in Decision._meta.concrete_fields if not f.primary_key]
    # What is unique to one record (the token of the form that recorded it) stays empty.
    made.update({f.column: "NULL" for f in fields if f.unique and f.null})
    columns = [f.column for f in fields]
    values = [made.get(column, f"first.{quote(column)}") for column in columns]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(Decision._meta.db_table)} ({', '.join(map(quote, columns))}) "
            "WITH RECURSIVE n(number) AS "
            "(SELECT 2 UNION ALL SELECT number + 1 FROM n WHERE number < %s) "
            f"SELECT {', '.join(values)} FROM n, {quote(Decision._meta.db_table)} first "
            "WHERE first.id = %s",
            [count, first.pk],
        )


def measure(large: int, small: int, turns: int) -> list[Row]:
    database = django_setup(pages=True)
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from decisions.selectors import LogFilters, decision_log
    from tests.factories import UserFactory

    user = UserFactory(username=f"bench{time.time_ns()}")
    client = Client()
    client.force_login(user)
    teams = {size: team_with(size, user) for size in (small, large)}
    for size, team in teams.items():  # both searches find the same decisions, and only them
        found = decision_log(team, LogFilters(query="flash", status="accepted"))
        if sorted(found.values_list("number", flat=True)) != sorted(FLASH):
            raise SystemExit(f"the search finds {found.count()} decisions in the log of {size}")
    urls = {size: f"/t/{team.slug}/decisions/" for size, team in teams.items()}

    def page(url: str):
        def get() -> None:
            response = client.get(url)
            assert response.status_code == 200, response.status_code

        return get

    def first_visit(url: str):
        def get() -> None:
            cache.clear()  # as after a change to the log: the pattern mix is counted again
            page(url)()

        return get

    queries = {}
    for size, url in urls.items():
        page(url)()  # fills the pattern-mix cache
        with CaptureQueriesContext(connection) as captured:
            page(url)()
        queries[size] = len(captured.captured_queries)
    searched = {size: f"{url}?status=accepted&q=flash" for size, url in urls.items()}
    timed = alternate(
        {"small": page(urls[small]), "large": page(urls[large]),
         "small search": page(searched[small]), "large search": page(searched[large])},
        turns,
    )  # fmt: skip
    cold = alternate({"small": first_visit(urls[small]), "large": first_visit(urls[large])}, 5)
    note = (
        f"Decision log rows: Django's test client, production settings, {turns} turns of "
        f"each page (first visits: 5), wall-clock medians; logs made in SQL, copies of one "
        "recorded decision."
    )
    big, little = f"{large:,} decisions", f"{small:,} decisions"
    return [
        Row(f"Decision log page, {big}", median(timed["large"]), "ms", median(timed["small"]),
            f"the same page, {little}", at_most(1.3), note, database),
        Row(f"Decision log page: queries, {big}", queries[large], "queries", queries[small],
            f"the same page, {little}", SAME, database=database),
        Row(f"Decision log search (accepted, “flash”), {big}", median(timed["large search"]),
            "ms", median(timed["small search"]), f"the same search, {little}", at_most(1.3),
            database=database),
        Row(f"Decision log page, first visit after a change, {big}", median(cold["large"]),
            "ms", median(cold["small"]), f"the same, {little}", database=database),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=50_000)
    parser.add_argument("--small", type=int, default=100)
    parser.add_argument("--turns", type=int, default=15)
    add_output_argument(parser)
    options = parser.parse_args()
    report(measure(options.large, options.small, options.turns), options)


if __name__ == "__main__":
    main()
