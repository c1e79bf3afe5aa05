"""adr-tools (Michael Nygard's format): `.adr-dir` and `doc/adr/NNNN-slug.md`.

Exactly as adr-tools 3 writes a record: `# N. Title`, `Date: YYYY-MM-DD`, then `## Status`
with the capitalised status and one line per link, each followed by a blank line
(`Supersedes [3. Title](0003-….md)`, `Superseded by [4. Title](0004-….md)`, and named
links such as `Amends` / `Amended by`), then `## Context`, `## Decision` and
`## Consequences`. No front matter. A superseded record has no status word: adr-tools
replaces it with the "Superseded by" line. Older repositories spell it "Superceded".

A recorded decision's drivers close its Context; its outcome, scores, confirmation and
notes make its Decision; its consequences are "Good, because …" items.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from decisions.dialects.common import (
    AdrRecord,
    Ref,
    Unreadable,
    Written,
    consequence_lines,
    numbered_file,
    paragraphs,
    parse_date,
    read_consequences,
    sort_links,
    split_sections,
    status_from_word,
    write_each,
)
from decisions.models import Status

KEY = "adr-tools"
LABEL = "adr-tools"
FOLDER = "doc/adr"
TITLE = re.compile(r"^# (\d+)\. (.+?)\s*$")
DATE = re.compile(r"^Date: (.+?)\s*$")


def file_name(ref: Ref | AdrRecord) -> str:
    return numbered_file(ref.number, ref.title)


def _link(label: str, ref: Ref) -> str:
    return f"{label} [{ref.number}. {ref.title}]({file_name(ref)})"


def _status_lines(record: AdrRecord) -> list[str]:
    lines = []
    if not (record.status == Status.SUPERSEDED and record.superseded_by):
        lines.append((record.status_said or str(record.status)).capitalize())
    lines += [_link("Supersedes", ref) for ref in record.supersedes]
    lines += [_link("Superseded by", ref) for ref in record.superseded_by]
    lines += [_link(named.label, named.ref) for named in record.links]
    return lines


def _date(record: AdrRecord):
    return record.decided_on or record.created_on


def write_record(record: AdrRecord) -> str:
    context = record.context
    if record.drivers:
        context = paragraphs(context, f"Decision drivers:\n\n{record.drivers}")
    if record.decision:
        # A recorded decision's Decision already holds its notes; an imported one keeps
        # the sections adr-tools has no place for after it.
        notes = record.more_information if record.dialect else ""
        decision = paragraphs(record.decision, notes)
    else:
        decision = paragraphs(
            record.outcome,
            f"Confirmation: {record.confirmation}" if record.confirmation else "",
            record.more_information,
        )
    consequences = record.consequences or "\n".join(
        consequence_lines(record.good, record.bad, as_read=bool(record.dialect))
    )
    when = _date(record)
    parts = [f"# {record.number}. {record.title}"]
    if when:
        parts.append(f"Date: {when.isoformat()}")
    parts += ["## Status", *_status_lines(record)]
    parts += ["## Context", context, "## Decision", decision, "## Consequences", consequences]
    return "\n\n".join(part.strip("\n") for part in parts if part.strip()) + "\n"


def write(decisions, progress: Callable[[int, int], None] = lambda done, total: None) -> Written:
    return write_each(
        decisions, progress, lambda record: f"{FOLDER}/{file_name(record)}", write_record,
        Written(files={".adr-dir": f"{FOLDER}\n"}),
    )  # fmt: skip


def claims(path: str, text: str) -> bool:
    """A Markdown file whose first line is `# N. Title` and which has a Status section."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return path.endswith(".md") and bool(TITLE.match(first)) and "\n## Status" in text


def _read_status(record: AdrRecord, body: str) -> None:
    words = []
    for line in body.split("\n"):
        if line.strip() and not sort_links(record, line):
            words.append(line.strip())
    if words:
        record.status, record.status_said = status_from_word(words[0])
    elif record.superseded_by:
        record.status = Status.SUPERSEDED
    else:
        raise Unreadable("its Status section gives no status.")
    if record.superseded_by and record.status == Status.ACCEPTED:
        record.status = Status.SUPERSEDED


PEOPLE = re.compile(r"^(Decision-makers|Consulted|Informed): (.+)\.$", re.M)


def _read_people(record: AdrRecord, body: str) -> None:
    """The people a Decision section names ("Decision-makers: ana, sam."), as Crossroads
    writes them where Nygard's format has no place for them."""
    for label, value in PEOPLE.findall(body):
        if label == "Decision-makers":
            record.deciders = [name.strip() for name in value.split(",") if name.strip()]
        elif label == "Consulted":
            record.consulted = value
        else:
            record.informed = value


def read(path: str, text: str) -> AdrRecord:
    head, sections = split_sections(text.lstrip("\ufeff"), 2)
    lines = head.split("\n")
    title = TITLE.match(lines[0])
    if not title:
        raise Unreadable("its first line is not '# N. Title'.")
    record = AdrRecord(number=int(title.group(1)), title=title.group(2), file=path, dialect=KEY)
    for line in lines[1:]:
        found = DATE.match(line)
        if found:
            record.created_on = parse_date(found.group(1))
            if record.created_on is None:
                raise Unreadable(f"its date “{found.group(1)}” is not a date (YYYY-MM-DD).")
    extra = []
    for name, body in sections:
        if name == "Status":
            _read_status(record, body)
        elif name == "Context":
            record.context = body.strip()
        elif name == "Decision":
            record.decision = body.strip()
            chosen = re.search(r'Chosen option:\s*"([^"]+)"', body)
            record.chosen = chosen.group(1) if chosen else ""
            _read_people(record, body)
        elif name == "Consequences":
            record.good, record.bad, record.consequences = read_consequences(body)
        else:  # a section adr-tools does not write: kept as it stood
            extra.append(f"### {name}\n\n{body}")
    if not any(name == "Status" for name, _ in sections):
        raise Unreadable("it has no Status section.")
    record.more_information = paragraphs(*extra)
    if record.status in (Status.ACCEPTED, Status.SUPERSEDED, Status.DEPRECATED):
        record.decided_on = record.created_on
    record.updated_on = record.created_on
    return record
