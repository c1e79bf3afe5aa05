"""log4brains 1.1: `.log4brains.yml` and `docs/adr/YYYYMMDD-slug.md`, without front matter.

log4brains reads a record's metadata from the first list before the first `##` heading:
`- Status:` (draft, proposed, rejected, accepted, deprecated, or
`superseded by [slug](file.md)` naming the one record that replaces it), `- Deciders:`,
`- Date:` (when the decision was last updated) and `- Tags:`; the body follows MADR 2
(Positive and Negative Consequences) and ends with `## Links` (`- Supersedes [slug](file.md)`,
the target's slug as the link text). Records have no numbers: a record's slug is its file
name without `.md`, dated by the day it was recorded.

log4brains keeps one superseder per record: a record several decisions supersede names the
first in its status, lists the others under Links, and says so in the file; the export's
summary says so too. Crossroads writes the system and the interaction as tags.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from contextvars import ContextVar

from decisions.dialects import madr_family
from decisions.dialects.common import (
    AdrRecord,
    NamedRef,
    Ref,
    Unreadable,
    Written,
    basename,
    number_of_file,
    paragraphs,
    parse_date,
    slug,
    split_sections,
    status_from_word,
)
from decisions.dialects.madr import read_status
from decisions.dialects.records import adr_record, created_on
from decisions.models import Status

KEY = "log4brains"
LABEL = "log4brains"
FOLDER = "docs/adr"
HEAD_ITEM = re.compile(r"^[-*] (Status|Deciders|Date|Tags):\s*(.*)$", re.I)
DATED_FILE = re.compile(r"^(\d{8})-.+\.md$")
IGNORED = {"template.md", "readme.md", "index.md", "backlog.md"}


def config(project: str) -> str:
    """`.log4brains.yml` for a repository of the team's records."""
    name = json.dumps(project, ensure_ascii=False)  # a JSON string is a YAML string
    return f"---\nproject:\n  name: {name}\n  tz: UTC\n  adrFolder: ./{FOLDER}\n"


# While a log is written: the file name (without .md) of every record by number, so that two
# records of one day with one title get distinct files, and links name the right one.
_NAMES: ContextVar[dict[int, str] | None] = ContextVar("log4brains_names", default=None)


def _base_slug(ref: Ref | AdrRecord) -> str:
    day = ref.created_on.strftime("%Y%m%d") if ref.created_on else "00000000"
    return f"{day}-{slug(ref.title)}"


def file_slug(ref: Ref | AdrRecord) -> str:
    return (_NAMES.get() or {}).get(ref.number) or _base_slug(ref)


def _link(label: str, ref: Ref) -> str:
    name = file_slug(ref)
    return f"- {label} [{name}]({name}.md)"


def _by_name(refs: list[Ref]) -> list[Ref]:
    """Records in log4brains' own order, by file name (it has no numbers)."""
    return sorted(refs, key=file_slug)


def _status(record: AdrRecord) -> str:
    if record.status == Status.SUPERSEDED and record.superseded_by:
        name = file_slug(_by_name(record.superseded_by)[0])
        return f"superseded by [{name}]({name}.md)"
    return record.status_said or str(record.status)


def _tags(record: AdrRecord) -> list[str]:
    if record.tags or record.dialect:
        return record.tags
    return [slug(name) for name in (record.system, record.interaction) if name]


def caveat(record: AdrRecord) -> str:
    if len(record.superseded_by) < 2:
        return ""
    others = ", ".join(file_slug(ref) for ref in _by_name(record.superseded_by)[1:])
    return (
        f"log4brains keeps one superseder per record: this record is also superseded by "
        f"{others} (see Links)."
    )


def write_record(record: AdrRecord) -> str:
    head = [f"- Status: {_status(record)}"]
    if record.deciders:
        head.append(f"- Deciders: {', '.join(record.deciders)}")
    if record.updated_on:
        head.append(f"- Date: {record.updated_on.isoformat()}")
    tags = _tags(record)
    if tags:
        head.append(f"- Tags: {', '.join(tags)}")
    links = [_link("Supersedes", ref) for ref in _by_name(record.supersedes)]
    links += [_link("Superseded by", ref) for ref in _by_name(record.superseded_by)[1:]]
    links += [
        _link(named.label, named.ref)
        for named in sorted(record.links, key=lambda named: (file_slug(named.ref), named.label))
    ]
    body = madr_family.write_body(record, plain_consequences=True, links=[])
    note = f"> {caveat(record)}" if caveat(record) else ""
    parts = [f"# {record.title}", "\n".join(head), note, body]
    if links:
        parts.append(f"## {madr_family.LINKS}\n\n" + "\n".join(links))
    return paragraphs(*parts) + "\n"


