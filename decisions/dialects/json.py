"""Crossroads JSON: everything a record holds, so it imports back without losing anything.

One file per decision (`decisions/NNNN-slug.json`): its fields, decision-makers, links,
frozen assessment (answers, result, and which framework version scored them) and its whole
revision history. The framework versions the records were scored with are written once
each (`frameworks/<digest>.json`), so an import can freeze them again exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from decisions.dialects.common import (
    AdrRecord,
    Unreadable,
    Written,
    numbered_file,
)
from decisions.dialects.json_schema import checked
from decisions.models import Decision

KEY = "json"
LABEL = "Crossroads JSON"
FOLDER = "decisions"
FORMAT = "crossroads-decision"
FRAMEWORK_FORMAT = "crossroads-framework"
VERSION = 1


def _reference(decision: Decision) -> dict[str, Any]:
    return {"number": decision.number, "title": decision.title}


def _date(value) -> str | None:
    return value.isoformat() if value else None


def record_json(decision: Decision) -> dict[str, Any]:
    """Everything on the record, the frozen assessment and the revision history. Reads the
    relations through `.all()`, so a log loaded by `decisions_for_export` costs no query."""
    frozen = decision.framework_frozen
    return {
        "format": FORMAT,
        "format_version": VERSION,
        "reference": decision.reference,
        "number": decision.number,
        "title": decision.title,
        "status": str(decision.status),
        "decided_on": _date(decision.decided_on),
        "updated_on": _date(decision.last_updated_on),
        "system": decision.system_name,
        "interaction": decision.interaction_name,
        # Members by user name and people without an account alike: an import gives each
        # back to whichever of the two they are in the importing team.
        "decision_makers": sorted(
            [u.get_username() for u in decision.deciders.all()] + decision.external_deciders
        ),
        "consulted": decision.consulted,
        "informed": decision.informed,
        "context": decision.context,
        "drivers": decision.drivers,
        "chosen_option": decision.chosen_option,
        "chosen_title": decision.chosen_title,
        "recommended_option": decision.recommended_option,
        "against_advice": decision.against_advice,
        "justification": decision.justification,
        "consequences": {"good": decision.good_consequences, "bad": decision.bad_consequences},
        "confirmation": decision.confirmation,
        "links": decision.links,
        "supersedes": [_reference(d) for d in sorted(decision.supersedes.all(), key=_number)],
        "superseded_by": [_reference(d) for d in sorted(decision.superseded_by.all(), key=_number)],
        "named_links": [
            {
                "label": link.label,
                "target": _reference(link.target),
                "reverse_label": link.reverse_label,
            }
            for link in sorted(decision.links_out.all(), key=_link_order)
        ],
        "framework": {
            "name": decision.framework_name,
            "version": decision.framework_version,
            "digest": frozen.digest if frozen else None,
        },
        "answers": decision.answers,
        "result": decision.result,
        "imported_from": decision.imported_from,
        "imported_sections": decision.imported_sections,
        "recorded_by": decision.created_by.get_username(),
        "recorded_at": decision.created_at.isoformat(),
        "version": decision.version,
        "revisions": [
            {
                "version": revision.version,
                "kind": revision.kind,
                "author": revision.author.get_username(),
                "at": revision.created_at.isoformat(),
                "note": revision.note,
                "data": revision.data,
            }
            for revision in sorted(decision.revisions.all(), key=lambda r: r.version)
        ],
    }


def _link_order(link) -> tuple[int, str]:
    return link.target.number, link.label


def _number(decision: Decision) -> int:
    return decision.number


def dumps(value: dict[str, Any]) -> str:
    """One key of the record per line, each value on its line in compact JSON: readable at
    a glance and in diffs, and written by the C encoder (an indented dump of a thousand
    frozen results takes seconds)."""
    lines = [
        f"  {json.dumps(key)}: {json.dumps(item, ensure_ascii=False, separators=(', ', ': '))}"
        for key, item in value.items()
    ]
    return "{\n" + ",\n".join(lines) + "\n}\n"


def file_name(decision: Decision) -> str:
    return numbered_file(decision.number, decision.title).removesuffix(".md") + ".json"


def write(decisions, progress: Callable[[int, int], None] = lambda done, total: None) -> Written:
    written = Written()
    for done, decision in enumerate(decisions, start=1):
        written.files[f"{FOLDER}/{file_name(decision)}"] = dumps(record_json(decision))
        frozen = decision.framework_frozen
        if frozen is not None:
            path = f"frameworks/{frozen.digest}.json"
            if path not in written.files:
                written.files[path] = dumps(
                    {"format": FRAMEWORK_FORMAT, "digest": frozen.digest,
                     "document": frozen.document}
                )  # fmt: skip
        progress(done, len(decisions))
    return written


def claims(path: str, text: str) -> bool:
    return path.endswith(".json")


def load(path: str, text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        raise Unreadable(f"it is not valid JSON ({error.msg}, line {error.lineno}).") from None
    if not isinstance(value, dict) or value.get("format") not in (FORMAT, FRAMEWORK_FORMAT):
        raise Unreadable("it is JSON, but not a Crossroads decision or framework export.")
    format_version = value.get("format_version", VERSION)
    if not isinstance(format_version, int) or format_version < 1:
        raise Unreadable("its format version is not a whole number.")
    if format_version > VERSION:
        raise Unreadable("it was written by a newer Crossroads; update this one first.")
    return value


def read(path: str, text: str) -> AdrRecord:
    """The record a decision file holds, with all of it in `frozen` for a lossless import.
    A framework file reads as a record without a number or title (the import keeps it
    aside)."""
    value = load(path, text)
    if value["format"] == FRAMEWORK_FORMAT:
        if not isinstance(value.get("document"), dict) or not isinstance(value.get("digest"), str):
            raise Unreadable("it is a framework file without its document.")
        return AdrRecord(number=None, title="", file=path, dialect=KEY, frozen=value)
    clean = checked(value)
    record = AdrRecord(
        number=clean["number"], title=clean["title"], file=path, dialect=KEY, frozen=clean
    )
    record.status = clean["status"]
    return record
