"""The decision as every reader sees it: one document for the page, the PDF and the exports.

Everything here comes from what the record froze: its answers, its result and the framework
version it was made with (its stored copy, never today's file), so a record reads the same
years later whatever happened to the framework since.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.functional import lazy
from django.utils.safestring import SafeString

from advisor.engine import Framework
from advisor.engine.tally import titles_in_words
from advisor.frameworks import framework_for_record
from advisor.presenters import capability_backed
from decisions.charts import score_chart_svg
from decisions.history import RecordHistory
from decisions.markdown import render_markdown
from decisions.models import Decision
from decisions.presenters import (
    Exclusion,
    answer_rows,
    considered_options,
    exclusions_of,
    pattern_name,
)

MARKDOWN_FIELDS = (
    "context", "drivers", "justification", "good_consequences", "bad_consequences",
    "confirmation", "links",
)  # fmt: skip
# The score chart, drawn when a page shows it; the file exports never do.
lazy_score_chart = lazy(score_chart_svg, SafeString)
SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}


@dataclass(frozen=True)
class Choice:
    """How the chosen option stands against the advice, in words for every format."""

    advised: bool
    against: bool
    chosen_name: str
    recommended_name: str
    missing: tuple[str, ...]  # questions advice still needed, when there was none
    ruled_out: tuple[Exclusion, ...]  # why the chosen pattern was not an option, if it was not

    @property
    def by_rule(self) -> bool:
        """Whether a hard rule rules the choice out (not only a premise that fails)."""
        return any(not exclusion.premise for exclusion in self.ruled_out)

    @property
    def why_not_an_option(self) -> str:
        """The end of "although …" for a choice that was not an option."""
        if self.by_rule:
            return "the framework's rules rule it out"
        return "it is not an option for this interaction"

    @property
    def headline(self) -> str:
        if self.ruled_out:
            return f"{self.chosen_name} was chosen although {self.why_not_an_option}."
        if not self.advised:
            return "Recorded without the advisor's recommendation."
        if self.against:
            return (
                f"Chosen against the advice: the team chose {self.chosen_name} where the "
                f"advisor recommended {self.recommended_name}."
            )
        return f"{self.chosen_name}, as the advisor recommended."

    @property
    def while_choosing(self) -> str:
        """The headline as the record form says it, before anything is recorded."""
        if self.ruled_out:
            if self.by_rule:
                return f"You are choosing {self.chosen_name}, which the framework's rules rule out."
            return (
                f"You are choosing {self.chosen_name}, which is not an option for this interaction."
            )
        if self.against:
            return (
                f"You are choosing {self.chosen_name} against the advice: the advisor "
                f"recommends {self.recommended_name}."
            )
        return ""

    @property
    def unadvised_reason(self) -> str:
        if self.advised:
            return ""
        missing = ", ".join(f"“{text}”" for text in self.missing)
        return (
            "Too few questions were answered for the advisor to recommend anything"
            + (f"; still unanswered: {missing}" if missing else "")
            + "."
        )


def choice_of(framework: Framework, result: dict[str, Any], chosen: str) -> Choice:
    """`result` is a frozen (or previewed) engine result as JSON."""
    advice = result.get("advice", {"given": True, "missing": []})
    recommended = result.get("recommendation", "")
    questions = framework.questions_by_key
    return Choice(
        advised=bool(advice.get("given", True)),
        against=bool(advice.get("given", True)) and chosen != recommended,
        chosen_name=pattern_name(framework, chosen),
        recommended_name=pattern_name(framework, recommended) if recommended else "",
        missing=tuple(
            questions[key].text if key in questions else key for key in advice.get("missing", [])
        ),
        ruled_out=exclusions_of(framework, result, chosen),
    )


def _warnings(framework: Framework, result: dict[str, Any]) -> list[dict[str, str]]:
    titles = {rule.code: rule.title for rule in framework.warnings}
    titles.setdefault("no_viable_pattern", "Every pattern is ruled out")
    return [
        {
            "title": warning.get("title") or titles.get(warning["code"], "Warning"),
            "severity": warning["severity"],
            "severity_label": SEVERITY_LABELS.get(warning["severity"], warning["severity"]),
            "message": warning["message"],
        }
        for warning in result.get("warnings", [])
    ]


def _practices(framework: Framework, result: dict[str, Any], chosen: str) -> list[dict]:
    titles = {practice.code: practice.title for practice in framework.practices.get(chosen, ())}
    asked = capability_backed(framework, chosen)
    return [
        {
            "title": practice.get("title") or titles.get(practice["code"], "Practice"),
            "in_place": practice["status"] == "in_place",
            "asked": practice["code"] in asked,
            "severity": practice["severity"],
            "severity_label": SEVERITY_LABELS.get(practice["severity"], practice["severity"]),
            "message": practice["message"],
        }
        for practice in result.get("mitigations", [])
    ]


@dataclass(frozen=True)
class ReadinessNote:
    """Operational readiness as the record froze it, in sentences: what the chosen pattern
    lacked in production, and what would lead once the team's missing practices were in
    place. Records frozen before readiness existed have neither."""

    title: str
    missing: str
    target: str


def readiness_note(
    framework: Framework, result: dict[str, Any], chosen: str
) -> ReadinessNote | None:
    """What the frozen `result` says of readiness for `chosen`, or None when nothing."""
    advised = bool(result.get("advice", {}).get("given", True))
    missing = ""
    gap = (result.get("readiness") or {}).get(chosen)
    if gap and gap.get("missing"):
        missing = (
            f"Not in production yet for {pattern_name(framework, chosen)}: "
            f"{titles_in_words([practice['title'] for practice in gap['missing']])}."
        )
        scale = result.get("normalisation", {}).get("scale")
        if advised and scale and gap.get("points"):
            missing += f" This took {-gap['points'] * 50 / scale:.1f} points off its score."
    target = ""
    later = result.get("target")
    if (
        advised
        and later
        and later.get("recommendation") not in (None, result.get("recommendation"))
    ):
        first = [practice["title"] for practice in later.get("put_in_place_first", [])]
        practices = (
            f"{titles_in_words(first)} {'is' if len(first) == 1 else 'are'}"
            if first
            else "the practices the team lacks are"
        )
        name = pattern_name(framework, later["recommendation"])
        target = f"Once {practices} in place, {name} would lead."
        scores, today = later.get("scores", {}), result.get("recommendation")
        if later["recommendation"] in scores and today in scores:
            target += (
                f" It would score {scores[later['recommendation']]:g} against "
                f"{scores[today]:g} for {pattern_name(framework, today)}."
            )
    if not (missing or target):
        return None
    title = framework.readiness.title if framework.readiness else "Operational readiness"
    return ReadinessNote(title=title, missing=missing, target=target)


# The sections an import keeps, in the order ADR files have them (a JSON column on
# PostgreSQL does not keep the order of keys).
IMPORTED_SECTION_ORDER = (
    "Considered Options", "Decision Outcome", "Decision", "Consequences",
    "Pros and Cons of the Options",
)  # fmt: skip


def _in_file_order(item: tuple[str, Any]) -> int:
    heading = item[0]
    if heading in IMPORTED_SECTION_ORDER:
        return IMPORTED_SECTION_ORDER.index(heading)
    return len(IMPORTED_SECTION_ORDER)


def imported_context(decision: Decision) -> dict:
    """The document of an imported record: what its file said, with no frozen assessment
    (no options scored, no answers, no warnings or practices)."""
    sections = [
        (heading, render_markdown(text))
        for heading, text in sorted(decision.imported_sections.items(), key=_in_file_order)
        if not heading.startswith("_") and isinstance(text, str) and text.strip()
    ]
    return {
        "decision": decision,
        "team": decision.team,
        "framework": None,
        "options": (),
        "choice": None,
        "chosen_name": decision.chosen_title,
        "recommended_name": "",
        "answers": [],
        "score_chart": "",
        "html": RenderedFields(decision),
        "imported_sections": sections,
        "warnings": [],
        "practices": [],
        "readiness": None,
        **_people_and_links(decision),
    }


def record_context(decision: Decision) -> dict:
    """The decision's one document, read by its page, its PDF and every export."""
    if decision.imported:
        return imported_context(decision)
    framework = framework_for_record(decision)
    options = considered_options(framework, decision)
    choice = choice_of(framework, decision.result, decision.chosen_option)
    return {
        "decision": decision,
        "team": decision.team,
        "framework": framework,
        "options": options,
        "choice": choice,
        "chosen_name": choice.chosen_name,
        "recommended_name": choice.recommended_name,
        "answers": answer_rows(
            framework, decision.answers, decision.result.get("not_applicable", ())
        ),
        "score_chart": lazy_score_chart(options, framework.pattern_keys) if choice.advised else "",
        "html": RenderedFields(decision),
        "imported_sections": [],
        "warnings": _warnings(framework, decision.result),
        "practices": _practices(framework, decision.result, decision.chosen_option),
        "readiness": readiness_note(framework, decision.result, decision.chosen_option),
        **_people_and_links(decision),
    }


