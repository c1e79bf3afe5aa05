"""What every benchmark shares: its figures as rows (each against a baseline measured in the
same run, and a goal), timing that alternates a figure with its baseline, the table they
print as, and a throwaway database for the ones that need Django.

A ratio always says how many times the baseline's cost the measured thing costs: time over
time, or for a rate (per second) the baseline's rate over the figure. A ratio measured on
one machine holds on a faster or busier one far better than a figure alone does.
"""

from __future__ import annotations

import argparse
import atexit
import json
import math
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMES = "\N{MULTIPLICATION SIGN}"
# Production settings, as gunicorn runs the app (DEBUG off records no queries, keeps no
# template debug data and serves the static files' hashed names).
PRODUCTION_ENVIRONMENT = {
    "DJANGO_SETTINGS_MODULE": "advisor.settings",
    "DEBUG": "false",
    "SECRET_KEY": "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
    "SECURE_SSL_REDIRECT": "false",
    "LOG_LEVEL": "WARNING",
}


@dataclass(frozen=True)
class Goal:
    """What a row should reach: a bound on its ratio or on its figure."""

    text: str  # as the table shows it, e.g. "ratio ≤ 3x" (with a multiplication sign)
    on: str = "ratio"  # "ratio" or "figure"
    at_most: float | None = None
    at_least: float | None = None

    def met_by(self, value: float | None) -> bool | None:
        if value is None:
            return None
        if self.at_most is not None and value > self.at_most:
            return False
        return not (self.at_least is not None and value < self.at_least)


def ratio_at_most(limit: float) -> Goal:
    return Goal(f"ratio ≤ {limit:g}{TIMES}", "ratio", at_most=limit)


def figure_at_most(limit: float, unit: str) -> Goal:
    return Goal(f"≤ {limit:,g} {unit}".strip(), "figure", at_most=limit)


def figure_at_least(limit: float, unit: str) -> Goal:
    return Goal(f"≥ {limit:,g} {unit}".strip(), "figure", at_least=limit)


SAME = Goal(f"the same (ratio 1{TIMES})", "ratio", at_most=1, at_least=1)


@dataclass
class Row:
    """One figure, its baseline from the same run, and the goal it is held to."""

    benchmark: str
    figure: float
    unit: str
    baseline: float | None = None
    baseline_name: str = ""
    goal: Goal | None = None
    note: str = ""
    database: str = ""  # "SQLite", "PostgreSQL", or "" when none is used

    @property
    def ratio(self) -> float | None:
        if self.baseline is None:
            return None
        if self.unit.endswith("/s"):  # a rate: its cost is the inverse
            return self.baseline / self.figure if self.figure else None
        if self.baseline == 0:
            return 1.0 if self.figure == 0 else None
        return self.figure / self.baseline

    @property
    def met(self) -> bool | None:
        if self.goal is None:
            return None
        return self.goal.met_by(self.ratio if self.goal.on == "ratio" else self.figure)

    def as_json(self) -> dict:
        data = asdict(self)
        data["goal"] = asdict(self.goal) if self.goal else None
        data["ratio"] = None if self.ratio is None else round(self.ratio, 4)
        data["met"] = self.met
        return data

    @classmethod
    def from_json(cls, data: Mapping) -> Row:
        fields = {key: data[key] for key in cls.__dataclass_fields__ if key in data}
        if fields.get("goal"):
            fields["goal"] = Goal(**fields["goal"])
        return cls(**fields)


# --- timing -----------------------------------------------------------------------------


def alternate(
    functions: Mapping[str, Callable[[], object]],
    repeat: int,
    clock: Callable[[], float] = time.perf_counter,
    warm_up: int = 1,
) -> dict[str, list[float]]:
    """Milliseconds per call of each function, the functions taking turns (in one order,
    then the reverse) so that whatever else the machine does weighs on each alike."""
    names = list(functions)
    for _ in range(warm_up):
        for name in names:
            functions[name]()
    samples: dict[str, list[float]] = {name: [] for name in names}
    for index in range(repeat):
        for name in names if index % 2 == 0 else reversed(names):
            start = clock()
            functions[name]()
            samples[name].append((clock() - start) * 1000)
    return samples


def median(samples: Iterable[float]) -> float:
    return statistics.median(samples)


def percentile(samples: Iterable[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(len(ordered) * share))]


# --- Django on a throwaway database ------------------------------------------------------


def use_production_settings() -> None:
    for name, value in PRODUCTION_ENVIRONMENT.items():
        os.environ.setdefault(name, value)


def throwaway_directory() -> Path:
    directory = Path(tempfile.mkdtemp(prefix="crossroads-bench-"))
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    return directory


