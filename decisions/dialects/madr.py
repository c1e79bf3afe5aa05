"""MADR 4: `docs/decisions/NNNN-title-with-dashes.md`, YAML front matter, MADR's headings.

Front matter as MADR documents it: `status` (a replaced record says
`"superseded by ADR-0123"`), `date` (when the decision was last updated), `decision-makers`,
`consulted`, `informed`. Crossroads adds, and reads back: `decided-on` (when the decision
was taken, if not on its last update), `system` and `interaction` (what the decision is
about), `tags` (kept from an imported file), `chosen-pattern` and `recommended-pattern` (the
framework's keys of the option chosen and of the one the advisor recommended) and
`framework` (the framework version that scored it). Links to other records are items of
More Information: `* Amends [ADR-0002](0002-….md)`.

Read too: MADR 3 (front matter with `deciders`) and MADR 2 (no front matter; `* Status:`,
`* Deciders:`, `* Date:` items under the title, and a Links section).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import Any

import yaml

from decisions.dialects import madr_family
from decisions.dialects.common import (
    AdrRecord,
    Ref,
    Unreadable,
    Written,
    link_target,
    number_of_file,
    numbered_file,
    parse_date,
    split_sections,
    status_from_word,
    write_each,
)
from decisions.models import Status

KEY = "madr"
LABEL = "MADR"
FOLDER = "docs/decisions"
OWN_KEYS = ("status", "date", "decided-on", "decision-makers", "deciders", "consulted",
            "informed", "system", "interaction", "tags")  # fmt: skip
FRONT_KEY = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,59}")
FRONT_MATTER = re.compile(r"\A---\n(.*?)\n---\n", re.DOTALL)
HEAD_ITEM = re.compile(r"^[*-] (Status|Deciders|Date|Tags|Decision-makers):\s*(.*)$", re.I)


def file_name(ref: Ref | AdrRecord) -> str:
    return numbered_file(ref.number, ref.title)


def _link(label: str, ref: Ref) -> str:
    return f"* {label} [ADR-{ref.number:04d}]({file_name(ref)})"


# Text YAML reads back as the same string without quotes: no indicator first, no ": " or
# " #" inside, not a number, date, boolean or null (checked by reading it back).
PLAIN = re.compile(r"[A-Za-z][\w ,.()'/&+-]*[\w.)]")


def _scalar(value: Any) -> str:
    """One YAML value on one line, quoted only when YAML needs it."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and PLAIN.fullmatch(value) and _reads_back(value):
        return value
    dumped = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=1 << 20)
    return dumped.removesuffix("\n").removesuffix("\n...")


# libyaml's loader when PyYAML was built with it (ten times faster), else the Python one.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=4096)
def _reads_back(text: str) -> bool:
    return yaml.load(text, Loader=SAFE_LOADER) == text


def _status(record: AdrRecord) -> str:
    if record.status == Status.SUPERSEDED and record.superseded_by:
        return f'"superseded by ADR-{record.superseded_by[0].number:04d}"'
    return _scalar(record.status_said or str(record.status))


def front_matter(record: AdrRecord) -> str:
    values: dict[str, Any] = {
        "date": record.updated_on,
        "decided-on": record.decided_on if record.decided_on != record.updated_on else None,
        "decision-makers": ", ".join(record.deciders),
        "consulted": " ".join(record.consulted.split()),
        "informed": " ".join(record.informed.split()),
        "system": record.system,
        "interaction": record.interaction,
        "tags": ", ".join(record.tags),
        **record.front_extra,
    }
    lines = ["---", f"status: {_status(record)}"]
    lines += [f"{key}: {_scalar(value)}" for key, value in values.items() if value]
    return "\n".join([*lines, "---"])


def write_record(record: AdrRecord) -> str:
    links = [_link("Supersedes", ref) for ref in record.supersedes]
    links += [_link("Superseded by", ref) for ref in record.superseded_by]
    links += [_link(named.label, named.ref) for named in record.links]
    body = madr_family.write_body(record, plain_consequences=False, links=links)
    return f"{front_matter(record)}\n\n# {record.title}\n\n{body}\n"


def write(decisions, progress: Callable[[int, int], None] = lambda done, total: None) -> Written:
    return write_each(
        decisions, progress, lambda record: f"{FOLDER}/{file_name(record)}", write_record,
        Written(),
    )  # fmt: skip


