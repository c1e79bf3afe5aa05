"""Import ADR files into a team's log from the command line, for pipelines and migrations."""

from __future__ import annotations

import os
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from advisor import access
from advisor.models import Membership, Role, Team
from decisions.archive import READ, ArchiveError, Upload, limit, read_files, read_upload
from decisions.services.importing import import_apply, import_plan


def bad_input(message: str) -> CommandError:
    """A mistake in what the command was given: one line on stderr, exit code 2."""
    return CommandError(message, returncode=2)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def read_folder(root: Path) -> Upload:
    """A folder's files with their paths inside it, subfolders included. Hidden folders
    (.git, .github…) are not entered: pointed at a repository, the import reads its
    records, not its history. Only Markdown and JSON files are read; the others are
    listed as skipped without loading them."""
    files: dict[str, bytes] = {}
    largest, budget = limit("IMPORT_MAX_FILE_BYTES"), limit("IMPORT_MAX_TOTAL_BYTES")
    for folder, subfolders, names in os.walk(root):
        subfolders[:] = sorted(name for name in subfolders if not name.startswith("."))
        for name in sorted(names):
            path = Path(folder) / name
            relative = path.relative_to(root).as_posix()
            # A link may point anywhere on the machine: records are files in the folder.
            if path.is_symlink() or not path.is_file() or not name.lower().endswith(READ):
                files[relative] = b""
                continue
            size = path.stat().st_size
            budget -= size
            if budget < 0:
                raise ArchiveError("The folder holds more than can be imported at once.")
            # An oversized file is read only far enough to be reported as such.
            with path.open("rb") as handle:
                files[relative] = handle.read(min(size, largest + 1))
    return read_files(files)


def read_path(path: Path) -> Upload:
    """What `path` holds: a folder, a zip, or one record. Raises `CommandError`."""
    if not path.exists():
        raise bad_input(f"No file or folder at {path}.")
    try:
        if path.is_dir():
            return read_folder(path)
        size, most = path.stat().st_size, limit("IMPORT_MAX_TOTAL_BYTES")
        if size > most:
            raise bad_input(
                f"{path} is {size // (1024 * 1024)} MB; at most {most // (1024 * 1024)} MB "
                "can be imported at once.",
            )
        return read_upload(path.name, path.read_bytes())
    except ArchiveError as error:
        raise bad_input(f"{path}: {error}") from None
    except OSError as error:
        raise bad_input(f"Cannot read {path}: {error.strerror}.") from None


def recording_user(team: Team, username: str):
    """The user the records are recorded as: `username`, who must be allowed to write the
    team's decisions, or else the team's first owner."""
    if not username:
        first = (
            Membership.objects.filter(team=team, role=Role.OWNER)
            .select_related("user")
            .order_by("joined_at", "pk")
            .first()
        )
        if first is None:
            raise bad_input(
                f"Team {team.slug!r} has no owner to record the import as; name a member "
                "with --as USERNAME.",
            )
        return first.user
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise bad_input(f"No user is named {username!r}.")
    role = Membership.objects.filter(team=team, user=user).values_list("role", flat=True).first()
    if role is None or not access.can(role, access.WRITE):
        raise bad_input(
            f"{username} cannot record decisions in team {team.slug!r} (editors and owners can).",
        )
    return user


class Command(BaseCommand):
    help = (
        "Import ADR files into a team's decision log: PATH is a zip of a repository, one "
        "Markdown or Crossroads JSON record, or a folder (read with its subfolders). Every "
        "file is listed with what it becomes; then every record is imported, or none. "
        "Bad input (and any file that cannot be imported) exits with code 2 and one line "
        "on stderr."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        # Checked in handle() rather than by argparse, so every mistake is one line.
        parser.add_argument("path", nargs="?", default="", metavar="PATH")
        parser.add_argument("--team", default="", metavar="SLUG", help="the team's slug")
        parser.add_argument(
            "--as",
            dest="as_user",
            default="",
            metavar="USERNAME",
            help="the editor or owner to record the import as (default: the team's first owner)",
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="list what would be imported, and import nothing",
        )

    def handle(self, *args, path: str, team: str, as_user: str, dry_run: bool, **options):
        if not path:
            raise bad_input("Name the zip, file or folder to import.")
        if not team:
            raise bad_input("Name the team with --team SLUG.")
        found = Team.objects.filter(slug=team).first()
        if found is None:
            raise bad_input(f"No team has the slug {team!r}.")
        user = recording_user(found, as_user)
        upload = read_path(Path(path))
        plan = import_plan(found, upload)
        for line in plan.summary_lines():
            self.stdout.write(line)
        if plan.problems:
            raise bad_input(
                f"{_plural(len(plan.problems), 'file')} cannot be imported (listed above); "
                "nothing was imported.",
            )
        if not plan.creating:
            raise bad_input(f"No ADR records found in {path}.")
        if dry_run:
            count = _plural(len(plan.creating), "record")
            self.stdout.write(f"Dry run: {count} would be imported")
            return
        try:
            created = import_apply(team=found, user=user, upload=upload)
        except ValidationError as error:  # the log changed since the plan was made
            raise bad_input(f"Nothing was imported: {' '.join(error.messages)}") from None
        self.stdout.write(f"Imported {_plural(len(created), 'record')}")
