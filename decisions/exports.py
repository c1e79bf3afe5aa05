"""A decision as MADR 4 Markdown and as JSON: what teams keep in git or feed to tools."""

from __future__ import annotations

from typing import Any

import yaml

from advisor.frameworks import get_framework
from decisions.models import Decision
from decisions.presenters import answer_rows, considered_options, pattern_name


def _bullets(text: str) -> list[str]:
    """Lines of a Markdown list (or paragraphs) as plain items."""
    items = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        items.append(line[2:].strip() if line[:2] in {"- ", "* ", "+ "} else line)
    return items


def decision_markdown(decision: Decision) -> str:
    """MADR 4: YAML front matter, then its headings in its order."""
    framework = get_framework(decision.framework_name)
    options = considered_options(framework, decision)
    chosen = pattern_name(framework, decision.chosen_option)
    recommended = pattern_name(framework, decision.recommended_option)
    front: dict[str, Any] = {
        "status": decision.status,
        "date": decision.decided_on.isoformat() if decision.decided_on else None,
        "decision-makers": ", ".join(u.get_username() for u in decision.deciders.all()) or None,
        "consulted": decision.consulted or None,
        "informed": decision.informed or None,
        "adr": decision.reference,
        "system": decision.system_name,
        "interaction": decision.interaction_name,
        "recommended-option": decision.recommended_option,
        "chosen-option": decision.chosen_option,
        "framework": f"{decision.framework_name} v{decision.framework_version}",
        "supersedes": [d.reference for d in decision.supersedes.order_by("number")] or None,
        "superseded-by": [d.reference for d in decision.superseded_by.order_by("number")] or None,
    }
    front = {key: value for key, value in front.items() if value is not None}
    lines = ["---", yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip(), "---", ""]
    lines += [f"# {decision.title}", "", "## Context and Problem Statement", ""]
    lines += [decision.context.strip() or "—", ""]
    drivers = _bullets(decision.drivers)
    if drivers:
        lines += ["## Decision Drivers", "", *[f"* {item}" for item in drivers], ""]
    lines += ["## Considered Options", ""]
    lines += [
        f"* {option.name} (score {option.score:g}{', ruled out' if not option.viable else ''})"
        for option in options
    ]
    lines += ["", "## Decision Outcome", ""]
    if decision.against_advice:
        lines += [
            f'Chosen option: "{chosen}", against the advisor, which recommended '
            f'"{recommended}". Justification:',
            "",
            decision.justification.strip(),
        ]
    else:
        lines += [f'Chosen option: "{chosen}", as the advisor recommended.']
    lines += ["", "### Consequences", ""]
    lines += [f"* Good, because {item}" for item in _bullets(decision.good_consequences)]
    lines += [f"* Bad, because {item}" for item in _bullets(decision.bad_consequences)]
    if decision.confirmation.strip():
        lines += ["", "### Confirmation", "", decision.confirmation.strip()]
    lines += ["", "## Pros and Cons of the Options", ""]
    for option in options:
        lines += [f"### {option.name}", ""]
        if not option.viable:
            lines += [f"* Ruled out: {' '.join(option.reasons)}"]
        lines += [f"* Good, because {pro}" for pro in option.pros]
        lines += [f"* Bad, because {con}" for con in option.cons]
        lines += [""]
    lines += ["## More Information", ""]
    if decision.links.strip():
        lines += [decision.links.strip(), ""]
    warnings = decision.result.get("warnings", [])
    if warnings:
        lines += [f"Warnings for {chosen}:", ""]
        lines += [f"* {w['severity']}: {w['message']} ({w['code']})" for w in warnings]
        lines += [""]
    lines += ["Answers given to the advisor:", ""]
    answers = answer_rows(framework, decision.answers)
    lines += [f"* {question}: {answer}" for question, answer in answers]
    return "\n".join(lines).rstrip() + "\n"


def decision_json(decision: Decision) -> dict[str, Any]:
    """Everything on the record, the frozen assessment and the revision history."""
    return {
        "reference": decision.reference,
        "number": decision.number,
        "team": decision.team.name,
        "title": decision.title,
        "status": decision.status,
        "decided_on": decision.decided_on.isoformat() if decision.decided_on else None,
        "system": decision.system_name,
        "interaction": decision.interaction_name,
        "decision_makers": [u.get_username() for u in decision.deciders.order_by("username")],
        "consulted": decision.consulted,
        "informed": decision.informed,
        "context": decision.context,
        "drivers": decision.drivers,
        "chosen_option": decision.chosen_option,
        "recommended_option": decision.recommended_option,
        "against_advice": decision.against_advice,
        "justification": decision.justification,
        "consequences": {"good": decision.good_consequences, "bad": decision.bad_consequences},
        "confirmation": decision.confirmation,
        "links": decision.links,
        "supersedes": [d.reference for d in decision.supersedes.order_by("number")],
        "superseded_by": [d.reference for d in decision.superseded_by.order_by("number")],
        "framework": {"name": decision.framework_name, "version": decision.framework_version},
        "answers": decision.answers,
        "result": decision.result,
        "recorded_by": decision.created_by.get_username(),
        "recorded_at": decision.created_at.isoformat(),
        "version": decision.version,
        "revisions": [
            {
                "version": r.version,
                "kind": r.kind,
                "author": r.author.get_username(),
                "at": r.created_at.isoformat(),
                "note": r.note,
            }
            for r in decision.revisions.select_related("author").order_by("version")
        ],
    }
