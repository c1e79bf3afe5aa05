"""What a Crossroads JSON record must hold, checked before anything is imported from it.

`checked(value)` returns the record with every field of the right type and within the
database's limits (missing text as ""), or raises `Unreadable` naming the first field that
is not, so a hand-edited or damaged file is a clear problem of that file and never a
failure halfway through an import.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from decisions.dialects.common import STATUSES, Unreadable
from decisions.models import Revision

LARGEST_NUMBER = 2_147_483_647  # what every supported database stores in a number column
TEXT_LIMITS = {
    "title": 200, "chosen_option": 40, "chosen_title": 300, "system": 120, "interaction": 160,
    "imported_from": 20, "consulted": None, "informed": None, "context": None, "drivers": None,
    "justification": None, "confirmation": None, "links": None, "recommended_option": 40,
}  # fmt: skip
REVISION_KINDS = set(Revision.Kind.values)


def _text(value: Any, field: str, limit: int | None) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Unreadable(f"its {field} is not text.")
    if limit is not None and len(value) > limit:
        raise Unreadable(f"its {field} is longer than {limit} characters.")
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
            "note": _text(item.get("note"), "revision note", None),
            "data": _mapping(item.get("data"), "revision data"),
        })  # fmt: skip
    return revisions


def _sections(value: Any) -> dict[str, Any]:
    sections = _mapping(value, "imported sections")
    for key, item in sections.items():
        if not isinstance(item, str | list):
            raise Unreadable(f"its imported section “{key}” is neither text nor a list.")
    return sections


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
    makers = _list(value.get("decision_makers"), "decision makers")
    if not all(isinstance(name, str) for name in makers):
        raise Unreadable("its decision makers are not all names.")
    clean.update(
        number=_number(value.get("number"), "number"),
        status=status,
        decided_on=_day(value.get("decided_on"), "decision date"),
        updated_on=_day(value.get("updated_on"), "last update"),
        recorded_at=_moment(value.get("recorded_at"), "recording date"),
        recorded_by=_text(value.get("recorded_by"), "recorder", 150),
        decision_makers=makers,
        consequences={
            "good": _text(consequences.get("good"), "good consequences", None),
            "bad": _text(consequences.get("bad"), "bad consequences", None),
        },
        supersedes=[_reference(item, "supersedes") for item in _list(
            value.get("supersedes"), "supersedes")],
        named_links=[
            {
                "label": _text(_mapping(link, "link").get("label"), "link label", 60)
                or "Relates to",
                "reverse_label": _text(link.get("reverse_label"), "link label", 60),
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