def _people_and_links(decision: Decision) -> dict[str, Any]:
    """Who decided, the records this one supersedes and is superseded by, its named links
    and its history: the same for every record (prefetched ones cost no query)."""
    return {
        "deciders": sorted(decision.deciders.all(), key=lambda user: user.get_username()),
        "external_deciders": list(decision.external_deciders),
        "supersedes": sorted(decision.supersedes.all(), key=_number),
        "superseded_by": sorted(decision.superseded_by.all(), key=_number),
        "links": named_links(decision),
        "history": RecordHistory(decision),
    }


def _number(decision: Decision) -> int:
    return decision.number


class RenderedFields(Mapping):
    """The record's Markdown fields as HTML, each rendered when a page first reads it: the
    file exports never render them, and a log of a thousand records renders none."""

    def __init__(self, decision: Decision) -> None:
        self.decision = decision
        self.rendered: dict[str, str] = {}

    def __getitem__(self, field: str) -> str:
        if field not in MARKDOWN_FIELDS:
            raise KeyError(field)
        if field not in self.rendered:
            self.rendered[field] = render_markdown(getattr(self.decision, field))
        return self.rendered[field]

    def __iter__(self):
        return iter(MARKDOWN_FIELDS)

    def __len__(self) -> int:
        return len(MARKDOWN_FIELDS)


@dataclass(frozen=True)
class LinkLine:
    """A named link as the record reads it: "Amends ADR-0002: Title"."""

    label: str
    other: Decision


def named_links(decision: Decision) -> list[LinkLine]:
    """The record's named links both ways, in the order of the decisions they name: what it
    says of others, then what others say of it (when they say anything back)."""
    out = [LinkLine(link.label, link.target) for link in decision.links_out.all()]
    back = [
        LinkLine(link.reverse_label, link.source)
        for link in decision.links_in.all()
        if link.reverse_label
    ]
    return sorted(out, key=lambda line: (line.other.number, line.label)) + sorted(
        back, key=lambda line: (line.other.number, line.label)
    )
