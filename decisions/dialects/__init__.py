"""ADR dialects: one module each, with the same functions.

- `write(decisions, progress) -> Written`: the repository files for a log (a list of
  decisions as `decisions.selectors.decisions_for_export` loads them);
- `claims(path, text) -> bool`: whether a file reads as this dialect;
- `read(path, text) -> AdrRecord`: one file as a record, or `Unreadable` saying why.

`detect` picks the dialect of one file, so one import may mix them.
"""

from __future__ import annotations

from types import ModuleType

from decisions.dialects import adr_tools, log4brains, madr
from decisions.dialects import json as json_dialect
from decisions.dialects.common import AdrRecord, Unreadable, Written

DIALECTS: dict[str, ModuleType] = {
    module.KEY: module for module in (madr, adr_tools, log4brains, json_dialect)
}
# The order files are tried in: the most particular first (adr-tools' "# N. Title" with a
# Status section; log4brains' list before the first heading; then any MADR).
DETECTION_ORDER = (json_dialect, adr_tools, log4brains, madr)

__all__ = ["DIALECTS", "AdrRecord", "Unreadable", "Written", "detect", "get"]


def get(key: str) -> ModuleType:
    return DIALECTS[key]


def detect(path: str, text: str) -> ModuleType:
    """The dialect `path` is written in; `Unreadable` when it is none we read."""
    for module in DETECTION_ORDER:
        if module.claims(path, text):
            return module
    raise Unreadable(
        "it is not an ADR in any format Crossroads reads (MADR, adr-tools, log4brains or "
        "Crossroads JSON)."
    )
