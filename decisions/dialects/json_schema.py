"""What a Crossroads JSON record must hold, checked before anything is imported from it.

`checked(value)` returns the record with every field of the right type and within the
database's limits and the caps of decisions.limits (missing text as ""), or raises
`Unreadable` naming the first field that is not, so a hand-edited or damaged file is a
clear problem of that file and never a failure halfway through an import.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any

from decisions import limits
from decisions.dialects.common import STATUSES, Unreadable
from decisions.models import Revision

LARGEST_NUMBER = 2_147_483_647  # what every supported database stores in a number column
CAPPED = limits.DECISION_TEXTS
TEXT_LIMITS = {
    "title": CAPPED["title"], "chosen_option": 40, "chosen_title": CAPPED["chosen_title"],
    "system": CAPPED["system_name"], "interaction": CAPPED["interaction_name"],
    "imported_from": 20, "consulted": CAPPED["consulted"], "informed": CAPPED["informed"],
    "context": CAPPED["context"], "drivers": CAPPED["drivers"],
    "justification": CAPPED["justification"], "confirmation": CAPPED["confirmation"],
    "links": CAPPED["links"], "recommended_option": 40,
}  # fmt: skip
REVISION_KINDS = set(Revision.Kind.values)


def _text(value: Any, field: str, limit: int) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Unreadable(f"its {field} is not text.")
    if len(value) > limit:
        raise Unreadable(
            f"its {field} is longer than {limit:,} characters (it has {len(value):,})."
        )
    return value


def _number(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= LARGEST_NUMBER:
        raise Unreadable(f"its {field} is not a whole number between 1 and {LARGEST_NUMBER}.")
    return value


def _day(value: Any, field: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise Unreadable(f"its {field} “{value}” is not a date (YYYY-MM-DD).") from None


def _moment(value: Any, field: str) -> str | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise Unreadable(f"its {field} “{value}” is not a date and time.") from None


def _mapping(value: Any, field: str) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise Unreadable(f"its {field} is not an object.")
    return value


def _list(value: Any, field: str) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        raise Unreadable(f"its {field} is not a list.")
    return value


def _reference(value: Any, field: str) -> dict[str, Any]:
    return {"number": _number(_mapping(value, field).get("number"), f"{field} number")}


def _revisions(value: Any) -> list[dict[str, Any]]:
    revisions, versions = [], set()
    for item in _list(value, "revisions"):
        item = _mapping(item, "revision")
        version = _number(item.get("version"), "revision version")
        if version in versions:
            raise Unreadable(f"it has two revisions numbered {version}.")
        versions.add(version)
        if item.get("kind") not in REVISION_KINDS:
            raise Unreadable(f"its revision {version} has an unknown kind.")
        revisions.append({
            "version": version, "kind": item["kind"],
            "author": _text(item.get("author"), "revision author", 150),
            "at": _moment(item.get("at"), "revision date"),
            "note": _text(item.get("note"), f"revision {version} note", limits.REVISION_NOTE),
            "data": _mapping(item.get("data"), "revision data"),
        })  # fmt: skip
    return revisions


def _sections(value: Any) -> dict[str, Any]:
    sections = _mapping(value, "imported sections")
    if len(sections) > limits.IMPORTED_SECTIONS:
        raise Unreadable(
            f"it has {len(sections)} imported sections; a record keeps at most "
            f"{limits.IMPORTED_SECTIONS}."
        )
    for key, item in sections.items():
        if not isinstance(item, str | list):
            raise Unreadable(f"its imported section “{key}” is neither text nor a list.")
        size = len(item) if isinstance(item, str) else len(json.dumps(item, ensure_ascii=False))
        if size > limits.IMPORTED_SECTION:
            raise Unreadable(
                f"its imported section “{key[:80]}” is longer than "
                f"{limits.IMPORTED_SECTION:,} characters (it has {size:,})."
            )
    return sections


def _names(value: Any) -> list[str]:
    names = _list(value, "decision makers")
    if not all(isinstance(name, str) for name in names):
        raise Unreadable("its decision makers are not all names.")
    if len(names) > limits.DECIDERS:
        raise Unreadable(
            f"it names {len(names)} decision makers; a record names at most {limits.DECIDERS}."
        )
    for name in names:
        _text(name, "decision maker name", limits.DECIDER_NAME)
    return names


def checked(value: dict[str, Any]) -> dict[str, Any]:
    """The record in `value`, every field checked (see the module)."""
    clean = {name: _text(value.get(name), name.replace("_", " "), limit)
             for name, limit in TEXT_LIMITS.items()}  # fmt: skip
    clean["title"] = clean["title"].strip()
    if not clean["title"]:
        raise Unreadable("its title is empty.")
    status = value.get("status") or "accepted"
    if status not in STATUSES:
        raise Unreadable(f"its status “{status}” is none of Crossroads' statuses.")
    framework = _mapping(value.get("framework"), "framework")
    version = framework.get("version")
    consequences = _mapping(value.get("consequences"), "consequences")
    makers = _names(value.get("decision_makers"))
    clean.update(
        number=_number(value.get("number"), "number"),
        status=status,
        decided_on=_day(value.get("decided_on"), "decision date"),
        updated_on=_day(value.get("updated_on"), "last update"),
        recorded_at=_moment(value.get("recorded_at"), "recording date"),
        recorded_by=_text(value.get("recorded_by"), "recorder", 150),
        decision_makers=makers,
        consequences={
            "good": _text(consequences.get("good"), "good consequences", limits.CONSEQUENCES),
            "bad": _text(consequences.get("bad"), "bad consequences", limits.CONSEQUENCES),
        },
        supersedes=[_reference(item, "supersedes") for item in _list(
            value.get("supersedes"), "supersedes")],
        named_links=[
            {
                "label": _text(
                    _mapping(link, "link").get("label"), "link label", limits.LINK_LABEL
                ) or "Relates to",
                "reverse_label": _text(link.get("reverse_label"), "link label", limits.LINK_LABEL),
                "target": _reference(link.get("target"), "link target"),
            }
            for link in _list(value.get("named_links"), "named links")
        ],
        framework={
            "name": _text(framework.get("name"), "framework name", 60),
            "version": None if version is None else _number(version, "framework version"),
            "digest": _text(framework.get("digest"), "framework digest", 64) or None,
        },
        answers=_mapping(value.get("answers"), "answers"),
        result=_mapping(value.get("result"), "result"),
        imported_sections=_sections(value.get("imported_sections")),
        version=_number(value.get("version") or 1, "version"),
        revisions=_revisions(value.get("revisions")),
    )  # fmt: skip
    if clean["framework"]["name"] and clean["framework"]["version"] is None:
        raise Unreadable("its framework has a name but no version.")
    return clean
