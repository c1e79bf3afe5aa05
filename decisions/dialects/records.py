"""A decision as an ADR file says it: the `AdrRecord` every dialect writes, built from the
decision's one document (decisions.document), never from view helpers.

A recorded decision's options, outcome and pros and cons are written from its frozen
assessment; an imported record's come back as its file had them.
"""

from __future__ import annotations

from decisions.dialects.common import (
    AdrRecord,
    NamedRef,
    Ref,
    because,
    bullet_items,
    paragraphs,
)
from decisions.document import record_context
from decisions.models import Decision


def ref_to(decision: Decision) -> Ref:
    return Ref(number=decision.number, title=decision.title, created_on=created_on(decision))


def created_on(decision: Decision):
    return decision.created_at.date() if decision.created_at else None


def _practice_state(practice: dict) -> str:
    if practice["in_place"]:
        return "In place"
    return "Missing" if practice["asked"] else "To do"


def _reason(doc: dict) -> tuple[str, str]:
    """The end of "Chosen option: "X", because …" and what follows it."""
    decision, choice = doc["decision"], doc["choice"]
    justification = decision.justification.strip()
    single = justification and "\n\n" not in justification and "\n" not in justification
    if single:
        return because(justification.rstrip(".")), ""
    rest = justification
    if choice.ruled_out or choice.against:
        return "of the team's reasons below", rest
    if not choice.advised:
        return "the team chose it; it was recorded without the advisor's recommendation", rest
    options = doc["options"]
    chosen = next((o for o in options if o.chosen), None)
    runner = next((o for o in options if not o.chosen), None)
    lead = f"the advisor recommended it: it scored {chosen.score:g} of 100" if chosen else ""
    if lead and runner:
        lead += f", ahead of {runner.name} at {runner.score:g}"
    return lead or "the advisor recommended it", rest


def _outcome(doc: dict) -> str:
    choice = doc["choice"]
    reason, rest = _reason(doc)
    lines = [f'Chosen option: "{choice.chosen_name}", because {reason}.']
    if choice.ruled_out:
        lines.append(f"{choice.chosen_name} was chosen although {choice.why_not_an_option}.")
        lines += [exclusion.detail for exclusion in choice.ruled_out]
    elif choice.against:
        lines.append(f"The advisor recommended {choice.recommended_name}.")
    if not choice.advised:
        lines.append(choice.unadvised_reason)
    return paragraphs(*lines, rest)


def _pros_and_cons(doc: dict) -> str:
    blocks = []
    for option in doc["options"]:
        items = [f"* {exclusion.sentence}" for exclusion in option.exclusions]
        items += [f"* Good, because {because(pro)}" for pro in option.pros]
        items += [f"* Bad, because {because(con)}" for con in option.cons]
        score = f"Score when recorded: {option.score:g} of 100." if doc["choice"].advised else ""
        blocks.append(paragraphs(f"### {option.name}", score, "\n".join(items)))
    return paragraphs(*blocks)


def _assessment_notes(doc: dict) -> str:
    """What the frozen assessment adds under More Information: warnings, practices,
    readiness and the answers given."""
    chosen = doc["choice"].chosen_name
    blocks = []
    if doc["warnings"]:
        items = [
            f"* {w['title']} ({w['severity_label'].lower()}): {w['message']}"
            for w in doc["warnings"]
        ]
        blocks.append(f"Warnings for {chosen}:\n\n" + "\n".join(items))
    if doc["practices"]:
        items = [
            f"* {_practice_state(p)}: {p['title']} ({p['severity_label'].lower()}). {p['message']}"
            for p in doc["practices"]
        ]
        blocks.append(f"Practices {chosen} needs:\n\n" + "\n".join(items))
    readiness = doc["readiness"]
    if readiness:
        items = [f"* {text}" for text in (readiness.missing, readiness.target) if text]
        blocks.append(f"{readiness.title}:\n\n" + "\n".join(items))
    answers = [f"* {question}: {answer}" for question, answer in doc["answers"]]
    blocks.append("Answers given to the advisor:\n\n" + ("\n".join(answers) or "* None"))
    return paragraphs(*blocks)


def _links(doc: dict) -> list[NamedRef]:
    return [NamedRef(line.label, ref_to(line.other)) for line in doc["links"]]


def people_line(record: AdrRecord) -> str:
    """Who decided, was consulted and informed, for dialects without a place for them."""
    said = [
        f"{label}: {' '.join(value.split())}."
        for label, value in (
            ("Decision-makers", ", ".join(record.deciders)),
            ("Consulted", record.consulted),
            ("Informed", record.informed),
        )
        if value.strip()
    ]
    return "\n".join(said)


def adr_record(decision: Decision, doc: dict | None = None) -> AdrRecord:
    """The decision as ADR files say it, from its document (built here unless given)."""
    doc = doc or record_context(decision)
    deciders = sorted(
        [user.get_username() for user in doc["deciders"]] + list(decision.external_deciders)
    )
    record = AdrRecord(
        number=decision.number,
        title=decision.title,
        status=str(decision.status),
        supersedes=[ref_to(other) for other in doc["supersedes"]],
        superseded_by=[ref_to(other) for other in doc["superseded_by"]],
        links=_links(doc),
        decided_on=decision.decided_on,
        updated_on=decision.last_updated_on,
        created_on=created_on(decision),
        deciders=deciders,
        consulted=decision.consulted,
        informed=decision.informed,
        system=decision.system_name,
        interaction=decision.interaction_name,
        context=decision.context.strip(),
        drivers=decision.drivers.strip(),
        chosen=doc["chosen_name"],
        good=bullet_items(decision.good_consequences),
        bad=bullet_items(decision.bad_consequences),
        confirmation=decision.confirmation.strip(),
        file="",
        dialect=decision.imported_from,
    )
    if decision.imported:
        sections = decision.imported_sections
        record.status_said = sections.get("_status_said", "")
        record.tags = list(sections.get("_tags", []))
        record.front_extra = dict(sections.get("_front_matter", []))
        record.options = sections.get("Considered Options", "")
        record.outcome = sections.get("Decision Outcome", "")
        record.pros_and_cons = sections.get("Pros and Cons of the Options", "")
        record.decision = sections.get("Decision", "")
        record.consequences = sections.get("Consequences", "")
        record.more_information = decision.links.strip()
        return record
    record.options = "\n".join(f"* {option.name}" for option in doc["options"])
    record.outcome = _outcome(doc)
    record.pros_and_cons = _pros_and_cons(doc)
    record.more_information = paragraphs(decision.links, _assessment_notes(doc))
    # Dialects with a single Decision section (Nygard's) say it all there.
    scores = ""
    if doc["choice"].advised:
        rows = [f"* {option.name}: {option.score:g} of 100" for option in doc["options"]]
        scores = "Options considered, with their scores when recorded:\n\n" + "\n".join(rows)
    confirmation = f"Confirmation: {record.confirmation}" if record.confirmation else ""
    record.decision = paragraphs(
        record.outcome, scores, confirmation, people_line(record), record.more_information
    )
    record.front_extra = {
        "chosen-pattern": decision.chosen_option,
        "recommended-pattern": decision.recommended_option or None,
        "framework": f"{decision.framework_name} v{decision.framework_version}",
    }
    return record
