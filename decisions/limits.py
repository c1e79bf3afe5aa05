"""How long each text of a decision record may be: one table, read by the record forms (a
message next to the field), the models (a database check, so no other path stores more),
the import (a problem of the file that says which section is too long) and the pages that
render stored text (decisions.markdown, decisions.diff), which stay bounded in time even for
text stored before these caps existed.

Why these numbers. Real records are far shorter: in 103 ADR files of four public
repositories (MADR's own, log4brains, alphagov/govuk-aws, Arachne) the longest section is
3,459 characters, the longest context 1,847 and the longest file 4,952. The context gets
about ten times that (20,000 characters, some 3,000 words), the other Markdown sections
half of it (confirmation a quarter), the names of people a long line.

What they bound. Rendering Markdown costs time in proportion to the text's length, at a
rate that depends on what is written. Measured (CPU time, on a shared 2-core machine under
a load of about 10, where the security probe's idle figure of 15 µs becomes 57 µs):

- those 103 real files: 3.5 µs a character; short lines ("a" and a line break): 25 µs;
  the costliest input found, "![" repeated (each bracket opens a link label that is
  searched to the end of the text): 57 µs;
- the context at its cap, full of "![": 1.1 s; a record with every Markdown field at its
  cap and full of it (75,000 characters): 3.9 s for its page and 6.2 s for its PDF (about
  a quarter of that on an idle core);
- the probe's record (2.4 MB of "![" in its context, kept from before the caps): 0.15 s
  for its page and 1.4 s for its PDF, where it took 33 s and 55 s on an idle core;
- a diff (decisions.diff) compares at most MAX_CHANGED_LINES lines within a fixed budget of
  steps, whatever the length, and shows unchanged lines by their start.

Text stored before these caps. The migration that brought them in (0009) keeps every
longer text as it was and marks its row `kept_over_caps`, which the database checks let
be: such a record can still change status, be linked or lose its interaction, and the
forms ask for the text to be shortened only when someone edits it. Pages never render more
than MARKDOWN_LIMIT characters of one text as Markdown: past it, the start of the text is
shown as plain text under a note that says so (decisions.markdown).

Change a cap here and run `manage.py makemigrations decisions`: the checks follow. Lowering
one needs the new migration to mark the rows already longer first, as 0009 does.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from advisor import limits as advisor_limits
from advisor.limits import length_at_most

# The record's one-line texts (their columns' lengths).
TITLE = 200
CHOSEN_TITLE = 300
# Who was consulted and who is kept informed: names, as a line of text.
PEOPLE = 1_000
# The Markdown sections.
CONTEXT = 20_000
DRIVERS = 10_000
JUSTIFICATION = 10_000
CONSEQUENCES = 10_000  # the good ones and the bad ones, each
CONFIRMATION = 5_000
LINKS = 10_000
# The note kept with a revision: an amendment's reason, a status change's note.
REVISION_NOTE = 2_000
# A named link between records ("Amends", "Amended by").
LINK_LABEL = 60

# What an import brings beyond the record's own fields: each section of the file the
# record does not model (kept and shown as the file wrote it), how many such sections a
# record keeps, the decision-makers a file names who have no account, and the path of the
# file (quoted in the note of the record's first revision).
IMPORTED_SECTION = 20_000
IMPORTED_SECTIONS = 20
DECIDER_NAME = 150
DECIDERS = 100
IMPORT_PATH = 1_000
# An uploaded file's name, as kept between the import's preview and its confirmation.
UPLOAD_NAME = 255

# Each text column of a decision and its cap (the names are the interaction's, and capped
# as the advisor caps them).
DECISION_TEXTS: dict[str, int] = {
    "title": TITLE,
    "system_name": advisor_limits.NAME,
    "interaction_name": advisor_limits.INTERACTION_NAME,
    "consulted": PEOPLE,
    "informed": PEOPLE,
    "context": CONTEXT,
    "drivers": DRIVERS,
    "chosen_title": CHOSEN_TITLE,
    "justification": JUSTIFICATION,
    "good_consequences": CONSEQUENCES,
    "bad_consequences": CONSEQUENCES,
    "confirmation": CONFIRMATION,
    "links": LINKS,
}

# The most of one text a page renders as Markdown: the largest cap of a Markdown field
# (longer text was stored before the caps, and only its start is shown, as plain text).
MARKDOWN_LIMIT = max(CONTEXT, IMPORTED_SECTION)


def within_caps(model: str, caps: dict[str, int]) -> list[models.CheckConstraint]:
    """A database check per capped column of `model` (its lower-case name), which a row
    marked `kept_over_caps` (longer text kept from before the caps) passes whatever its
    length."""
    checks = []
    for field, cap in caps.items():
        check = length_at_most(field, cap, name=f"{model}_{field}_length")
        checks.append(
            models.CheckConstraint(
                condition=Q(check.condition) | Q(kept_over_caps=True), name=check.name
            )
        )
    return checks


def too_long(limit: int, length: int) -> str:
    """What a form says next to a text longer than its cap."""
    return f"Keep this within {limit:,} characters (it has {length:,})."