def claims(path: str, text: str) -> bool:
    """Whether the file reads as MADR (any version): front matter, MADR's headings, or
    MADR 2's items under the title in a numbered file."""
    if not path.endswith(".md"):
        return False
    if FRONT_MATTER.match(text):
        return True
    head, sections = split_sections(text, 2)
    names = {name for name, _ in sections}
    if {madr_family.CONTEXT, madr_family.OUTCOME} & names:
        return number_of_file(path) is not None or not any(
            HEAD_ITEM.match(line) for line in head.splitlines()
        )
    return False


def _front(text: str) -> tuple[dict[str, Any], str]:
    match = FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        values = yaml.load(match.group(1), Loader=SAFE_LOADER) or {}
    except yaml.YAMLError as error:
        problem = getattr(error, "problem", None) or "it cannot be read"
        raise Unreadable(f"its front matter is not valid YAML ({problem}).") from None
    except (ValueError, RecursionError):  # an impossible date, nesting without end
        raise Unreadable("its front matter holds a value YAML cannot read.") from None
    if not isinstance(values, dict):
        raise Unreadable("its front matter is not a list of keys and values.")
    for key, value in values.items():
        # Keys and values as MADR writes them: no nesting, so no YAML alias can expand.
        if not isinstance(key, str) or not FRONT_KEY.fullmatch(key):
            raise Unreadable(f"its front matter has a key MADR does not write ({key!r:.40}).")
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(item, str | int | float | bool | date) or item is None
                   for item in items):  # fmt: skip
            raise Unreadable(f"its front matter value of “{key}” is nested.")
    return values, text[match.end() :]


def read_status(record: AdrRecord, said: str) -> None:
    """`status` as MADR writes it: a word, or "superseded by ADR-0123" (or a link)."""
    said = str(said).strip()
    found = re.match(r"^super[sc]eded by\s+(.*)$", said, re.I)
    if found:
        record.status = Status.SUPERSEDED
        target = found.group(1).strip()
        link = re.match(r"^\[([^\]]*)\]\(([^)]+)\)$", target)
        ref = link_target(*link.groups()) if link else link_target(target, "")
        if ref.number is not None or ref.file:
            record.superseded_by.append(ref)
        return
    record.status, record.status_said = status_from_word(said)


def _people(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v).strip() for v in value if str(v).strip()]
    return [name.strip() for name in str(value or "").split(",") if name.strip()]


def read(path: str, text: str) -> AdrRecord:
    front, body = _front(text)
    head, _ = split_sections(body, 2)
    title = next((line[2:].strip() for line in head.splitlines() if line.startswith("# ")), "")
    if not title:
        raise Unreadable("it has no title (a first-level heading, '# Title').")
    record = AdrRecord(number=number_of_file(path), title=title, file=path, dialect=KEY)
    for line in head.splitlines():  # MADR 2: items under the title
        item = HEAD_ITEM.match(line.strip())
        if item:
            front.setdefault(item.group(1).lower(), item.group(2))
        elif line.startswith("Technical Story:"):
            record.context = line.strip()
    read_status(record, front.get("status") or "accepted")
    updated = front.get("date")
    record.updated_on = updated if isinstance(updated, date) else parse_date(updated or "")
    if updated and record.updated_on is None:
        raise Unreadable(f"its date “{updated}” is not a date (YYYY-MM-DD).")
    decided = front.get("decided-on")
    if decided:
        record.decided_on = decided if isinstance(decided, date) else parse_date(decided)
        if record.decided_on is None:
            raise Unreadable(f"its decided-on “{decided}” is not a date (YYYY-MM-DD).")
    elif record.status in (Status.ACCEPTED, Status.SUPERSEDED, Status.DEPRECATED):
        record.decided_on = record.updated_on
    record.tags = _people(front.get("tags"))
    record.deciders = _people(front.get("decision-makers") or front.get("deciders"))
    record.consulted = ", ".join(_people(front.get("consulted")))
    record.informed = ", ".join(_people(front.get("informed")))
    record.system = str(front.get("system") or "")
    record.interaction = str(front.get("interaction") or "")
    record.front_extra = {k: v for k, v in front.items() if k not in OWN_KEYS}
    madr_family.read_body(record, body)
    return record
