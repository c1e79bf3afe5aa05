"""Client-side deadlines for database calls.

A database server that is down refuses connections and a broken connection fails at once,
but a server that hangs (overloaded, stopped by a signal, behind a dead network path) leaves
an established connection waiting forever: it never enforces its own `statement_timeout`
and the kernel keeps the TCP connection alive. `database_deadline()` bounds such a wait from
the client side: if the call inside it is still running when its time is up, the
connection's socket is shut down (PostgreSQL) or its statement interrupted (SQLite), so the
call fails at once with an OperationalError instead of blocking the worker.

One watchdog thread per process serves every deadline (a timer thread per query would cost
a thread start on each one). It wakes at least once a second and at the earliest deadline,
so registering a deadline does not wake it unless that deadline is due sooner. A deadline
fires at most once, while its owner is still inside the `with` block (the owner cannot leave
it before a firing is complete), so the socket shut down is always the one the call uses.
Connecting is bounded separately, by the driver's `connect_timeout` (DB_CONNECT_TIMEOUT).
"""

from __future__ import annotations

import logging
import os
import socket
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import DatabaseError, InterfaceError, OperationalError, connections
from django.utils.connection import ConnectionProxy

logger = logging.getLogger(__name__)

# The longest the watchdog sleeps when nothing is due sooner: a deadline registered while it
# sleeps is noticed within this time, so only deadlines shorter than this wake it early.
IDLE_WAKE_SECONDS = 1.0
# What a database call may raise when the server is down, unreachable or cut off; only some
# of these mean that (see `is_unreachable`), the rest are errors in the code or the data.
UNREACHABLE = (OperationalError, InterfaceError)
# PostgreSQL's SQLSTATEs for a server that cannot be reached or cannot take the connection:
# class 08 (connection exceptions), shutting down or starting up, too many connections.
POSTGRES_UNREACHABLE_CLASSES = ("08",)
POSTGRES_UNREACHABLE_STATES = frozenset({"57P01", "57P02", "57P03", "53300"})
# SQLite's only errors that trying again may cure: another writer's lock, a deadline.
SQLITE_UNREACHABLE_MESSAGES = ("database is locked", "interrupted")


class Deadline:
    """One database call's deadline: `fired` says whether the call was cut off."""

    __slots__ = ("at", "connection", "fired")

    def __init__(self, connection, seconds: float) -> None:
        self.at = time.monotonic() + seconds
        self.connection = connection
        self.fired = False


def interrupt_connection(connection) -> None:
    """Make the call running on `connection` (a Django database wrapper) fail at once.

    PostgreSQL: shut the socket down through a duplicate descriptor, which ends the
    connection itself (the driver then reports the server as gone); the descriptor the
    driver owns stays open until Django closes the connection. SQLite: interrupt the
    statement, which is safe from another thread.
    """
    raw = connection.connection
    if raw is None:
        return
    if connection.vendor == "sqlite":
        raw.interrupt()
        return
    duplicate = socket.socket(fileno=os.dup(raw.fileno()))
    try:
        duplicate.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already shut down or reset by the server
    finally:
        duplicate.close()


class _Watchdog:
    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._condition = threading.Condition()
        self._deadlines: dict[int, Deadline] = {}
        self._thread: threading.Thread | None = None
        self._wakes_at = 0.0

    def add(self, deadline: Deadline) -> None:
        with self._condition:
            self._deadlines[id(deadline)] = deadline
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="database-deadlines", daemon=True
                )
                self._thread.start()
            elif deadline.at < self._wakes_at:
                self._condition.notify()

    def remove(self, deadline: Deadline) -> None:
        with self._condition:
            self._deadlines.pop(id(deadline), None)

    def _run(self) -> None:
        condition = self._condition
        while True:
            with condition:
                now = time.monotonic()
                fired = []
                for key, deadline in list(self._deadlines.items()):
                    if deadline.at <= now:
                        del self._deadlines[key]
                        fired.append((deadline, self._fire(deadline)))
                if not fired:
                    earliest = min((d.at for d in self._deadlines.values()), default=float("inf"))
                    self._wakes_at = min(earliest, now + IDLE_WAKE_SECONDS)
                    condition.wait(max(self._wakes_at - now, 0.0))
                    continue
            # Outside the lock: a slow log handler must not hold up the requests' queries.
            for deadline, error in fired:
                _log_firing(deadline, error)

    @staticmethod
    def _fire(deadline: Deadline) -> Exception | None:
        # Under the lock: the owner waits in `remove` until this is done.
        deadline.fired = True
        try:
            interrupt_connection(deadline.connection)
        except Exception as error:  # the call will end by itself; never let the watchdog die
            return error
        return None


