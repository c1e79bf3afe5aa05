"""Export a team's decision log to a file, for pipelines: a repository zip or the PDF."""

from __future__ import annotations

import io
import logging
import os
import re
import zipfile
import zlib
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.template.defaultfilters import filesizeformat

from advisor.models import Team
from decisions.exporting import FORMAT_LABELS, FORMATS, build_export
from decisions.selectors import decisions_for_export
from decisions.services.exports import export_systems


def bad_input(message: str) -> CommandError:
    """A mistake in what the command was given: one line on stderr, exit code 2."""
    return CommandError(message, returncode=2)


PAGE = re.compile(rb"/Type\s*/Page(?![A-Za-z])")
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def pdf_page_count(data: bytes) -> int:
    """The pages of a PDF, counted from its page objects, whether they stand in the file
    or inside its compressed object streams (as WeasyPrint writes them)."""
    count = len(PAGE.findall(data))
    for body in STREAM.findall(data):
        try:
            count += len(PAGE.findall(zlib.decompress(body)))
        except zlib.error:
            continue  # an image or a stream that is not deflated: no page objects in it
    return count


def output_path(out: str, filename: str) -> Path:
    """Where to write: `out` itself, or the export's own file name inside it when it is a
    folder. Raises `CommandError` when nothing can be written there."""
    path = Path(out)
    if path.is_dir():
        path = path / filename
    folder = path.parent
    if not folder.exists():
        raise bad_input(f"Cannot write {path}: the folder {folder} does not exist.")
    if not folder.is_dir():
        raise bad_input(f"Cannot write {path}: {folder} is not a folder.")
    if not os.access(folder, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise bad_input(f"Cannot write {path}: permission denied.")
    return path


def _size(count: int) -> str:
    return filesizeformat(count).replace("\xa0", " ")  # a terminal needs no hard spaces


class Command(BaseCommand):
    help = (
        "Export a team's decisions (or one system's) as a repository zip in an ADR tool's "
        "layout, as Crossroads JSON, or as the whole-log PDF. Bad input exits with code 2 "
        "and one line on stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Checked in handle() rather than by argparse, so every mistake is one line.
        parser.add_argument("--team", default="", metavar="SLUG", help="the team's slug")
        parser.add_argument(
            "--system", default="", metavar="NAME", help="only this system's decisions"
        )
        parser.add_argument(
            "--format",
            default="",
            help="one of " + ", ".join(f"{key} ({label})" for key, label in FORMAT_LABELS.items()),
        )
        parser.add_argument(
            "--out",
            default="",
            metavar="PATH",
            help="the file to write, or a folder to write the export's own file name into",
        )

    def handle(self, *args, team: str, system: str, format: str, out: str, **options) -> None:
        if not team:
            raise bad_input("Name the team with --team SLUG.")
        if format not in FORMATS:
            said = f"Unknown format {format!r}" if format else "No format given"
            raise bad_input(f"{said}: use --format {'|'.join(FORMATS)}.")
        if not out:
            raise bad_input("Name the file to write with --out PATH.")
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise bad_input(f"No team has the slug {team!r}.")
        if system and system not in export_systems(found):
            raise bad_input(f"Team {team!r} has no system named {system!r}.")
        output_path(out, "export")  # refuse before the work, not after it

        # Font subsetting reports, at warning level, tables it drops from fonts; the PDF is
        # complete all the same, and pipelines take anything on stderr for a failure.
        logging.getLogger("fontTools").setLevel(logging.ERROR)
        export = build_export(team=found, format=format, system=system)
        total = decisions_for_export(found, system=system).count()
        path = output_path(out, export.filename)
        try:
            path.write_bytes(export.data)
        except OSError as error:
            raise bad_input(f"Cannot write {path}: {error.strerror}.") from None
        if export.content_type == "application/zip":
            with zipfile.ZipFile(io.BytesIO(export.data)) as archive:
                for name in archive.namelist():
                    self.stdout.write(name)
        else:
            pages = pdf_page_count(export.data)
            self.stdout.write(f"{pages} page{'s' if pages != 1 else ''}, {_size(len(export.data))}")
        for note in export.notes:
            self.stdout.write(f"Note: {note}")
        self.stdout.write(f"Exported {total} decision{'s' if total != 1 else ''} to {path}")
