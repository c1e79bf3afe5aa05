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
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import InterfaceError, OperationalError
from django.utils.connection import ConnectionProxy

logger = logging.getLogger(__name__)

# The longest the watchdog sleeps when nothing is due sooner: a deadline registered while it
# sleeps is noticed within this time, so only deadlines shorter than this wake it early.
IDLE_WAKE_SECONDS = 1.0
# What reaching a database raises when it is down, unreachable or cut off.
UNREACHABLE = (OperationalError, InterfaceError)


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
        with condition:
            while True:
                now = time.monotonic()
                for key, deadline in list(self._deadlines.items()):
                    if deadline.at <= now:
                        del self._deadlines[key]
                        self._fire(deadline)
                earliest = min((d.at for d in self._deadlines.values()), default=float("inf"))
                self._wakes_at = min(earliest, now + IDLE_WAKE_SECONDS)
                condition.wait(max(self._wakes_at - now, 0.0))

    @staticmethod
    def _fire(deadline: Deadline) -> None:
        # Under the lock: the owner waits in `remove` until this is done.
        deadline.fired = True
        try:
            interrupt_connection(deadline.connection)
        except Exception:  # the call will end by itself; never let the watchdog die
            logger.exception("Could not interrupt a database call past its deadline")
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
    finally:
        _watchdog.remove(deadline)


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