def collect_static(environment: Mapping[str, str]) -> None:
    """The hashed static files' manifest, through which pages name them (DEBUG is off);
    see bench/static_settings.py."""
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--no-input", "-v0",
         "--settings", "bench.static_settings"],
        cwd=ROOT, env=dict(environment), check=True,
    )  # fmt: skip


def django_setup(*, pages: bool = False) -> str:
    """Set Django up with production settings on the database DATABASE_URL names (a
    throwaway SQLite file when it names none), migrated; return the database's name as a
    reader knows it. `pages`: the benchmark renders pages, which need the static files'
    manifest (collected here when `bench/run.py` has not collected it already)."""
    use_production_settings()
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{throwaway_directory()}/bench.sqlite3"
    if pages and not (Path(os.environ.get("STATIC_ROOT", "")) / "staticfiles.json").exists():
        os.environ["STATIC_ROOT"] = str(throwaway_directory() / "static")
        collect_static(os.environ)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)  # quick when bench/run.py migrated it already
    return database_name(connection.vendor)


def database_name(vendor: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}.get(vendor, vendor)


# --- output ------------------------------------------------------------------------------


def _number(value: float) -> str:
    if math.isfinite(value) and value == int(value):  # counts
        return f"{int(value):,}"
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 100:
        return f"{value:.0f}"
    if size >= 10:
        return f"{value:.1f}"
    if size >= 0.1:
        return f"{value:.2f}"
    return f"{value:.3g}"


def ratio_text(ratio: float) -> str:
    if ratio and abs(ratio) < 0.001:
        return f"<0.001{TIMES}"
    if ratio and abs(ratio) < 0.1:  # a small share: one more digit, so it is not 0.00
        return f"{ratio:.3f}{TIMES}"
    return f"{ratio:.2f}{TIMES}" if abs(ratio) < 10 else f"{_number(ratio)}{TIMES}"


def amount(value: float | None, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "%":
        return f"{_number(value)}%"
    return f"{_number(value)} {unit}".strip()


def met_word(met: bool | None) -> str:
    return {True: "met", False: "NOT met", None: "—"}[met]


COLUMNS = (  # heading, width
    ("benchmark", 46), ("figure", 16), ("baseline (same run)", 36), ("ratio", 8),
    ("goal", 20), ("met", 7),
)  # fmt: skip


@dataclass
class Table:
    """Rows as one table, notes under it."""

    rows: list[Row] = field(default_factory=list)

    def lines(self) -> list[str]:
        notes: list[str] = []
        out = [self._line([heading for heading, _ in COLUMNS])]
        out.append(self._line(["-" * width for _, width in COLUMNS]))
        previous = None
        for row in self.rows:
            name = row.benchmark + (f" ({row.database})" if row.database else "")
            if row.note:
                if row.note not in notes:  # a note shared by rows is written once
                    notes.append(row.note)
                name += f" [{notes.index(row.note) + 1}]"
            baseline = ""
            if row.baseline is not None:
                baseline = f"{amount(row.baseline, row.unit)}: {row.baseline_name}"
                if previous and (previous.baseline, previous.baseline_name, previous.unit) == (
                    row.baseline,
                    row.baseline_name,
                    row.unit,
                ):
                    baseline = "the same as above"
            previous = row
            ratio = "—" if row.ratio is None else ratio_text(row.ratio)
            cells = [name, amount(row.figure, row.unit), baseline, ratio,
                     row.goal.text if row.goal else "—", met_word(row.met)]  # fmt: skip
            out += self._wrapped(cells)
        if notes:
            out.append("")
            for index, note in enumerate(notes, start=1):
                out += textwrap.wrap(
                    note, 100, initial_indent=f"[{index}] ", subsequent_indent="    "
                )
        return out

    @staticmethod
    def _line(cells: list[str]) -> str:
        return "  ".join(
            cell.ljust(width) for cell, (_, width) in zip(cells, COLUMNS, strict=True)
        ).rstrip()

    def _wrapped(self, cells: list[str]) -> list[str]:
        columns = [
            textwrap.wrap(cell, width) or [""]
            for cell, (_, width) in zip(cells, COLUMNS, strict=True)
        ]
        height = max(len(column) for column in columns)
        return [
            self._line([column[index] if index < len(column) else "" for column in columns])
            for index in range(height)
        ]


def add_output_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--json", metavar="FILE", help="also write the rows to FILE (JSON)")


def report(rows: list[Row], options: argparse.Namespace) -> None:
    """Print the rows as a table, and write them as JSON when asked (bench/run.py asks)."""
    print("\n".join(Table(rows).lines()), flush=True)
    if getattr(options, "json", None):
        Path(options.json).write_text(json.dumps([row.as_json() for row in rows], indent=1))
