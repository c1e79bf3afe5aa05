"""Which answers differ between two sets of questionnaire answers."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _same(before: Any, after: Any) -> bool:
    # A multi-choice answer is a set: the order the boxes were ticked in means nothing.
    if isinstance(before, list | tuple) and isinstance(after, list | tuple):
        return sorted(map(str, before)) == sorted(map(str, after))
    if isinstance(before, int | float) and isinstance(after, int | float):
        return float(before) == float(after)
    return before == after


def answers_changed(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[str, ...]:
    """The keys answered differently (or answered in only one of the two), sorted.

    An empty answer and a missing one are the same thing: both say "not answered".
    """
    empty = (None, "", [], ())
    keys = {key for key, value in before.items() if value not in empty} | {
        key for key, value in after.items() if value not in empty
    }
    return tuple(
        sorted(
            key for key in keys
            if not _same(before.get(key), after.get(key))
            and not (before.get(key) in empty and after.get(key) in empty)
        )
    )  # fmt: skip