def write(
    decisions, progress: Callable[[int, int], None] = lambda done, total: None, project: str = ""
) -> Written:
    team = decisions[0].team.name if decisions else "Decisions"
    written = Written(files={".log4brains.yml": config(project or team)})
    names: dict[int, str] = {}
    taken: set[str] = set()
    for decision in decisions:
        base = _base_slug(Ref(title=decision.title, created_on=created_on(decision)))
        names[decision.number] = base if base not in taken else f"{base}-{decision.number}"
        taken.add(names[decision.number])
    token = _NAMES.set(names)
    try:
        _write_all(decisions, written, progress)
    finally:
        _NAMES.reset(token)
    return written


def _write_all(decisions, written: Written, progress) -> None:
    for done, decision in enumerate(decisions, start=1):
        record = adr_record(decision)
        written.files[f"{FOLDER}/{file_slug(record)}.md"] = write_record(record)
        if caveat(record):
            written.notes.append(
                f"{record.reference} is superseded by {len(record.superseded_by)} decisions; "
                f"log4brains keeps one, so its file names the first and lists the others "
                f"under Links."
            )
        progress(done, len(decisions))


def claims(path: str, text: str) -> bool:
    """A Markdown file without front matter whose metadata list precedes the first `##`."""
    if not path.endswith(".md") or basename(path).lower() in IGNORED or text.startswith("---"):
        return False
    if number_of_file(path) is not None and not DATED_FILE.match(basename(path)):
        return False  # a numbered file with the same list is MADR 2's
    head, _ = split_sections(text, 2)
    return any(HEAD_ITEM.match(line.strip()) for line in head.splitlines())


def read(path: str, text: str) -> AdrRecord:
    head, _ = split_sections(text.lstrip("\ufeff"), 2)
    title = next((line[2:].strip() for line in head.splitlines() if line.startswith("# ")), "")
    if not title:
        raise Unreadable("it has no title (a first-level heading, '# Title').")
    name = basename(path)
    record = AdrRecord(number=None, title=title, file=path, dialect=KEY)
    dated = DATED_FILE.match(name)
    record.created_on = parse_date(f"{dated.group(1)[:4]}-{dated.group(1)[4:6]}-"
                                   f"{dated.group(1)[6:]}") if dated else None  # fmt: skip
    items = {}
    for line in head.splitlines():
        item = HEAD_ITEM.match(line.strip())
        if item:
            items.setdefault(item.group(1).lower(), item.group(2).strip())
        elif line.startswith("Technical Story:"):
            record.context = line.strip()
    if "status" in items:
        read_status(record, items["status"])
    else:  # log4brains reads a record without a status as accepted
        record.status, record.status_said = status_from_word("accepted")
    record.deciders = [p.strip() for p in items.get("deciders", "").split(",") if p.strip()]
    if items.get("date"):
        record.updated_on = parse_date(items["date"])
        if record.updated_on is None:
            raise Unreadable(f"its date “{items['date']}” is not a date (YYYY-MM-DD).")
    if record.status in (Status.ACCEPTED, Status.SUPERSEDED, Status.DEPRECATED):
        record.decided_on = record.updated_on
    record.tags = [tag for tag in re.split(r"[,\s]+", items.get("tags", "")) if tag]
    madr_family.read_body(record, text)
    # log4brains names records by file, never by number (its file names start with a date).
    record.supersedes = [_by_file(ref) for ref in record.supersedes]
    record.superseded_by = [_by_file(ref) for ref in record.superseded_by]
    record.links = [NamedRef(named.label, _by_file(named.ref)) for named in record.links]
    return record


def _by_file(ref: Ref) -> Ref:
    return Ref(file=ref.file, title=ref.title)
