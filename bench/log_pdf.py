"""Whole-log PDF benchmark.

    python bench/log_pdf.py [--decisions 500] [--workers N] [--batch 10] [--keep FILE]

Creates a team with `--decisions` decisions in a throwaway SQLite database (or DATABASE_URL
when set): recorded ones with their frozen assessments (several interactions, so the
options, answers and warnings differ), some accepted, amended, superseded, deprecated or
linked ("Amends"), and one in ten imported from an ADR file. Then renders the whole-log PDF
as the export task does (decisions_for_export, then render_log_pdf), against the goals: at
most 60 s and 500 MB for 500 decisions (0.12 s a decision: a smaller log is held to its
share of the time, and to the same memory).

Baselines from the same run: for the time, the same decisions as single-decision PDFs one
after the other in this process (a sample of them, scaled to the log), so the ratio says
what batching, worker processes and binding save; for memory, this process before
rendering. Memory is sampled every 250 ms: the proportional set size of this process and
of the worker processes together (they run at the same time).
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import Row, add_output_argument, django_setup, figure_at_most, report

SECONDS_A_DECISION = 60 / 500
GOAL_MB = 500
SAMPLE = 3  # single-decision PDFs rendered for the baseline

CONTEXT = (
    "Checkout calls the stock service for every basket change. During the spring sale the "
    "stock service answered in 900 ms at the 99th percentile and checkout timed out for "
    "one customer in twelve.\n\nWe need a way for {name} that keeps checkout answering "
    "within its budget when stock is slow, without selling what we do not have."
)
JUSTIFICATION = "Stock levels change a few times a minute; a few seconds of lag is acceptable."
IMPORTED_OPTIONS = (
    "- Keep calling the stock service directly\n- Cache stock levels in checkout\n"
    "- Reserve stock asynchronously and confirm by e-mail"
)
IMPORTED_OUTCOME = (
    'Chosen option: "Cache stock levels in checkout", because it keeps checkout fast and '
    "the stock team can change their service without a joint release."
)


def _memory_of(pid: int) -> int:
    """The process's proportional set size: its resident pages, those it shares (with the
    process it was started from) counted in part, so a sum over processes is right."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except (OSError, IndexError, ValueError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        try:
            tasks = os.listdir(f"/proc/{current}/task")
        except OSError:
            continue
        for task in tasks:
            try:
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    children = [int(child) for child in handle.read().split()]
            except OSError:
                continue
            found += children
            queue += children
    return found


