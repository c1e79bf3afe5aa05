"""The test suite's settings: production's (DEBUG off), with what tests need on top.

The suite runs without DEBUG or SECRET_KEY in the environment, like a production server,
so it checks the settings people deploy. Only these differ: a key of its own, plain HTTP
(the test client and the live server speak no TLS), static files served from the sources
(no collectstatic), and sign-in throttling off except in the tests about it (the test
client's `login()` has no request for django-axes to count).
"""

from __future__ import annotations

import os

os.environ.setdefault("SECRET_KEY", "tests-only-secret-key-never-used-to-sign-anything-real")

from advisor.settings import *  # noqa: F403

ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1", "[::1]"]
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_HSTS_SECONDS = 0
STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
AXES_ENABLED = False
