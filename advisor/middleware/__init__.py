"""The project's middleware, one module per concern; settings.MIDDLEWARE names them here."""

from __future__ import annotations

from advisor.middleware.caching import PrivateCacheMiddleware
from advisor.middleware.database import DatabaseUnavailableMiddleware
from advisor.middleware.htmx import HtmxLoginRedirectMiddleware
from advisor.middleware.requests import (
    RequestBodyMiddleware,
    UnreadableInputMiddleware,
    accepts_uploads,
)

__all__ = [
    "DatabaseUnavailableMiddleware",
    "HtmxLoginRedirectMiddleware",
    "PrivateCacheMiddleware",
    "RequestBodyMiddleware",
    "UnreadableInputMiddleware",
    "accepts_uploads",
]
