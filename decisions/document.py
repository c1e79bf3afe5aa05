"""The decision as every reader sees it: one document for the page, the PDF and the exports.

Everything here comes from what the record froze: its answers, its result and the framework
version it was made with (its stored copy, never today's file), so a record reads the same
years later whatever happened to the framework since.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from advisor.engine import Framework
from advisor.frameworks import framework_for_record
from decisions.charts import score_chart_svg
from decisions.history import RecordHistory
from decisions.markdown import render_markdown
from decisions.models import Decision
from decisions.presenters import answer_rows, considered_options, pattern_name

MARKDOWN_FIELDS = (
    "context", "drivers", "justification", "good_consequences", "bad_consequences",
    "confirmation", "links",
)  # fmt: skip
SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low"}


@dataclass(frozen=True)
class Choice:
    """How the chosen option stands against the advice, in words for every format."""

    advised: bool
    against: bool
    chosen_name: str
    recommended_name: str
    missing: tuple[str, ...]  # questions advice still needed, when there was none
    ruled_out: tuple[tuple[str, str], ...]  # (rule title, reason) that ruled the choice out

    @property
    def headline(self) -> str:
        if self.ruled_out:
            return f"{self.chosen_name} was chosen although the framework's rules rule it out."
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
            return f"You are choosing {self.chosen_name}, which the framework's rules rule out."
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
        ruled_out=tuple(
            (veto.get("title") or _rule_title(framework, veto["rule"]), veto["reason"])
            for veto in result.get("vetoes", [])
            if veto["pattern"] == chosen
        ),
    )


def _rule_title(framework: Framework, key: str) -> str:
    """The rule's title, or "" for a rule that has none (its reason then speaks alone)."""
    return next((rule.title for rule in framework.viability if rule.key == key), "")


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
    return [
        {
            "title": practice.get("title") or titles.get(practice["code"], "Practice"),
            "in_place": practice["status"] == "in_place",
            "severity": practice["severity"],
            "severity_label": SEVERITY_LABELS.get(practice["severity"], practice["severity"]),
            "message": practice["message"],
        }
        for practice in result.get("mitigations", [])
    ]


def record_context(decision: Decision) -> dict:
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
        "answers": answer_rows(framework, decision.answers),
        "score_chart": score_chart_svg(options, framework.pattern_keys) if choice.advised else "",
        "html": {field: render_markdown(getattr(decision, field)) for field in MARKDOWN_FIELDS},
        "warnings": _warnings(framework, decision.result),
        "practices": _practices(framework, decision.result, decision.chosen_option),
        "deciders": list(decision.deciders.order_by("username")),
        "supersedes": list(decision.supersedes.order_by("number")),
        "superseded_by": list(decision.superseded_by.order_by("number")),
        "history": RecordHistory(decision),
    }
