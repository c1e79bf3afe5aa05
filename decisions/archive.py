"""Reading an upload of ADR files safely: a zip, one file, or a folder's files.

Nothing in an archive is trusted. Paths that leave it (absolute, `..`, drive letters) and
links are refused; the number of files, each file's size, the total expanded size and the
expansion ratio are capped (settings `IMPORT_MAX_FILES`, `IMPORT_MAX_FILE_BYTES`,
`IMPORT_MAX_TOTAL_BYTES`, `IMPORT_MAX_RATIO`), and sizes are checked while reading, never
taken from the archive's own word. Text must be UTF-8.
"""

from __future__ import annotations

import io
import posixpath
import stat
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

# Files that belong to an ADR repository without being records.
HOUSEKEEPING = {".adr-dir", ".log4brains.yml", "readme.md", "index.md", "template.md",
                "backlog.md", ".markdownlint.yml", "adr-template.md", "toc.md"}  # fmt: skip
READ = (".md", ".json")
EXPANDS = "The archive expands to far more than its size; it cannot be imported."


def limit(name: str) -> int:
    defaults = {
        "IMPORT_MAX_FILES": 5000,
        "IMPORT_MAX_FILE_BYTES": 1024 * 1024,
        "IMPORT_MAX_TOTAL_BYTES": 100 * 1024 * 1024,
        "IMPORT_MAX_RATIO": 200,
    }
    return int(getattr(settings, name, defaults[name]))


class ArchiveError(Exception):
    """The upload as a whole cannot be read; the message says why."""


@dataclass
class Upload:
    """The files of an upload: text by path, and what was left out and why."""

    texts: dict[str, str] = field(default_factory=dict)
    problems: dict[str, str] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)


def _safe_path(name: str) -> str | None:
    """`name` as a path inside the archive, or None when it would leave it."""
    if "\x00" in name or "\\" in name:
        return None
    if name.startswith("/") or (len(name) > 1 and name[1] == ":"):
        return None
    normal = posixpath.normpath(name)
    if normal.startswith("../") or normal == ".." or normal.startswith("/"):
        return None
    return normal


def _decode(path: str, data: bytes, upload: Upload, size: int | None = None) -> None:
    """`data` as text; `size` is the file's whole size when only its start was read."""
    size = max(size or 0, len(data))
    if size > limit("IMPORT_MAX_FILE_BYTES"):
        upload.problems[path] = (
            f"it is {_size(size)}; a record may be at most {_size(limit('IMPORT_MAX_FILE_BYTES'))}."
        )
        return
    try:
        text = data.decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    except UnicodeDecodeError as error:
        upload.problems[path] = (
            f"it is not UTF-8 text (byte {error.start + 1} cannot be read); save it as UTF-8."
        )
        return
    if "\x00" in text:
        upload.problems[path] = "it holds NUL characters, which no text file has."
        return
    upload.texts[path] = text


def _size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size // 1024} KB"


def _wanted(path: str, upload: Upload) -> bool:
    name = posixpath.basename(path)
    if name.startswith(".") or "__MACOSX" in path.split("/"):
        return False
    if name.lower() in HOUSEKEEPING:
        upload.skipped[path] = "part of the repository, not a record"
        return False
    if not name.lower().endswith(READ):
        upload.skipped[path] = "not a Markdown or JSON file"
        return False
    return True


def read_zip(data: bytes) -> Upload:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError):
        raise ArchiveError("This is not a zip archive.") from None
    members = [info for info in archive.infolist() if not info.is_dir()]
    if len(members) > limit("IMPORT_MAX_FILES"):
        raise ArchiveError(
            f"The archive holds {len(members)} files; at most {limit('IMPORT_MAX_FILES')} "
            f"can be imported at once."
        )
    declared = sum(info.file_size for info in members)
    budget = min(limit("IMPORT_MAX_TOTAL_BYTES"), max(len(data), 1) * limit("IMPORT_MAX_RATIO"))
    if declared > budget:
        raise ArchiveError("The archive expands to far more than its size; it cannot be imported.")
    upload, used = Upload(), 0
    for info in members:
        path = _safe_path(info.filename)
        if path is None:
            upload.problems[info.filename] = "its path leads outside the archive."
            continue
        if stat.S_ISLNK(info.external_attr >> 16):
            upload.problems[path] = "it is a link, not a file."
            continue
        if not _wanted(path, upload):
            continue
        try:
            with archive.open(info) as handle:  # read no more than allowed, whatever it says
                content = handle.read(limit("IMPORT_MAX_FILE_BYTES") + 1)
        except (zipfile.BadZipFile, RuntimeError, NotImplementedError, OSError) as error:
            upload.problems[path] = f"it cannot be unpacked ({error})."
            continue
        used += len(content)
        if used > budget:
            raise ArchiveError(
                "The archive expands to far more than its size; it cannot be imported."
            )
        _decode(path, content, upload, size=info.file_size)
    return upload


def read_upload(name: str, data: bytes) -> Upload:
    """An uploaded file: a zip of a repository, or one Markdown or JSON record."""
    if data[:4] == b"PK\x03\x04" or name.lower().endswith(".zip"):
        return read_zip(data)
    path = _safe_path(posixpath.basename(name)) or "upload"
    upload = Upload()
    if _wanted(path, upload):
        _decode(path, data, upload)
    elif path not in upload.skipped:
        upload.skipped[path] = "not a record"
    if not upload.texts and not upload.problems:
        raise ArchiveError(
            "Upload a zip of ADR files, or one Markdown (.md) or Crossroads JSON record."
        )
    return upload


def read_files(files: dict[str, bytes]) -> Upload:
    """Files read from a folder (path inside it to bytes), with the same limits."""
    if len(files) > limit("IMPORT_MAX_FILES"):
        raise ArchiveError(
            f"The folder holds {len(files)} files; at most {limit('IMPORT_MAX_FILES')} can be "
            f"imported at once."
        )
    upload = Upload()
    for path, data in sorted(files.items()):
        if _wanted(path, upload):
            _decode(path, data, upload)
    return upload