def _log_firing(deadline: Deadline, error: Exception | None) -> None:
    if error is not None:
        logger.error("Could not interrupt a database call past its deadline", exc_info=error)
    else:
        logger.warning(
            "Cut off a database call to %r after it ran past its deadline",
            deadline.connection.alias,
        )


_watchdog = _Watchdog()
# A forked child (a server's worker process) starts with no watchdog thread and no deadlines.
os.register_at_fork(after_in_child=_watchdog._reset)


@contextmanager
def database_deadline(connection, seconds: float | None) -> Iterator[Deadline | None]:
    """Cut off the database call(s) made on `connection` inside the block if they are still
    running after `seconds`. None or 0 means no deadline. Only wrap calls that do not close
    the connection themselves (a query, `is_usable()`), never a whole request."""
    if not seconds or seconds <= 0:
        yield None
        return
    if isinstance(connection, ConnectionProxy):
        # Through the proxy, the watchdog's thread would see a connection of its own.
        connection = connection._connections[connection._alias]
    deadline = Deadline(connection, seconds)
    _watchdog.add(deadline)
    try:
        yield deadline
    except DatabaseError as error:
        if deadline.fired:
            error.deadline_fired = True  # `is_unreachable` reads it
        raise
    finally:
        _watchdog.remove(deadline)
        if deadline.fired:
            # Fired late, as the call was ending: the call may have succeeded, but the
            # connection's socket is shut down, so it must be checked before it is reused.
            connection.errors_occurred = True


def is_unreachable(error: BaseException) -> bool:
    """Whether `error` says the database cannot be reached (down, hung, cut off by a
    deadline, out of connections, or locked by another writer for too long), so the request
    deserves a 503 and trying again later is the right advice. Any other database error (a
    missing table, a syntax error, a deadlock, a broken constraint) is a fault to fix, and
    stays a 500 with its traceback."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    if getattr(error, "deadline_fired", False) or _a_connection_broke():
        return True
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        message = str(cause).lower()
        return any(known in message for known in SQLITE_UNREACHABLE_MESSAGES)
    sqlstate = getattr(cause, "sqlstate", None)
    if sqlstate:
        return (
            sqlstate.startswith(POSTGRES_UNREACHABLE_CLASSES)
            or sqlstate in POSTGRES_UNREACHABLE_STATES
        )
    # No server's diagnosis: the driver itself failed to connect or lost the connection.
    return True


def _a_connection_broke() -> bool:
    """Whether one of this thread's connections is closed or broken under Django's feet."""
    for wrapper in connections.all(initialized_only=True):
        raw = wrapper.connection
        if raw is not None and (getattr(raw, "closed", False) or getattr(raw, "broken", False)):
            return True
    return False


def checks_database_itself(view: Callable) -> Callable:
    """Mark a view that checks the database under its own deadline (the health check), so
    the middleware does not check the connection before it."""
    view.checks_database_itself = True
    return view


def drop_connection(connection) -> None:
    """Close a connection that failed, unless a transaction still holds it (the block that
    opened it closes or rolls it back)."""
    if connection.connection is not None and not connection.in_atomic_block:
        try:
            connection.close()
        except UNREACHABLE:
            connection.connection = None
