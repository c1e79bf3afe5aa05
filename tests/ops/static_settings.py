"""Production settings for collecting static files once per fault-test run: the same
manifest the production storage reads, without pre-compressing every file (WhiteNoise
serves the plain files then), which would take minutes on a busy machine and is no part of
what the fault tests check."""

from advisor.settings import *  # noqa: F403
from advisor.settings import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
