"""The app's production settings, with a static files storage that writes the hashed names
and their manifest but does not compress every file as WhiteNoise's does (a few seconds
instead of minutes): the benchmarks render pages, which name static files through the
manifest, and never download one."""

from advisor.settings import *  # noqa: F403

STORAGES = {
    **STORAGES,  # noqa: F405
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
}
