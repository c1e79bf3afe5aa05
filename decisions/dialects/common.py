"""What every ADR dialect shares: the record as files hold it, names, and Markdown sections.

`AdrRecord` is a decision as an ADR file says it, in any dialect: its number, title,
status and dates, people, links to other records, and its text by section. Writing builds
one from a decision's document (decisions.document); reading builds one from a file. Each
dialect module (madr, adr_tools, log4brains, json) turns records into files and back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from decisions.models import Status

STATUSES = tuple(Status.values)


class Unreadable(Exception):
    """A file that cannot be imported; the message says why, for the person importing."""


@dataclass(frozen=True)
class Ref:
    """Another record, as a link names it: by number (numbered dialects) or by file."""

    number: int | None = None
    title: str = ""
    file: str = ""
    created_on: date | None = None


@dataclass(frozen=True)
class NamedRef:
    """`label` of `ref`, as one file says it ("Amends" [ADR-0002])."""

    label: str
    ref: Ref


@dataclass
class AdrRecord:
    number: int | None
    title: str
    status: str = Status.ACCEPTED
    # How the file said its status when that is none of ours ("draft", "on hold").
    status_said: str = ""
    supersedes: list[Ref] = field(default_factory=list)
    superseded_by: list[Ref] = field(default_factory=list)
    links: list[NamedRef] = field(default_factory=list)
    decided_on: date | None = None
    updated_on: date | None = None
    created_on: date | None = None
    deciders: list[str] = field(default_factory=list)
    consulted: str = ""
    informed: str = ""
    system: str = ""
    interaction: str = ""
    tags: list[str] = field(default_factory=list)
    context: str = ""
    drivers: str = ""
    chosen: str = ""
    good: list[str] = field(default_factory=list)
    bad: list[str] = field(default_factory=list)
    confirmation: str = ""
    # Verbatim Markdown of the sections that are written from an assessment (or were read
    # as they stood): the MADR family's options, outcome and pros and cons, the Nygard
    # Decision, consequences that are not all "Good/Bad, because" items.
    options: str = ""
    outcome: str = ""
    pros_and_cons: str = ""
    decision: str = ""
    consequences: str = ""
    more_information: str = ""
    # Front-matter keys beyond the dialect's own, kept as read.
    front_extra: dict[str, Any] = field(default_factory=dict)
    # A note the dialect adds to the file about what it could not hold.
    caveat: str = ""
    file: str = ""
    dialect: str = ""
    # Only our JSON carries these: the frozen assessment and the full history.
    frozen: dict[str, Any] | None = None

    @property
    def reference(self) -> str:
        return f"ADR-{self.number:04d}" if self.number is not None else self.file


def slug(title: str) -> str:
    """A title as adr-tools names its files: lower case, every run of characters other
    than ASCII letters and digits turned into one hyphen, none at either end."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "untitled"


def numbered_file(number: int, title: str) -> str:
    return f"{number:04d}-{slug(title)}.md"


LEADING_NUMBER = re.compile(r"^0*(\d+)-")


def number_of_file(name: str) -> int | None:
    found = LEADING_NUMBER.match(name.rsplit("/", 1)[-1])
    return int(found.group(1)) if found else None


def basename(path: str) -> str:
    return path.rsplit("/", 1)[-1]


# Markdown structure -------------------------------------------------------------------------

HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def split_sections(text: str, level: int) -> tuple[str, list[tuple[str, str]]]:
    """The text before the first heading of `level`, and each heading of that level with
    the text under it (deeper headings stay inside). Fenced code is never split."""
    marker = "#" * level + " "
    head: list[str] = []
    sections: list[tuple[str, list[str]]] = []
    fenced = False
    current = head
    for line in text.split("\n"):
        first = line[:1]
        if first in "`~ \t" and line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        elif first == "#" and not fenced and line.startswith(marker):
            match = HEADING.match(line)
            if match and len(match.group(1)) == level:
                current = []
                sections.append((match.group(2).strip(), current))
                continue
        current.append(line)
    return "\n".join(head), [(name, "\n".join(body).strip("\n")) for name, body in sections]


def bullet_items(text: str) -> list[str]:
    """The items of a Markdown list (`*`, `-` or `+`), each on one line."""
    items = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped[:2] in {"* ", "- ", "+ "}:
            items.append(stripped[2:].strip())
        elif stripped:
            items.append(stripped)
    return items


def because(item: str) -> str:
    """A consequence or pro/con as the end of "Good, because …": a leading capital that
    starts a word of lower-case letters becomes lower case ("User-facing" too); an acronym
    such as "API" stays."""
    word = item.split(" ", 1)[0].rstrip(",;:.")
    rest = word[1:].replace("-", "")
    if word[:1].isupper() and (word == "A" or (rest.isalpha() and rest.islower())):
        return item[0].lower() + item[1:]
    return item


GOOD_BAD = re.compile(r"^(Good|Bad), because (.*)$")


