"""Whole-log export and import benchmarks.

    python bench/exports.py [--decisions 1000]

A team with 1,000 recorded decisions (each with its frozen assessment, a decision-maker, a
revision; every tenth supersedes the one before it and every seventh amends an earlier one)
is exported in each dialect (MADR, adr-tools, log4brains, Crossroads JSON), then each
export is imported into an empty team. Goals: an export in at most 2 s, an import in at
most 5 s. Baselines from the same run: for an export, reading the log it writes (the
export's query set, loaded); for an import, its preview (reading and planning the same
upload, which the import does again before writing). Also the number of queries an export
reads the log with, for 100 and for 1,000 decisions (goal: the same).

Uses a throwaway SQLite database (or DATABASE_URL when set). Times are this process's CPU
time: on SQLite all the work is done in it, and a machine busy with other work stretches
wall-clock times but not these (on PostgreSQL they would leave the server's share out).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import SAME, Row, add_output_argument, django_setup, figure_at_most, report

FORMATS = ("madr", "adr-tools", "log4brains", "json")
NAMES = {"madr": "MADR", "adr-tools": "adr-tools", "log4brains": "log4brains",
         "json": "Crossroads JSON"}  # fmt: skip


def measure(count: int) -> list[Row]:
    database = django_setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from advisor import services
    from advisor.models import Team
    from decisions.archive import read_upload
    from decisions.exporting import build_export
    from decisions.models import Decision, DecisionLink, DecisionSequence, Revision
    from decisions.search import search_text_expression
    from decisions.selectors import decisions_for_export
    from decisions.services.import_plan import import_plan
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

    team = team_with(count)
    small = team_with(100)
    queries = {}
    for size, subject in ((100, small), (count, team)):
        with CaptureQueriesContext(connection) as captured:
            list(decisions_for_export(subject))
        queries[size] = len(captured)

    note = (
        f"Export and import rows: {count:,} decisions, each format exported from one team "
        "and imported into an empty one, once each; CPU time of this process, which SQLite "
        "runs in (a busy machine stretches wall-clock times, not these)."
    )
    rows = [
        Row(f"Export: queries reading the log, {count:,} decisions", queries[count], "queries",
            queries[100], "the same, 100 decisions", SAME, note, database),
    ]  # fmt: skip
    clock = time.process_time
    start = clock()
    list(decisions_for_export(team))
    read = clock() - start
    for format in FORMATS:
        start = clock()
        export = build_export(team=team, format=format)
        exported = clock() - start
        empty = services.team_create(name=f"Import {format} {time.time_ns()}", owner=user)
        start = clock()
        plan = import_plan(empty, read_upload(export.filename, export.data))
        planned = clock() - start
        if not plan.importable:
            raise SystemExit(f"{format}: the export does not import: {plan.problems[:3]}")
        start = clock()
        created = import_apply(
            team=empty, user=user, upload=read_upload(export.filename, export.data)
        )
        imported = clock() - start
        if len(created) != count:
            raise SystemExit(f"{format}: imported {len(created)} of {count}")
        size = f"{len(export.data) / 1e6:.1f} MB"
        rows += [
            Row(f"Export, {NAMES[format]}, {count:,} decisions ({size})", exported, "CPU s",
                read, "reading the same log", figure_at_most(2, "s"), database=database),
            Row(f"Import, {NAMES[format]}, {count:,} decisions", imported, "CPU s", planned,
                "its preview (reading and planning it)", figure_at_most(5, "s"),
                database=database),
        ]  # fmt: skip
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=1000)
    add_output_argument(parser)
    options = parser.parse_args()
    report(measure(options.decisions), options)


if __name__ == "__main__":
    main()
