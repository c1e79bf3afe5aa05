"""The pages Crossroads answers with when it refuses or cannot serve a request.

They are rendered without the request: no session, no signed-in user, no database query,
so they work when the database is unreachable and cannot fail on the input they refuse.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import add_never_cache_headers

DATABASE_UNAVAILABLE = (
    "Crossroads cannot reach its database right now. Try again in a minute; if you were "
    "saving a change, check first whether it was saved."
)
# Seconds a client (or a load balancer) is asked to wait before retrying a 503.
RETRY_AFTER_SECONDS = 60


def error_page(status: int, message: str, *, title: str = "", **context) -> HttpResponse:
    """The page templates/<status>.html carrying `message`, never stored by any cache."""
    body = render_to_string(f"{status}.html", {"message": message, "title": title, **context})
    response = HttpResponse(body, status=status)
    add_never_cache_headers(response)
    return response


def database_unavailable() -> HttpResponse:
    """503 for a database that cannot be reached (or answered too late)."""
    response = error_page(503, DATABASE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
