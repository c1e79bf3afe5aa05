"""Sign-in throttling with django-axes: who the client is, and what a locked-out one sees.

Axes counts failed sign-ins per account and per client address (AXES_LOCKOUT_PARAMETERS in
the settings) on the app's login page and the admin's alike, since both authenticate
through AxesStandaloneBackend. Past the limit, `lockout_response` answers 429 with a page
saying how long to wait, and logs the refusal.
"""

from __future__ import annotations

import ipaddress
import logging

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from advisor.views.errors import error_page

logger = logging.getLogger("advisor.security")


def _address(value: str) -> str | None:
    """The IP address in one X-Forwarded-For entry, which some proxies write with the
    client's port: `203.0.113.5:51234`, `[2001:db8::5]:51234` or `[2001:db8::5]`."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address, as the TRUSTED_PROXY_COUNT proxies in front saw it.

    Each trusted proxy appends the address it was connected from to X-Forwarded-For, so
    with N of them the client is the N-th entry from the right; anything further left was
    sent by the client itself and cannot be trusted. Without proxies (N = 0), or when the
    header holds fewer entries than there are proxies (a request that did not come through
    them all), the address of the connection is used.
    """
    remote = request.META.get("REMOTE_ADDR")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [part for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < proxies:
        return remote
    return _address(forwarded[-proxies]) or remote


def lockout_minutes() -> int:
    return max(round(settings.AXES_COOLOFF_TIME.total_seconds() / 60), 1)


def lockout_message() -> str:
    minutes = lockout_minutes()
    return (
        "Too many failed sign-ins for this account or from this address. "
        f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
    )


def lockout_response(
    request: HttpRequest, original_response=None, credentials: dict | None = None
) -> HttpResponse:
    """429 with templates/429.html; the AXES_LOCKOUT_CALLABLE."""
    username = (credentials or {}).get(settings.AXES_USERNAME_FORM_FIELD, "")
    logger.warning(
        "Refused a sign-in: too many failures for account %r or from address %s",
        username, getattr(request, "axes_ip_address", None) or client_address(request),
    )  # fmt: skip
    response = error_page(429, lockout_message(), title="Sign-in paused")
    response["Retry-After"] = str(lockout_minutes() * 60)
    return response
