"""Framework files: the shipped ones in fixtures/frameworks/, or any JSON file by path."""

from __future__ import annotations

import json
from pathlib import Path

from advisor.engine.errors import FrameworkError
from advisor.engine.framework import Framework
from advisor.engine.framework_reader import parse_framework

FRAMEWORKS_DIR = Path(__file__).resolve().parents[2] / "fixtures" / "frameworks"


def load_framework(name_or_path: str | Path = "default") -> Framework:
    """Load a framework by name (from fixtures/frameworks/) or from a JSON file path."""
    path = Path(name_or_path)
    if path.suffix != ".json":
        path = FRAMEWORKS_DIR / f"{name_or_path}.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        available = sorted(p.stem for p in FRAMEWORKS_DIR.glob("*.json"))
        raise FrameworkError(
            "", f"no framework {str(name_or_path)!r} (available: {', '.join(available)})"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise FrameworkError(
            "", f"{path.name} is not valid JSON (line {error.lineno}: {error.msg})"
        ) from None
    return parse_framework(data)
