"""Whole-log exports: a team's (or one system's) decisions as one file.

Each format is a zip laid out like the repository its tool keeps (see decisions.dialects),
our own JSON, or the whole-log PDF. The same function serves the background task, the
command line and the benchmarks; `progress(done, total)` is called as decisions are
written, so a page can show how far along the export is.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.text import slugify

from advisor.models import Team
from decisions import dialects
from decisions.models import EXPORT_JOB_TEXTS
from decisions.selectors import decisions_for_export

Progress = Callable[[int, int], None]

FORMAT_LABELS = {
    "madr": "MADR 4 (zip)",
    "adr-tools": "adr-tools (zip)",
    "log4brains": "log4brains (zip)",
    "json": "Crossroads JSON (zip)",
    "pdf": "Whole-log PDF",
}
FORMATS = tuple(FORMAT_LABELS)

# What an export job keeps of the file's name and of the notes on what the format could
# not hold.
FILENAME_LENGTH = EXPORT_JOB_TEXTS["filename"]
SUMMARY_LENGTH = EXPORT_JOB_TEXTS["summary"]
# A file name keeps the whole of a team's slug (unique, and short).
TEAM_SLUG_LENGTH = Team._meta.get_field("slug").max_length


@dataclass(frozen=True)
class ExportFile:
    filename: str
    content_type: str
    data: bytes
    # What the format could not hold, one sentence each (log4brains keeps one superseder…).
    notes: tuple[str, ...] = field(default=())

    @property
    def summary(self) -> str:
        """The notes as one text within what an export job keeps: whole notes, and how many
        more there were when they do not all fit (a page reads the first ones, not all)."""
        summary = " ".join(self.notes)
        if len(summary) <= SUMMARY_LENGTH:
            return summary
        kept: list[str] = []
        for count, note in enumerate(self.notes):
            more = f"And {len(self.notes) - count:,} more of the same kind."
            if len(" ".join([*kept, note, more])) > SUMMARY_LENGTH:
                return " ".join([*kept, more])
            kept.append(note)
        return summary  # not reached: all the notes together are longer than the cap


def _ignore(done: int, total: int) -> None:
    pass


def export_filename(team: Team, system: str, format: str, extension: str) -> str:
    """The export's file name: the team's slug, the system's (when one is exported), the
    format and the day, within what an export job keeps (slugs cut after a whole word)."""
    tail = f"-decisions-{format}-{timezone.localdate():%Y%m%d}.{extension}"
    scope = _slug_within(team.slug, TEAM_SLUG_LENGTH)
    if system_slug := slugify(system):
        room = FILENAME_LENGTH - len(tail) - len(scope) - 1
        scope = f"{scope}-{_slug_within(system_slug, room)}"
    return scope + tail


def _slug_within(slug: str, limit: int) -> str:
    """`slug` in at most `limit` characters: cut after its last whole word that fits, or
    within a word when a single one is longer than half of it."""
    if len(slug) <= limit:
        return slug
    end = slug.rfind("-", 0, limit + 1)
    return slug[:end] if end >= limit // 2 else slug[:limit]


def zip_bytes(files: dict[str, str]) -> bytes:
    """The files (path to text) as a zip, in path order, with fixed timestamps so the same
    log always gives the same archive."""
    buffer = io.BytesIO()
    # The fastest level: Markdown compresses well at any of them.
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for path in sorted(files):
            info = zipfile.ZipInfo(path, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, files[path].encode("utf-8"), compresslevel=1)
    return buffer.getvalue()


def build_export(
    *, team: Team, format: str, system: str = "", progress: Progress = _ignore
) -> ExportFile:
    """The team's decisions (one system's when `system` is given) in `format`."""
    if format not in FORMATS:
        raise ValueError(f"Unknown export format {format!r}: use one of {', '.join(FORMATS)}.")
    # Only our JSON carries every revision; the other formats read a record's history.
    decisions = list(decisions_for_export(team, system=system, whole_history=format == "json"))
    if format == "pdf":
        from decisions.log_pdf import render_log_pdf  # WeasyPrint loads only when needed

        data = render_log_pdf(team=team, system=system, decisions=decisions, progress=progress)
        return ExportFile(export_filename(team, system, format, "pdf"), "application/pdf", data)
    written = dialects.get(format).write(decisions, progress=progress)
    return ExportFile(
        export_filename(team, system, format, "zip"),
        "application/zip",
        zip_bytes(written.files),
        notes=written.notes,
    )
