"""An unreachable database answers 503 with a page that says so, never a bare 500.

Whenever reaching the database fails (refused, reset, timed out, cut off by a deadline, out
of connections, shutting down; on SQLite, locked for too long: see `is_unreachable`), the
request gets templates/503.html with Retry-After, the error is logged with its traceback,
the broken connection is dropped, and the next request connects afresh, so pages recover
by themselves when the database is back. Every other database error (a missing table or
column, bad SQL, a deadlock) is a fault in the code and stays a 500. A failure in a view
is caught by `process_exception`; one outside any view (SessionMiddleware saving the
session) reaches Django's 500 handling first, which reports it through
`got_request_exception`, so the 500 it made is replaced here.

Each request also gets client-side deadlines (see `advisor.middleware.deadlines`): the
connection's health check (a SELECT 1 on a connection kept from an earlier request) must
answer within DB_HEALTH_CHECK_DEADLINE, and every query within DB_CLIENT_DEADLINE, a little
longer than the server's own statement timeout, so it only ever cuts off a server that has
stopped answering altogether. A health check that runs out of time answers 503 at once,
without trying to connect again in the same request.
"""

from __future__ import annotations

import logging
import sys
from contextlib import ExitStack

from django.conf import settings
from django.core.signals import got_request_exception
from django.db import connections
from django.dispatch import receiver

from advisor.middleware.deadlines import (
    database_deadline,
    drop_connection,
    is_unreachable,
)
from advisor.views.errors import database_unavailable

logger = logging.getLogger(__name__)
UNAVAILABLE_LOG = "Answered 503: the database could not be reached"


def health_check(connection, seconds: float) -> bool:
    """Django's connection health check, run now and within `seconds`: True when the kept
    connection answered (or there is none to check), False when it ran out of time. A
    connection that answers with an error is closed, as Django would, and the request
    connects again when it needs to."""
    if (
        connection.connection is None
        or not connection.health_check_enabled
        or connection.health_check_done
    ):
        return True
    with database_deadline(connection, seconds) as deadline:
        usable = connection.is_usable()
    if not usable:
        drop_connection(connection)
    connection.health_check_done = True
    return not (deadline and deadline.fired)


class _QueryDeadline:
    """An execute wrapper giving each query DB_CLIENT_DEADLINE and noting failures."""

    def __init__(self, request, seconds: float) -> None:
        self.request = request
        self.seconds = seconds

    def __call__(self, execute, sql, params, many, context):
        try:
            with database_deadline(context["connection"], self.seconds):
                return execute(sql, params, many, context)
        except Exception as error:
            if is_unreachable(error):
                self.request.database_unreachable = True
            raise


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request):
        request.database_unreachable = False
        wrapper = _QueryDeadline(request, settings.DB_CLIENT_DEADLINE)
        with ExitStack() as stack:
            for connection in connections.all(initialized_only=False):
                stack.enter_context(connection.execute_wrapper(wrapper))
            response = self.get_response(request)
        if response.status_code == 500 and request.database_unreachable:
            # Raised outside any view (a middleware saving the session, say): Django has
            # already turned it into its 500 page.
            response = database_unavailable()
        for connection in connections.all(initialized_only=True):
            self._settle(connection)
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, "checks_database_itself", False):
            return None
        seconds = settings.DB_HEALTH_CHECK_DEADLINE
        for connection in connections.all(initialized_only=True):
            if not health_check(connection, seconds):
                drop_connection(connection)
                logger.error(
                    "%s: the kept connection to %r did not answer its health check in %s s",
                    UNAVAILABLE_LOG, connection.alias, seconds,
                )  # fmt: skip
                return database_unavailable()
        return None

    def process_exception(self, request, exception):
        if not is_unreachable(exception):
            return None
        logger.error(UNAVAILABLE_LOG, exc_info=exception)
        for connection in connections.all(initialized_only=True):
            drop_connection(connection)
        return database_unavailable()

    @staticmethod
    def _settle(connection) -> None:
        """What Django does when the request finishes (is a connection that had an error
        still usable?), done here under the health check's deadline: Django's own check
        would wait forever on a server that stopped answering."""
        if (
            connection.connection is None
            or not connection.errors_occurred
            or connection.in_atomic_block
        ):
            return
        with database_deadline(connection, settings.DB_HEALTH_CHECK_DEADLINE):
            usable = connection.is_usable()
        if usable:
            connection.errors_occurred = False
            connection.health_check_done = True
        else:
            drop_connection(connection)


@receiver(got_request_exception, dispatch_uid="advisor.database_unreachable")
def _note_unreachable_database(sender, request=None, **kwargs) -> None:
    """Note on the request that an exception Django is about to answer with its 500 page
    came from an unreachable database; the middleware answers 503 instead."""
    error = sys.exc_info()[1]
    if request is not None and error is not None and is_unreachable(error):
        logger.error(UNAVAILABLE_LOG, exc_info=error)
        request.database_unreachable = True
