"""`manage.py advise FILE|-`: score one interaction's answers and print the result as JSON."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from advisor.engine import EngineError, evaluate, load_framework, parse_answers
from advisor.frameworks import framework_get


class Command(BaseCommand):
    help = (
        'Score a JSON answer set ({"answers": {...}} or a bare answers object) and print '
        "the recommendation, scores, warnings, practices, estimates and sensitivity as JSON."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", help="a JSON file, or - to read standard input")
        parser.add_argument(
            "--pattern", help="report warnings and practices for this pattern instead"
        )
        parser.add_argument(
            "--framework", default="default",
            help="a shipped framework by name (its newest version) or name:version, "
            "or the path of a framework JSON file",
        )  # fmt: skip

    def handle(self, *args, **options) -> None:
        try:
            framework = self._framework(options["framework"])
            document = self._read(options["file"])
            raw = document.get("answers", document) if isinstance(document, dict) else document
            answers = parse_answers(framework, raw)
            result = evaluate(framework, answers, pattern=options["pattern"])
        except EngineError as error:
            raise CommandError(str(error), returncode=2) from None
        self.stdout.write(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))

    def _framework(self, given: str):
        """The shipped framework `given` names as name:version, the newest version of the
        one it names alone, or the one in the file it is the path of. This command is the only
        place a framework is read from a path."""
        name, colon, version = given.partition(":")
        if colon and version.isdigit() and "/" not in name:
            return framework_get(name, int(version))
        return load_framework(given)

    def _read(self, name: str):
        try:
            text = sys.stdin.read() if name == "-" else Path(name).read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {name}: {error.strerror}", returncode=2) from None
        except UnicodeDecodeError:
            raise CommandError(f"{name} is not UTF-8 text", returncode=2) from None
        try:
            document = json.loads(text)
        except json.JSONDecodeError as error:
            raise CommandError(
                f"{'standard input' if name == '-' else name} is not valid JSON "
                f"(line {error.lineno}, column {error.colno}: {error.msg})",
                returncode=2,
            ) from None
        if not isinstance(document, dict):
            raise CommandError("expected a JSON object with the answers", returncode=2)
        return document