class MemorySampler(threading.Thread):
    """The largest memory of this process and its children together."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.peak = 0
        self.stopped = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self.stopped.wait(0.25):
            total = _memory_of(me) + sum(_memory_of(child) for child in _descendants(me))
            self.peak = max(self.peak, total)


def create_log(count: int):
    """A team with `count` decisions, made through the creation service."""
    from advisor import services
    from decisions.models import Revision
    from decisions.services.creation import (
        FrozenAssessment,
        NamedLink,
        NewDecision,
        PastRevision,
        decisions_create,
    )
    from tests.factories import (
        NOBODY_WAITS,
        SOMEONE_WAITS,
        UserFactory,
        make_interaction,
        record_decision,
    )

    user = UserFactory(username=f"bench{time.time_ns()}")
    team = services.team_create(name="Checkout platform", owner=user)
    systems = [services.system_create(team=team, name=name) for name in ("Shop", "Payments")]
    answer_sets = [
        {**SOMEONE_WAITS, "operation": "query"},
        {**NOBODY_WAITS, "operation": "command"},
        {**SOMEONE_WAITS, "operation": "command", "consistency": "immediate"},
        {**NOBODY_WAITS, "operation": "query", "chain_depth": 3},
    ]
    # A few decisions recorded from real assessments; the rest copy their frozen results.
    recorded = []
    for index, answers in enumerate(answer_sets):
        interaction = make_interaction(
            system=systems[index % 2], user=user, name=f"Flow {index + 1}", answers=answers
        )
        recorded.append(record_decision(interaction, user=user, context=CONTEXT.format(
            name=interaction.name)))  # fmt: skip
    start = datetime(2024, 1, 8, 10, tzinfo=UTC)
    new = []
    for number in range(len(recorded) + 1, count + 1):
        model = recorded[number % len(recorded)]
        when = start + timedelta(days=number)
        history = [PastRevision(1, Revision.Kind.RECORDED, user, when, "", {})]
        fields = {
            "title": f"How {model.interaction_name} handles peak load, take {number}",
            "status": "proposed",
            "decided_on": None,
            "system_name": model.system_name,
            "interaction_name": model.interaction_name,
            "context": CONTEXT.format(name=model.interaction_name),
            "drivers": model.drivers,
            "consulted": "Stock team",
            "informed": "Customer service",
            "good_consequences": model.good_consequences,
            "bad_consequences": model.bad_consequences,
            "confirmation": "The p99 of checkout stays under 300 ms during the next sale.",
            "links": "",
        }
        item = NewDecision(fields=fields, created_by=user, deciders=[user], created_at=when)
        if number % 10 == 0:  # imported from an ADR file: no frozen assessment
            fields.update(
                chosen_title="Cache stock levels in checkout",
                justification=JUSTIFICATION,
                external_deciders=["Dana Stock", "Lee Ops"],
                imported_from="madr",
                imported_sections={
                    "Considered Options": IMPORTED_OPTIONS,
                    "Decision Outcome": IMPORTED_OUTCOME,
                },
                status="accepted",
            )
        else:
            fields.update(chosen_option=model.chosen_option, justification=model.justification)
            item.interaction = model.interaction
            item.assessment = FrozenAssessment(
                model.framework_name, model.framework_version, model.framework_frozen,
                model.answers, model.result, model.recommended_option,
            )  # fmt: skip
        if number % 4 == 1:
            fields["status"] = "accepted"
            fields["decided_on"] = when.date()
            history.append(PastRevision(2, Revision.Kind.STATUS, user, when, "", {
                "status": "accepted"}))  # fmt: skip
            if number % 8 == 1:
                history.append(PastRevision(3, Revision.Kind.AMENDED, user, when + timedelta(
                    days=30), "The p99 budget moved to 300 ms.", {}))  # fmt: skip
        elif number % 12 == 3:
            fields["status"] = "deprecated"
            history.append(PastRevision(2, Revision.Kind.STATUS, user, when, "The flow was "
                                        "retired.", {"status": "deprecated"}))  # fmt: skip
        if number % 7 == 0:
            item.links = [NamedLink("Amends", number - 1, "Amended by")]
        if number % 15 == 0 and number - 2 > len(recorded):  # supersedes an older decision
            item.supersedes = [number - 2]
        fields["version"] = len(history)
        item.history = history
        new.append(item)
    # Superseded decisions say so, with the status change that retired them.
    by_number = {n: item for n, item in enumerate(new, start=len(recorded) + 1)}
    for item in new:
        for old in item.supersedes:
            retired = by_number[old]
            retired.fields["status"] = "superseded"
            retired.history = [*retired.history[:1], PastRevision(2, Revision.Kind.STATUS,
                               user, start, "", {"status": "superseded"})]  # fmt: skip
            retired.fields["version"] = 2
    decisions_create(team=team, new=new)
    return team


def single_pdfs(decisions: list) -> float:
    """Seconds to render `decisions` one PDF each, estimated from an even sample."""
    from decisions.document import record_context
    from decisions.pdf import render_decision_pdf

    step = max(1, len(decisions) // SAMPLE)
    sample = decisions[::step][:SAMPLE]
    start = time.perf_counter()
    for decision in sample:
        render_decision_pdf(decision, record_context(decision))
    return (time.perf_counter() - start) / len(sample) * len(decisions)


def measure(count: int, workers: int | None, batch: int | None, keep: str | None) -> list[Row]:
    database = django_setup()
    from pypdf import PdfReader

    from decisions.log_pdf import BATCH_SIZE, render_log_pdf
    from decisions.pdf_assembly import default_workers
    from decisions.selectors import decisions_for_export

    team = create_log(count)
    workers = default_workers() if workers is None else workers
    batch = batch or BATCH_SIZE
    calls = []
    before = _memory_of(os.getpid())
    sampler = MemorySampler()
    sampler.start()
    start = time.perf_counter()
    decisions = list(decisions_for_export(team, whole_history=False))  # as the export reads it
    pdf = render_log_pdf(
        team=team, decisions=decisions, progress=lambda done, total: calls.append(done),
        workers=workers, batch_size=batch,
    )  # fmt: skip
    seconds = time.perf_counter() - start
    sampler.stopped.set()
    sampler.join()
    if calls[-1:] != [len(decisions)]:
        raise SystemExit(f"progress ended at {calls[-1:]} of {len(decisions)}")
    pages = len(PdfReader(io.BytesIO(pdf)).pages)
    if keep:
        Path(keep).write_bytes(pdf)
    singles = single_pdfs(decisions)
    note = (
        f"Whole-log PDF rows: {count:,} decisions ({pages:,} pages, "
        f"{len(pdf) / 2**20:.1f} MB), {workers} worker processes, {batch} decisions a batch; "
        f"its goal is 60 s for 500 decisions, scaled to {count:,}. Wall-clock times."
    )
    return [
        Row(f"Whole-log PDF, {count:,} decisions", seconds, "s", singles,
            f"as single PDFs one by one ({SAMPLE} rendered, scaled)",
            figure_at_most(round(SECONDS_A_DECISION * count, 1), "s"), note, database),
        Row("Whole-log PDF: peak memory, all processes", sampler.peak / 2**20, "MB",
            before / 2**20, "this process before rendering", figure_at_most(GOAL_MB, "MB"),
            database=database),
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--decisions", type=int, default=500)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--batch", type=int, default=None)
    parser.add_argument("--keep", help="write the PDF to this file")
    add_output_argument(parser)
    options = parser.parse_args()
    report(measure(options.decisions, options.workers, options.batch, options.keep), options)


if __name__ == "__main__":
    main()
