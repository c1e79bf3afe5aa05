"""The decision log's search: what it covers, and how each database matches it.

Every decision carries `search_text`: its title, context, drivers, justification, good and
bad consequences, confirmation, links, consulted, informed, an imported record's chosen
option, verbatim sections and decision-makers without an account, and the decision-makers'
usernames and names, in one column, refreshed by `refresh_search_text` whenever a decision
is recorded, imported, edited or amended (a person renamed later is found under the new name
once their decisions are next saved). Each database then indexes that one column:

- PostgreSQL: full-text search over `to_tsvector('english', search_text)`, with a GIN index
  on exactly that expression. Queries use web-search syntax ("quoted phrases", `or`,
  `-word`) and are stemmed, so "caches" finds "caching".
- SQLite: an FTS5 table (`decision_fts`) over the same column, kept in sync by triggers.
  Words are matched whole and stemmed (Porter, as in English): "SLO" does not find "slow".
  Every word typed must appear. Words are not matched as prefixes ("auto" does not find
  "autoscaling"), and nothing typed is read as FTS5 syntax: each word is passed as a quoted
  string.
- Any other database: every word must appear somewhere in the text (substrings, no index).
"""

from __future__ import annotations

from django.contrib.postgres.search import SearchQuery, SearchVectorField
from django.db import connections
from django.db.models import (
    BigIntegerField,
    Func,
    OuterRef,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast, Coalesce

from advisor.models import Team
from decisions.models import Decision

SEARCHED_FIELDS = (
    "title", "context", "drivers", "justification", "good_consequences", "bad_consequences",
    "confirmation", "links", "consulted", "informed", "chosen_title",
)  # fmt: skip

FTS_TABLE = "decision_fts"  # created, with its triggers, by migration 0005


class Joined(Func):
    """Text expressions joined with `||` side by side: Concat nests one pair inside another,
    which overflows SQLite's parser stack at this many fields. None may be NULL."""

    template = "(%(expressions)s)"
    arg_joiner = " || "
    output_field = TextField()


class UnaryPlus(Func):
    """`+<column>`: the same value, which SQLite will not look up through an index."""

    template = "+%(expressions)s"
    output_field = BigIntegerField()


class EnglishVector(Func):
    """`to_tsvector('english', <column>)`, written exactly as migration 0005 indexes it, so
    the planner can use the index (SearchVector would add a COALESCE the index lacks)."""

    function = "to_tsvector"
    template = "%(function)s('english'::regconfig, %(expressions)s)"
    output_field = SearchVectorField()


def search_text_expression() -> Joined:
    """The search text of a decision row, as one SQL expression: an UPDATE fills it without
    loading the decision or its people."""
    people = (
        Decision.deciders.through.objects.filter(decision_id=OuterRef("pk"))
        .values("decision_id")
        .annotate(
            names=StringAgg(
                Joined("user__username", Value(" "), "user__first_name", Value(" "),
                       "user__last_name", Value(" ")),
                delimiter=Value(" "),
            )
        )
        .values("names")
    )  # fmt: skip
    parts: list = []
    for name in SEARCHED_FIELDS:
        parts += [name, Value("\n")]
    # An imported record's verbatim sections (its file's Decision, Considered Options…).
    parts += [Cast("imported_sections", TextField()), Value("\n")]
    parts += [Cast("external_deciders", TextField()), Value("\n")]
    parts.append(Coalesce(Subquery(people, output_field=TextField()), Value("")))
    return Joined(*parts)


def refresh_search_text(decision: Decision) -> None:
    """Recompute the decision's search text from its saved fields and decision-makers, in
    one UPDATE. Call it after every write that changes them (the in-memory instance keeps
    its old `search_text`)."""
    refresh_search_text_of(Decision.objects.filter(pk=decision.pk))


def refresh_search_text_of(decisions: QuerySet[Decision]) -> None:
    """`refresh_search_text` for many decisions in one UPDATE."""
    decisions.update(search_text=search_text_expression())


def fts5_match(query: str) -> str:
    """The FTS5 query for what a person typed: each word a quoted string, all of them
    required. Quotes inside a word are doubled, and chunks without a letter or digit are
    dropped (they would be empty phrases, which match nothing), so no input is read as
    FTS5 syntax (NEAR, AND, *, -, parentheses, column filters)."""
    words = [word for word in query.replace("\x00", " ").split() if any(c.isalnum() for c in word)]
    return " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)


def search_decisions(
    decisions: QuerySet[Decision], query: str, *, team: Team
) -> QuerySet[Decision]:
    """The decisions of `team` among `decisions` whose search text matches `query` (see the
    module). `decisions` is not limited to the team yet: how the team is matched depends on
    the database."""
    vendor = connections[decisions.db].vendor
    if vendor == "postgresql":
        return (
            decisions.filter(team=team)
            .alias(search_vector=EnglishVector("search_text"))
            .filter(search_vector=SearchQuery(query, search_type="websearch", config="english"))
        )
    if vendor == "sqlite":
        match = fts5_match(query)
        if not match:
            return decisions.none()
        # Without statistics SQLite guesses a team has about ten decisions, and would walk
        # the team's whole log in display order testing each one against the matches. A
        # unary + keeps it off the team's indexes: it starts from the few matches instead.
        return decisions.alias(team_unindexed=UnaryPlus("team_id")).filter(
            team_unindexed=team.pk,
            pk__in=RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [match]),
        )
    decisions = decisions.filter(team=team)
    for word in query.split():
        decisions = decisions.filter(search_text__icontains=word)
    return decisions
