"""Whole-log export and import benchmarks.

    python bench/exports.py [--decisions 1000]

A team with 1,000 recorded decisions (each with its frozen assessment, a decision-maker, a
revision; every tenth supersedes the one before it and every seventh amends an earlier one)
is exported in each dialect (MADR, adr-tools, log4brains, Crossroads JSON), then each
export is imported into an empty team. Goals: an export in at most 2 s, an import in at
most 5 s. Also the number of queries an export reads the log with, for 100 and for 1,000
decisions (goal: the same).

Uses a throwaway SQLite database (or DATABASE_URL when set). Prints figures only.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FORMATS = ("madr", "adr-tools", "log4brains", "json")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1000)
    options = parser.parse_args()

    directory = tempfile.mkdtemp()
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{directory}/bench.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "advisor.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    call_command("migrate", verbosity=0)
    from advisor import services
    from advisor.models import Team
    from decisions.archive import read_upload
    from decisions.exporting import build_export
    from decisions.models import Decision, DecisionLink, DecisionSequence, Revision
    from decisions.search import search_text_expression
    from decisions.selectors import decisions_for_export
    from decisions.services.importing import import_apply
    from tests.factories import UserFactory, make_interaction, record_decision

    user = UserFactory(username=f"bench{time.time_ns()}")

    def team_with(count: int) -> Team:
        team = services.team_create(name=f"Bench {count} {time.time_ns()}", owner=user)
        interaction = make_interaction(
            system=services.system_create(team=team, name="Shop"), user=user,
            answers={"operation": "query", "chain_depth": 3, "consistency": "eventual"},
        )  # fmt: skip
        first = record_decision(interaction, user=user, context="A sample record.")
        statuses = ["proposed", "accepted", "accepted", "rejected", "deprecated"]
        made = Decision.objects.bulk_create(
            [
                Decision(
                    team=team, number=number, interaction=interaction,
                    system_name=f"System {number % 7}", interaction_name=f"Interaction {number}",
                    title=f"Decision number {number}: how service {number} calls its store",
                    status=statuses[number % 5], chosen_option=first.chosen_option,
                    recommended_option=first.recommended_option,
                    context="Generated for the benchmark. " * 20, drivers=first.drivers,
                    good_consequences=first.good_consequences,
                    bad_consequences=first.bad_consequences,
                    framework_name=first.framework_name,
                    framework_version=first.framework_version,
                    framework_frozen=first.framework_frozen, answers=first.answers,
                    result=first.result, created_by=user, updated_on=first.updated_on,
                )
                for number in range(2, count + 1)
            ],
            batch_size=500,
        )  # fmt: skip
        decisions = [first, *made]
        Decision.deciders.through.objects.bulk_create(
            Decision.deciders.through(decision_id=d.pk, user_id=user.pk) for d in made
        )
        Decision.supersedes.through.objects.bulk_create(
            Decision.supersedes.through(from_decision_id=d.pk, to_decision_id=previous.pk)
            for previous, d in itertools.pairwise(decisions)
            if d.number % 10 == 0
        )
        DecisionLink.objects.bulk_create(
            DecisionLink(
                source=d,
                target=decisions[d.number // 2],
                label="Amends",
                reverse_label="Amended by",
            )
            for d in decisions
            if d.number % 7 == 0
        )
        Revision.objects.bulk_create(
            Revision(decision=d, version=1, kind="recorded", author=user, data={}) for d in made
        )
        DecisionSequence.objects.filter(team=team).update(last_number=count, recorded=count)
        team.decisions.update(search_text=search_text_expression())
        return team

    count = options.decisions
    team = team_with(count)
    small = team_with(100)
    queries = {}
    for size, subject in ((100, small), (count, team)):
        with CaptureQueriesContext(connection) as captured:
            list(decisions_for_export(subject))
        queries[size] = len(captured)

    print(f"Whole-log exchange, {count} decisions ({connection.vendor})")
    print(f"  reading the log: {queries[100]} queries for 100, {queries[count]} for {count}")
    print(f"  {'format':<11} {'export':>9} {'size':>9} {'import':>9}   goals: ≤ 2 s, ≤ 5 s")
    for format in FORMATS:
        start = time.perf_counter()
        export = build_export(team=team, format=format)
        exported = time.perf_counter() - start
        empty = services.team_create(name=f"Import {format} {time.time_ns()}", owner=user)
        start = time.perf_counter()
        created = import_apply(
            team=empty, user=user, upload=read_upload(export.filename, export.data)
        )
        imported = time.perf_counter() - start
        if len(created) != count:
            raise SystemExit(f"{format}: imported {len(created)} of {count}")
        flag = "" if exported <= 2 and imported <= 5 else "   OVER GOAL"
        print(
            f"  {format:<11} {exported:>8.2f}s {len(export.data) / 1e6:>7.1f}MB "
            f"{imported:>8.2f}s{flag}"
        )


if __name__ == "__main__":
    main()
