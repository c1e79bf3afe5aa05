"""The body MADR and log4brains share: MADR's headings in MADR's order, written and read.

MADR 4 keeps consequences as "Good, because …" items under `### Consequences`; MADR 2 and
log4brains (whose template is MADR 2's) as plain items under `### Positive Consequences`
and `### Negative Consequences`. Both are read; each dialect writes its own.
"""

from __future__ import annotations

import re

from decisions.dialects.common import (
    AdrRecord,
    bullet_items,
    consequence_lines,
    list_markers,
    paragraphs,
    read_consequences,
    sort_links,
    split_sections,
)

CONTEXT = "Context and Problem Statement"
DRIVERS = "Decision Drivers"
OPTIONS = "Considered Options"
OUTCOME = "Decision Outcome"
PROS_AND_CONS = "Pros and Cons of the Options"
MORE = "More Information"
LINKS = "Links"
KNOWN = (CONTEXT, DRIVERS, OPTIONS, OUTCOME, PROS_AND_CONS, MORE, LINKS)
CHOSEN = re.compile(r'Chosen option:\s*"([^"]+)"')


def _section(heading: str, body: str, level: int = 2) -> str:
    return paragraphs(f"{'#' * level} {heading}", body)


def write_body(record: AdrRecord, *, plain_consequences: bool, links: list[str]) -> str:
    """The record's sections. `plain_consequences` writes MADR 2's Positive and Negative
    Consequences (log4brains); `links` are the link lines for More Information (MADR) or,
    when the dialect has a Links section, to be written by the caller."""
    if record.consequences:
        consequences = _section("Consequences", record.consequences, 3)
    elif plain_consequences:
        consequences = paragraphs(
            _section("Positive Consequences", "\n".join(f"- {g}" for g in record.good), 3)
            if record.good
            else "",
            _section("Negative Consequences", "\n".join(f"- {b}" for b in record.bad), 3)
            if record.bad
            else "",
        )
    else:
        lines = consequence_lines(record.good, record.bad, as_read=bool(record.dialect))
        consequences = _section("Consequences", "\n".join(lines), 3) if lines else ""
    confirmation = _section("Confirmation", record.confirmation, 3) if record.confirmation else ""
    body = paragraphs(
        f"## {CONTEXT}",
        record.context,
        _section(DRIVERS, record.drivers) if record.drivers else "",
        _section(OPTIONS, record.options) if record.options else "",
        _section(OUTCOME, paragraphs(record.outcome, consequences, confirmation)),
        _section(PROS_AND_CONS, record.pros_and_cons) if record.pros_and_cons else "",
        _section(MORE, paragraphs("\n".join(links), record.more_information))
        if links or record.more_information
        else "",
    )
    return list_markers(body, "-" if plain_consequences else "*")


def _read_outcome(record: AdrRecord, body: str) -> None:
    found = CHOSEN.search(body)
    record.chosen = found.group(1).strip() if found else ""
    head, subsections = split_sections(body, 3)
    kept = [head]
    for name, text in subsections:
        lowered = name.lower()
        if lowered == "consequences":
            record.good, record.bad, record.consequences = read_consequences(text)
        elif lowered in {"positive consequences", "negative consequences"}:
            items = [re.sub(r"^(Good|Bad), because ", "", item) for item in bullet_items(text)]
            if lowered.startswith("positive"):
                record.good += items
            else:
                record.bad += items
        elif lowered in {"confirmation", "validation"}:  # MADR 3 called it Validation
            record.confirmation = text.strip()
        else:
            kept.append(f"### {name}\n\n{text}")
    record.outcome = paragraphs(*kept)


def _read_links(record: AdrRecord, body: str) -> str:
    """File the link lines of `body` under the record; what is left, as it stood."""
    kept = [line for line in body.split("\n") if not sort_links(record, line)]
    return "\n".join(kept).strip("\n")


def read_body(record: AdrRecord, text: str) -> None:
    """Fill the record from the sections of a MADR-family file (title already read)."""
    _, sections = split_sections(text, 2)
    extra = []
    for name, body in sections:
        if name == CONTEXT:
            record.context = paragraphs(record.context, body)
        elif name == DRIVERS:
            record.drivers = body.strip()
        elif name == OPTIONS:
            record.options = body.strip()
        elif name == OUTCOME:
            _read_outcome(record, body)
        elif name == PROS_AND_CONS:
            record.pros_and_cons = body.strip()
        elif name == "Validation":  # MADR 3's, which MADR 4 calls Confirmation
            record.confirmation = body.strip()
        elif name in (MORE, LINKS):
            rest = _read_links(record, body)
            if rest:
                extra.append(rest if name == MORE else f"### {name}\n\n{rest}")
        else:  # a section we do not model: kept as it stood, under More Information
            extra.append(f"### {name}\n\n{body}")
    record.more_information = paragraphs(*extra)
