"""The project's settings for `collectstatic` in the load test only: the same hashed names
and manifest (staticfiles.json) that production's WhiteNoise storage writes and the app
reads, without pre-compressing every file.

Compressing the 34 MB of static files (Brotli and gzip) takes a minute of CPU on a small
machine, and the load test requests no static file: the pages it times link to the same
hashed names either way. The server itself runs with advisor.settings unchanged.
"""

from __future__ import annotations

from advisor.settings import *  # noqa: F403
from advisor.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
