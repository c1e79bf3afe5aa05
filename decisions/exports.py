"""A decision as MADR 4 Markdown and as JSON: what teams keep in git or feed to tools."""

from __future__ import annotations

from typing import Any

import yaml

from decisions.document import record_context
from decisions.models import Decision


def _because(item: str) -> str:
    """A consequence or pro/con as the end of "Good, because …": a leading capital that
    starts a word of lower-case letters becomes lower case ("User-facing" too); an acronym
    such as "API" stays."""
    word = item.split(" ", 1)[0].rstrip(",;:.")
    rest = word[1:].replace("-", "")
    if word[:1].isupper() and (word == "A" or (rest.isalpha() and rest.islower())):
        return item[0].lower() + item[1:]
    return item


def _practice_state(practice: dict) -> str:
    if practice["in_place"]:
        return "In place"
    return "Missing" if practice["asked"] else "To do"


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
    """MADR 4: YAML front matter, then its headings in its order. Keys stay in the front
    matter; the body speaks in titles and labels, from the record's own document."""
    doc = record_context(decision)
    choice, options = doc["choice"], doc["options"]
    front: dict[str, Any] = {
        "status": str(decision.status),
        "date": decision.decided_on.isoformat() if decision.decided_on else None,
        "decision-makers": ", ".join(u.get_username() for u in doc["deciders"]) or None,
        "consulted": decision.consulted or None,
        "informed": decision.informed or None,
        "adr": decision.reference,
        "system": decision.system_name,
        "interaction": decision.interaction_name,
        "recommended-option": decision.recommended_option or None,
        "chosen-option": decision.chosen_option,
        "framework": f"{decision.framework_name} v{decision.framework_version}",
        "supersedes": [d.reference for d in doc["supersedes"]] or None,
        "superseded-by": [d.reference for d in doc["superseded_by"]] or None,
    }
    front = {key: value for key, value in front.items() if value is not None}
    lines = ["---", yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip(), "---", ""]
    lines += [f"# {decision.title}", "", "## Context and Problem Statement", ""]
    lines += [decision.context.strip() or "—", ""]
    if decision.drivers.strip():
        lines += ["## Decision Drivers", "", decision.drivers.strip(), ""]
    lines += ["## Considered Options", ""]
    lines += [f"* {option.name}" for option in options]
    lines += ["", "## Decision Outcome", ""]
    lines += [_outcome(choice)]
    for exclusion in choice.ruled_out:
        lines += ["", exclusion.detail]
    if not choice.advised:
        lines += ["", choice.unadvised_reason]
    if decision.justification.strip():
        lines += ["", "Justification:", "", decision.justification.strip()]
    lines += ["", "### Consequences", ""]
    lines += [f"* Good, because {_because(item)}" for item in _bullets(decision.good_consequences)]
    lines += [f"* Bad, because {_because(item)}" for item in _bullets(decision.bad_consequences)]
    if decision.confirmation.strip():
        lines += ["", "### Confirmation", "", decision.confirmation.strip()]
    lines += ["", "## Pros and Cons of the Options", ""]
    for option in options:
        lines += [f"### {option.name}", ""]
        if choice.advised:
            lines += [f"Score when recorded: {option.score:g} of 100.", ""]
        lines += [f"* {exclusion.sentence}" for exclusion in option.exclusions]
        lines += [f"* Good, because {_because(pro)}" for pro in option.pros]
        lines += [f"* Bad, because {_because(con)}" for con in option.cons]
        lines += [""]
    lines += ["## More Information", ""]
    if decision.links.strip():
        lines += [decision.links.strip(), ""]
    if doc["warnings"]:
        lines += [f"Warnings for {choice.chosen_name}:", ""]
        lines += [f"* {w['title']} ({w['severity_label'].lower()}): {w['message']}"
                  for w in doc["warnings"]]  # fmt: skip
        lines += [""]
    if doc["practices"]:
        lines += [f"Practices {choice.chosen_name} needs:", ""]
        lines += [
            f"* {_practice_state(p)}: {p['title']} ({p['severity_label'].lower()}). {p['message']}"
            for p in doc["practices"]
        ]
        lines += [""]
    if doc["readiness"]:
        readiness = doc["readiness"]
        lines += [f"{readiness.title}:", ""]
        lines += [f"* {text}" for text in (readiness.missing, readiness.target) if text]
        lines += [""]
    lines += ["Answers given to the advisor:", ""]
    lines += [f"* {question}: {answer}" for question, answer in doc["answers"]]
    return "\n".join(lines).rstrip() + "\n"


def _outcome(choice) -> str:
    if choice.ruled_out:
        return f'Chosen option: "{choice.chosen_name}", although {choice.why_not_an_option}.'
    if not choice.advised:
        return (
            f'Chosen option: "{choice.chosen_name}", recorded without the advisor\'s '
            f"recommendation."
        )
    if choice.against:
        return (
            f'Chosen option: "{choice.chosen_name}", against the advisor, which recommended '
            f'"{choice.recommended_name}".'
        )
    return f'Chosen option: "{choice.chosen_name}", as the advisor recommended.'


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
