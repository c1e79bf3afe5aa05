"""Framework files: the ones the project ships, and any JSON file by path (for the CLI).

The shipped frameworks are the files in fixtures/frameworks/ (the current versions) and in
fixtures/frameworks/history/ (earlier ones). Each is read once per process and known by the
name and version written inside it, never by its file name: a name given by anyone reaches
a dictionary, not the file system.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from advisor.engine.errors import FrameworkError
from advisor.engine.framework import Framework
from advisor.engine.framework_reader import parse_framework

FRAMEWORKS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "frameworks"


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise FrameworkError("", f"no framework file {str(path)!r}") from None
    except OSError as error:
        raise FrameworkError("", f"cannot read {str(path)!r}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise FrameworkError("", f"{path.name} is not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise FrameworkError(
            "", f"{path.name} is not valid JSON (line {error.lineno}: {error.msg})"
        ) from None


@cache
def shipped_documents() -> Mapping[tuple[str, int], dict[str, Any]]:
    """Every framework document the project ships, by (name, version) as each file says.
    The documents are shared: read them, never change them.

    Two files claiming the same name and version are a packaging mistake, reported as such
    rather than one silently hiding the other.
    """
    found: dict[tuple[str, int], dict[str, Any]] = {}
    paths: dict[tuple[str, int], Path] = {}
    for path in sorted(FRAMEWORKS_DIR.glob("*.json")) + sorted(
        (FRAMEWORKS_DIR / "history").glob("*.json")
    ):
        document = _read_json(path)
        name = document.get("name") if isinstance(document, dict) else None
        version = document.get("version") if isinstance(document, dict) else None
        if not isinstance(name, str) or isinstance(version, bool) or not isinstance(version, int):
            raise FrameworkError("", f"{path.name} does not say its name and version")
        if (name, version) in paths:
            raise FrameworkError(
                "", f"{paths[name, version].name} and {path.name} are both {name} v{version}"
            )
        paths[name, version] = path
        found[name, version] = document
    return MappingProxyType(found)


def shipped_names() -> list[str]:
    """The names of the shipped frameworks, sorted."""
    return sorted({name for name, _version in shipped_documents()})


def newest_shipped_version(name: str) -> int | None:
    """The highest version of `name` the project ships; None if it ships no such name."""
    versions = [version for known, version in shipped_documents() if known == name]
    return max(versions, default=None)


def load_framework(name_or_path: str | Path = "default") -> Framework:
    """The newest shipped version of a framework by name, or the framework in a JSON file.

    Only the command line (`manage.py advise`, benchmarks) loads by path; the web app looks
    frameworks up by name and version (advisor.frameworks.framework_get).
    """
    path = Path(name_or_path)
    if path.suffix == ".json":
        return parse_framework(_read_json(path))
    name = str(name_or_path)
    version = newest_shipped_version(name)
    if version is None:
        raise FrameworkError(
            "", f"no framework {name[:60]!r} (available: {', '.join(shipped_names())})"
        )
    return parse_framework(shipped_documents()[name, version])
