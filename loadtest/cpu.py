"""Where the machine's CPU went during the run: gunicorn, PostgreSQL, locust, the rest.

On a small machine the load generator and the server share the cores; when the latency
goal is missed, these figures tell a saturated machine from a slow request. Read from
/proc (Linux); elsewhere the figures are simply left out.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

PROC = Path("/proc")


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state is the first)."""
    try:
        data = (PROC / str(pid) / "stat").read_text()
    except OSError:  # the process ended meanwhile
        return None
    return data[data.rfind(")") + 2 :].split()


def _ticks(pid: int, *, ended_children: bool = False) -> int:
    """CPU ticks of `pid` (utime + stime), and with `ended_children` those of its children
    that have ended (cutime + cstime: a PostgreSQL backend that closed its connection)."""
    fields = _stat_fields(pid)
    if not fields:
        return 0
    return sum(int(value) for value in fields[11 : 15 if ended_children else 13])


def _family_ticks(root: int | None) -> int:
    """CPU ticks of `root` and its children (gunicorn's workers, PostgreSQL's backends)."""
    if root is None:
        return 0
    total = _ticks(root, ended_children=True)
    for entry in PROC.iterdir():
        if entry.name.isdigit():
            fields = _stat_fields(int(entry.name))
            if fields and fields[1] == str(root):
                total += int(fields[11]) + int(fields[12])
    return total


def postmaster(port: int | None) -> int | None:
    """The PostgreSQL server listening on `port` (its command line names the port)."""
    if port is None:
        return None
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            arguments = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if arguments and arguments[0].endswith(b"/postgres") and b"-p" in arguments:
            at = arguments.index(b"-p")
            if arguments[at + 1 : at + 2] == [str(port).encode()]:
                return int(entry.name)
    return None


def _machine() -> tuple[int, int]:
    """Busy and total ticks of all CPUs since boot."""
    values = [int(v) for v in (PROC / "stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    total = sum(values[:8])  # guest time is already counted in user time
    return total - idle, total


def snapshot(*, server_pid: int | None, database_pid: int | None) -> dict[str, Any] | None:
    """CPU ticks so far: the machine, the server and its workers, the database, this process."""
    if not (PROC / "stat").exists():
        return None
    busy, total = _machine()
    own = os.times()
    return {
        "at": time.monotonic(),
        "busy": busy,
        "total": total,
        "server": _family_ticks(server_pid),
        "database": _family_ticks(database_pid),
        "load": own.user + own.system,  # seconds
    }


def usage(before: dict[str, Any] | None, after: dict[str, Any] | None) -> dict[str, Any]:
    """How busy the machine was between two snapshots, and who used the CPU time."""
    if not before or not after or after["total"] <= before["total"]:
        return {}
    hertz = os.sysconf("SC_CLK_TCK")
    busy = (after["busy"] - before["busy"]) / hertz
    server = max(after["server"] - before["server"], 0) / hertz
    database = max(after["database"] - before["database"], 0) / hertz
    load = after["load"] - before["load"]
    return {
        "cpus": os.cpu_count(),
        "busy_percent": 100 * (after["busy"] - before["busy"]) / (after["total"] - before["total"]),
        "seconds": {
            "gunicorn": server,
            "PostgreSQL": database,
            "locust": load,
            "everything else": max(busy - server - database - load, 0.0),
        },
    }
