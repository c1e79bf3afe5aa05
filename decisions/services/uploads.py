"""Uploads of ADR files kept between their preview and the import that confirms them.

An upload is stored as it came (one zip, or one Markdown or JSON file); the files of a
folder, or several files chosen at once, are stored as one zip made here. Uploads are kept
for a day (setting `IMPORT_KEEP_UPLOADS_HOURS`): older ones are neither shown nor imported,
and are deleted whenever someone uploads again.
"""

from __future__ import annotations

import io
import posixpath
import zipfile
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from advisor.models import Team
from decisions.archive import ArchiveError, Upload, read_files, read_upload
from decisions.models import Decision, ImportUpload
from decisions.services.importing import import_apply

DEFAULT_MAX_UPLOAD_BYTES = 20 * 1024 * 1024
ZIP = ".zip"


class UploadGone(Exception):
    """The upload was imported (or removed) by another request in the meantime."""


def keep_uploads_for() -> timedelta:
    """How long an upload waits for its confirmation (IMPORT_KEEP_UPLOADS_HOURS)."""
    return timedelta(hours=getattr(settings, "IMPORT_KEEP_UPLOADS_HOURS", 24))


def max_upload_bytes() -> int:
    """The most one upload may weigh, all its files together (IMPORT_MAX_UPLOAD_BYTES)."""
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def bundle_files(files: dict[str, bytes]) -> bytes:
    """Files (path to bytes) as one zip. Stored without compression, so the archive is as
    large as what it holds and the expansion limits of `decisions.archive` never refuse it."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path])
    return buffer.getvalue()


def received_upload(files: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """The name and bytes to keep for what was sent: one file as it is, several (their
    paths inside the folder, or their names) as one zip. Raises `ArchiveError` when the
    upload cannot be read or holds nothing that could be a record."""
    if not files:
        raise ArchiveError("Choose a zip, a Markdown or JSON record, or a folder of them.")
    if len(files) == 1:
        name, data = files[0]
        read_upload(name, data)
        return posixpath.basename(name) or "upload", data
    if any(name.lower().endswith(ZIP) for name, _ in files):
        raise ArchiveError("Upload a zip on its own, or several .md and .json files without it.")
    by_path = dict(files)
    upload = read_files(by_path)
    if not upload.texts and not upload.problems:
        raise ArchiveError("None of these files is a Markdown (.md) or JSON record.")
    return _bundle_name(list(by_path)), bundle_files(by_path)


def _bundle_name(paths: list[str]) -> str:
    """A name for files sent together: their folder's, when they came from one."""
    tops = {path.split("/", 1)[0] for path in paths if "/" in path}
    folder = tops.pop() if len(tops) == 1 else "files"
    return f"{folder}{ZIP}"


def uploads_prune(*, now: datetime | None = None) -> int:
    """Delete every team's uploads past their time; how many were deleted."""
    cutoff = (now or timezone.now()) - keep_uploads_for()
    deleted, _ = ImportUpload.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def upload_keep(*, team: Team, user, filename: str, data: bytes) -> ImportUpload:
    """Keep an upload for its preview (and clear away the expired ones first)."""
    uploads_prune()
    return ImportUpload.objects.create(
        team=team, uploaded_by=user, filename=filename[:255], data=data
    )


def upload_for_team(team: Team, pk: int, *, now: datetime | None = None) -> ImportUpload | None:
    """The team's upload `pk` while it is kept; None when it is another team's, was
    imported, or is past its time (even if not deleted yet)."""
    cutoff = (now or timezone.now()) - keep_uploads_for()
    return (
        ImportUpload.objects.select_related("uploaded_by")
        .filter(team=team, pk=pk, created_at__gte=cutoff)
        .first()
    )


def upload_read(upload: ImportUpload) -> Upload:
    """The files of a kept upload, read again with the archive's limits."""
    return read_upload(upload.filename, bytes(upload.data))


@transaction.atomic
def upload_import(*, upload: ImportUpload, user) -> list[Decision]:
    """Import a kept upload into its team and delete it, all or nothing.

    The row is deleted first, in the same transaction: a second confirmation of the same
    upload (a double click, two tabs) waits for the first and then finds nothing to
    delete, so the records are never created twice (`UploadGone`). A `ValidationError`
    from the import rolls the deletion back, and the upload stays for another look."""
    claimed, _ = ImportUpload.objects.filter(pk=upload.pk).delete()
    if not claimed:
        raise UploadGone("This upload has already been imported.")
    return import_apply(team=upload.team, user=user, upload=upload_read(upload))
