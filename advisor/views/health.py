"""The load balancer's health check.

It answers within DB_HEALTH_CHECK_DEADLINE (1.5 s by default) whatever the database does:
down, refusing connections, or hung with connections open.

- With a connection kept from an earlier request, SELECT 1 runs on it in this thread under
  a client-side deadline (`advisor.middleware.deadlines`): a hung server has its socket
  shut down when the time is up, the query fails at once and the connection is dropped.
  A kept connection that fails at once (the server restarted since it was opened) is
  dropped too, and the check goes on as below on a fresh one, within the time left.
- Without one, connecting could take the whole DB_CONNECT_TIMEOUT (the driver's floor is
  2 s), so a helper thread connects on a fresh connection of its own, runs SELECT 1 under
  what is left of the deadline, and closes it, while this request waits for it at most
  the deadline. A helper that is still connecting when the request gives up ends by itself
  within DB_CONNECT_TIMEOUT; until then the next checks answer 503 at once rather than
  start another, so there is never more than one helper per process.
"""

from __future__ import annotations

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor.middleware.deadlines import (
    checks_database_itself,
    database_deadline,
    drop_connection,
)
from advisor.views.errors import RETRY_AFTER_SECONDS

logger = logging.getLogger(__name__)
_helper_running = threading.Lock()


def _select_one(wrapper, seconds: float) -> None:
    with database_deadline(wrapper, seconds), wrapper.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def _answers_on_kept_connection(wrapper, until: float) -> bool:
    """Whether the kept connection answers; one that fails before its deadline (a restarted
    server closed it) is dropped and the check goes on on a fresh connection."""
    wrapper.health_check_done = True  # this SELECT 1 is the check
    try:
        _select_one(wrapper, max(until - time.monotonic(), 0.001))
    except DatabaseError as error:
        drop_connection(wrapper)
        if getattr(error, "deadline_fired", False) or wrapper.connection is not None:
            return False  # hung, or held by a transaction (tests only): no second connection
        remaining = until - time.monotonic()
        return remaining > 0 and _answers_on_fresh_connection(wrapper, remaining)
    return True


def _check_on_fresh_connection(probe, until: float, result: dict) -> None:
    try:
        try:
            probe.ensure_connection()
            remaining = until - time.monotonic()
            if remaining > 0:
                _select_one(probe, remaining)
                result["ok"] = True
        finally:
            probe.close()
    except DatabaseError:
        pass
    except Exception:
        logger.exception("The health check failed unexpectedly")
    finally:
        _helper_running.release()


def _answers_on_fresh_connection(wrapper, seconds: float) -> bool:
    if not _helper_running.acquire(blocking=False):
        return False  # the previous check is still waiting for the server
    result: dict = {}
    try:
        probe = wrapper.copy()  # a connection of its own, used by the helper thread alone
        probe.inc_thread_sharing()
        helper = threading.Thread(
            target=_check_on_fresh_connection,
            args=(probe, time.monotonic() + seconds, result),
            name="healthz-check",
            daemon=True,
        )
        helper.start()
    except BaseException:
        _helper_running.release()
        raise
    helper.join(seconds)
    return result.get("ok", False)


def database_answers(wrapper, seconds: float) -> bool:
    """Whether the database of `wrapper` (a Django connection, or the default connection's
    proxy, of this thread) answers SELECT 1 within `seconds`."""
    if wrapper.connection is not None:
        return _answers_on_kept_connection(wrapper, time.monotonic() + seconds)
    return _answers_on_fresh_connection(wrapper, seconds)


@never_cache
@require_GET
@checks_database_itself
def healthz(request: HttpRequest) -> HttpResponse:
    """200 when the database answers, 503 when it does not: for load balancers and benchmarks."""
    if database_answers(connection, settings.DB_HEALTH_CHECK_DEADLINE):
        return JsonResponse({"status": "ok", "database": "up"})
    response = JsonResponse({"status": "unavailable", "database": "down"}, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
