"""The decision as every reader sees it: one document for the page, the PDF and the exports."""

from __future__ import annotations

from advisor.frameworks import get_framework
from decisions.charts import score_chart_svg
from decisions.markdown import render_markdown
from decisions.models import Decision
from decisions.presenters import (
    answer_rows,
    considered_options,
    pattern_name,
)

MARKDOWN_FIELDS = (
    "context", "drivers", "justification", "good_consequences", "bad_consequences",
    "confirmation", "links",
)  # fmt: skip


def record_context(decision: Decision) -> dict:
    framework = get_framework(decision.framework_name)
    options = considered_options(framework, decision)
    return {
        "decision": decision,
        "team": decision.team,
        "options": options,
        "chosen_name": pattern_name(framework, decision.chosen_option),
        "recommended_name": pattern_name(framework, decision.recommended_option),
        "answers": answer_rows(framework, decision.answers),
        "score_chart": score_chart_svg(options, framework.pattern_keys),
        "html": {field: render_markdown(getattr(decision, field)) for field in MARKDOWN_FIELDS},
        "warnings": decision.result.get("warnings", []),
        "mitigations": decision.result.get("mitigations", []),
        "deciders": list(decision.deciders.order_by("username")),
        "supersedes": list(decision.supersedes.order_by("number")),
        "superseded_by": list(decision.superseded_by.order_by("number")),
    }