def consequence_lines(good: list[str], bad: list[str], *, as_read: bool = False) -> list[str]:
    """ "Good/Bad, because …" items; `as_read` keeps items read from a file as they were."""
    said = (lambda item: item) if as_read else because
    return [f"* Good, because {said(item)}" for item in good] + [
        f"* Bad, because {said(item)}" for item in bad
    ]


BULLET = re.compile(r"^(\s*)[-+*]( +)(?=\S)")
THEMATIC_BREAK = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")


def list_markers(text: str, marker: str) -> str:
    """`text` with every bullet list written with `marker` (MADR's markdownlint wants one
    style per file), fenced code and thematic breaks left as they are."""
    others = tuple(f"{other} " for other in "-+*" if other != marker)
    lines, fenced = [], False
    for line in text.split("\n"):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and stripped.startswith(others) and not THEMATIC_BREAK.match(line):
            line = BULLET.sub(lambda found: f"{found.group(1)}{marker}{found.group(2)}", line)
        lines.append(line)
    return "\n".join(lines)


def read_consequences(body: str) -> tuple[list[str], list[str], str]:
    """Good and bad items when every line is "* Good/Bad, because …"; otherwise the body as
    it stands (third value)."""
    good: list[str] = []
    bad: list[str] = []
    for line in body.splitlines():
        stripped = line.strip()
        if not stripped:
            continue
        match = GOOD_BAD.match(stripped[2:]) if stripped[:2] in {"* ", "- "} else None
        if not match:
            return [], [], body.strip("\n")
        (good if match.group(1) == "Good" else bad).append(match.group(2))
    return good, bad, ""


def parse_date(text: str) -> date | None:
    """YYYY-MM-DD (ISO) or DD/MM/YYYY, as ADR tools write dates; None for anything else."""
    text = str(text).strip().strip("\"'")
    for pattern, order in (
        (r"(\d{4})-(\d{2})-(\d{2})", "ymd"),
        (r"(\d{2})/(\d{2})/(\d{4})", "dmy"),
    ):
        found = re.fullmatch(pattern, text)
        if found:
            parts = dict(zip(order, map(int, found.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                return None
    return None


def paragraphs(*blocks: str) -> str:
    """Blocks of Markdown joined by one blank line, empty ones left out."""
    return "\n\n".join(block.strip("\n") for block in blocks if block.strip())


def status_from_word(word: str) -> tuple[str, str]:
    """Our status for a status word of any dialect, and the word itself when it is not one
    of ours (a draft is proposed; anything unknown is proposed, and kept as said)."""
    word = word.strip().strip("\"'").lower()
    if word in STATUSES:
        return word, ""
    if word == "draft":
        return Status.PROPOSED, "draft"
    return Status.PROPOSED, word


@dataclass
class Written:
    """A dialect's files (path in the repository to text) and what it could not hold."""

    files: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


LINK_LINE = re.compile(
    r"^(?P<label>[A-Za-z][A-Za-z -]*?) \[(?P<text>[^\]]*)\]\((?P<file>[^)\s]+)\)\.?$"
)
# A record's file, next to this one: a relative Markdown path, no scheme, no folder.
RECORD_FILE = re.compile(r"^(?:\./)?[^/:?#]+\.md$")
SUPERSEDES = {"supersedes", "supercedes"}
SUPERSEDED_BY = {"superseded by", "superceded by"}


def link_target(text: str, file: str) -> Ref:
    """A link's target as a file names it: by its number when the file name or the link
    text has one (`0003-….md`, `ADR-0003`, `3. Title`)."""
    name = basename(file)
    number = number_of_file(name)
    if number is None:
        found = re.match(r"^(?:ADR-)?0*(\d+)(?:\.|$)", text.strip())
        number = int(found.group(1)) if found else None
    return Ref(number=number, file=name, title=text)


def sort_links(record: AdrRecord, line: str) -> bool:
    """File the link `line` ("Supersedes [..](..)") under the record; False if it is none."""
    match = LINK_LINE.match(line.strip().lstrip("*-+ ").strip()) if line.strip() else None
    if not match or not RECORD_FILE.match(match.group("file")):
        return False  # not a line at all, or a link to a web page rather than to a record
    label, ref = match.group("label").strip(), link_target(match.group("text"), match.group("file"))
    if label.lower() in SUPERSEDES:
        record.supersedes.append(ref)
    elif label.lower() in SUPERSEDED_BY:
        record.superseded_by.append(ref)
    else:
        record.links.append(NamedRef(label, ref))
    return True


def write_each(decisions, progress, file_of, write_record, written: Written) -> Written:
    """Each decision's record as its dialect writes it, at the path `file_of` gives,
    reporting progress as it goes."""
    from decisions.dialects.records import adr_record  # records reads this module

    for done, decision in enumerate(decisions, start=1):
        record = adr_record(decision)
        written.files[file_of(record)] = write_record(record)
        progress(done, len(decisions))
    return written
