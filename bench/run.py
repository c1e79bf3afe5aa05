"""Every benchmark in one table, also written to bench/results.json.

    make bench                      (on a throwaway PostgreSQL the Makefile starts)
    python bench/run.py [--only records,engine] [--output FILE] [--quick]

Each benchmark runs in a process of its own, one after the other (side by side they would
disturb each other's times on a machine of two processors), on a database of its own: a
copy of one migrated SQLite file in a temporary directory, or, when DATABASE_URL names a
PostgreSQL server, a copy of one migrated database on it (CREATE DATABASE … TEMPLATE). The
benchmarks that need PostgreSQL are left out when DATABASE_URL names none. Every row has a
baseline measured in the same run, so its ratio means the same on a faster or busier machine
(the load average is recorded beside the rows).

Exit status 1 when a benchmark failed or ran out of time; a goal not met is a figure to
read, not a failure.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.common import PRODUCTION_ENVIRONMENT, ROOT, Row, Table, collect_static, met_word

RESULTS = ROOT / "bench" / "results.json"
SQLITE, POSTGRESQL = "SQLite", "PostgreSQL"


@dataclass(frozen=True)
class Job:
    module: str
    arguments: tuple[str, ...] = ()
    database: str | None = None  # SQLITE, POSTGRESQL, or None when it needs none
    timeout: int = 120  # seconds, so that one stuck benchmark cannot hold up the others
    quick: tuple[str, ...] = ()  # the arguments of a quick run, to try the harness out

    @property
    def label(self) -> str:
        return self.module + (f" ({self.database})" if self.database else "")


# Sized to finish together in about five minutes on two otherwise idle processors (their
# CPU time is about four); the time limits leave room for a machine busy with other work.
JOBS = (
    Job("rescore", ("--requests", "200"), SQLITE, 120, ("--requests", "20")),
    Job("rescore", ("--requests", "200"), POSTGRESQL, 120, ("--requests", "20")),
    Job("decision_pdf", ("--pdfs", "8"), SQLITE, 180, ("--pdfs", "2")),
    Job("records", ("--large", "50000"), SQLITE, 240, ("--large", "500", "--turns", "3")),
    Job("records", ("--large", "50000"), POSTGRESQL, 240, ("--large", "500", "--turns", "3")),
    Job("engine", ("--count", "10000"), None, 90, ("--count", "1000")),
    Job("advice_mix", ("--count", "10000"), None, 90, ("--count", "1000")),
    Job("exports", ("--decisions", "1000"), SQLITE, 240, ("--decisions", "120")),
    # 500 decisions take about 150 s: the row says it is scaled, and its goal with it.
    Job("log_pdf", ("--decisions", "50"), SQLITE, 240, ("--decisions", "12")),
    Job(
        "system_map", (), SQLITE, 240, ("--services", "60", "--interactions", "200", "--turns", "2")
    ),
)


class Databases:
    """A fresh, migrated database for each job, copied from one migrated once."""

    def __init__(self, directory: Path, environment: dict[str, str]) -> None:
        self.directory = directory
        self.environment = environment
        self.postgresql_url = os.environ.get("DATABASE_URL", "")
        if not self.postgresql_url.startswith(("postgres://", "postgresql://")):
            self.postgresql_url = ""
        self.copies = 0
        self.sqlite_template = directory / "template.sqlite3"
        self._migrate(f"sqlite:///{self.sqlite_template}")
        if self.postgresql_url:
            self._create("bench_template")
            self._migrate(self._named("bench_template"))

    def url_for(self, kind: str) -> str:
        self.copies += 1
        name = f"bench_{self.copies}"
        if kind == SQLITE:
            path = self.directory / f"{name}.sqlite3"
            shutil.copyfile(self.sqlite_template, path)
            return f"sqlite:///{path}"
        self._create(name, template="bench_template")
        return self._named(name)

    def postgresql_version(self) -> str | None:
        if not self.postgresql_url:
            return None
        import psycopg

        with psycopg.connect(self.postgresql_url) as connection:
            return connection.execute("SHOW server_version").fetchone()[0]

    def _migrate(self, url: str) -> None:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            cwd=ROOT, env={**self.environment, "DATABASE_URL": url}, check=True,
        )  # fmt: skip

    def _named(self, name: str) -> str:
        parts = urlsplit(self.postgresql_url)
        return urlunsplit(parts._replace(path=f"/{name}"))

    def _create(self, name: str, template: str | None = None) -> None:
        import psycopg
        from psycopg import sql

        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            statement += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
        with psycopg.connect(self.postgresql_url, autocommit=True) as connection:
            connection.execute(statement)


def run_job(job: Job, databases: Databases, directory: Path, quick: bool) -> tuple[list[Row], str]:
    """The job's rows, and what went wrong ("" when nothing did)."""
    output = directory / f"{job.module}-{databases.copies}.json"
    environment = dict(databases.environment)
    if job.database:
        environment["DATABASE_URL"] = databases.url_for(job.database)
    else:
        environment.pop("DATABASE_URL", None)
    log = directory / f"{output.stem}.log"
    with log.open("w") as handle:
        try:
            done = subprocess.run(
                [sys.executable, f"bench/{job.module}.py",
                 *(job.quick if quick else job.arguments), "--json", output],
                cwd=ROOT, env=environment, stdout=handle, stderr=subprocess.STDOUT,
                timeout=job.timeout,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            return [], f"ran out of its {job.timeout} s"
    if done.returncode != 0 or not output.exists():
        lines = log.read_text(errors="replace").strip().splitlines()
        return [], f"failed (exit {done.returncode}): " + " / ".join(lines[-3:])
    return [Row.from_json(data) for data in json.loads(output.read_text())], ""


def load_average() -> list[float]:
    return [round(value, 2) for value in os.getloadavg()]


def children_cpu() -> float:
    """CPU seconds of the processes this one has waited for (the benchmarks, and theirs;
    not the PostgreSQL server's, which the Makefile's script started)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Run:
    """What one run measured, and how long each benchmark took."""

    rows: list[Row]
    jobs: dict[str, dict]
    postgresql: str | None


def run_all(jobs: list[Job], quick: bool) -> Run:
    directory = Path(tempfile.mkdtemp(prefix="crossroads-bench-"))
    try:
        started = time.perf_counter()
        environment = {**os.environ, **PRODUCTION_ENVIRONMENT, "STATIC_ROOT": f"{directory}/s"}
        collect_static(environment)
        databases = Databases(directory, environment)
        run = Run([], {}, databases.postgresql_version())
        print(f"{'setup':<28} {time.perf_counter() - started:4.0f} s", flush=True)
        for job in jobs:
            if job.database == POSTGRESQL and not databases.postgresql_url:
                run.jobs[job.label] = {"problem": "not run: DATABASE_URL names no PostgreSQL"}
                continue
            start, cpu = time.perf_counter(), children_cpu()
            found, problem = run_job(job, databases, directory, quick)
            run.rows += found
            seconds = time.perf_counter() - start
            run.jobs[job.label] = {
                "seconds": round(seconds, 1),
                "cpu_seconds": round(children_cpu() - cpu, 1),
                "problem": problem,
            }
            print(f"{job.label:<28} {seconds:4.0f} s  {problem or 'done'}", flush=True)
        return run
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def write_results(run: Run, path: Path, seconds: float, load_at_start: list[float]) -> None:
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "seconds": round(seconds, 1),
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "load_average_at_start": load_at_start,
            "load_average_at_end": load_average(),
        },
        "versions": {
            "python": platform.python_version(),
            "django": metadata.version("django"),
            "weasyprint": metadata.version("weasyprint"),
            "sqlite": sqlite3.sqlite_version,
            "postgresql": run.postgresql,
        },
        "rows": [row.as_json() for row in run.rows],
        "benchmarks": run.jobs,
    }
    path.write_text(json.dumps(results, indent=1, ensure_ascii=False) + "\n")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'' if number == 1 else 's'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated benchmark names, e.g. records,engine")
    parser.add_argument("--output", type=Path, default=RESULTS, help="the JSON file to write")
    parser.add_argument(
        "--quick", action="store_true", help="small sizes, to try the harness (figures mean little)"
    )
    options = parser.parse_args()
    wanted = set(options.only.split(",")) if options.only else {job.module for job in JOBS}
    unknown = wanted - {job.module for job in JOBS}
    if unknown:
        parser.error(f"no benchmark named {', '.join(sorted(unknown))}")

    started, load_at_start = time.perf_counter(), load_average()
    run = run_all([job for job in JOBS if job.module in wanted], options.quick)
    seconds = time.perf_counter() - started
    print()
    print("\n".join(Table(run.rows).lines()))
    problems = {label: job["problem"] for label, job in run.jobs.items() if job["problem"]}
    for label, problem in problems.items():
        print(f"{label}: {problem}")
    unmet = sum(row.met is False for row in run.rows)
    cpu = sum(job.get("cpu_seconds", 0) for job in run.jobs.values())
    print(
        f"\n{len(run.rows)} rows, {_count(unmet, 'goal')} {met_word(False)}, "
        f"{_count(len(problems), 'benchmark')} not measured; "
        f"{seconds:.0f} s ({cpu:.0f} s of CPU in the benchmarks) on "
        f"{os.cpu_count()} processors, load average {load_at_start[0]:g} at the start and "
        f"{load_average()[0]:g} at the end."
    )
    write_results(run, options.output, seconds, load_at_start)
    print(f"Written to {os.path.relpath(options.output)}")
    sys.exit(1 if any(not p.startswith("not run") for p in problems.values()) else 0)


if __name__ == "__main__":
    main()
