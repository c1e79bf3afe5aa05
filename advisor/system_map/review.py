"""What a system's review queue and risk register show, built from its facts alone.

`review_queue` lists what needs someone's attention: interactions with no decision yet,
proposals waiting for acceptance, accepted decisions whose answers have changed since,
answers about one service that contradict each other, and decisions taken against the
advice. `risk_register` turns the missing practices and open warnings into a plan, one step
per practice (see `advisor.engine.risk_register`). Both are plain data for the pages, the
CSV and the PDF, and read nothing beyond `system_facts`.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.engine.risk_register import PRACTICE, RegisterEntry, RiskGroup, build_register
from advisor.engine.system_review import RULES_BY_CODE, AnsweredEdge, find_contradictions
from advisor.presenters import SEVERITY_LABELS
from advisor.system_map.facts import STATE_TITLES, DecisionFact, InteractionFact, SystemFacts


def count(number: int, noun: str) -> str:
    """“1 interaction”, “2 interactions”."""
    return f"{number} {noun if number == 1 else noun + 's'}"


@dataclass(frozen=True)
class Line:
    """One interaction as the review pages list it: names instead of ids, titles instead
    of keys."""

    interaction: InteractionFact
    caller: str
    receiver: str
    # The title of the pattern its warnings and practices are for: the one its decision
    # chose, else the one the advisor recommends today (`advised`).
    pattern: str
    state: str  # the title of its most pressing state
    advised: bool = False

    @property
    def decision(self) -> DecisionFact | None:
        return self.interaction.decision


def _line(facts: SystemFacts, interaction: InteractionFact) -> Line:
    recommended = (interaction.draft_result or {}).get("recommendation")
    advised = interaction.decision is None and bool(recommended)
    return Line(
        interaction=interaction,
        caller=facts.service(interaction.source_id).name,
        receiver=facts.service(interaction.target_id).name,
        pattern=facts.pattern_title(recommended if advised else interaction.pattern),
        state=STATE_TITLES[interaction.state],
        advised=advised,
    )


@dataclass(frozen=True)
class StaleLine:
    line: Line
    changed: tuple[str, ...]  # the titles of the questions answered differently since


@dataclass(frozen=True)
class AgainstLine:
    line: Line
    chosen: str  # pattern titles
    recommended: str


@dataclass(frozen=True)
class ContradictionSide:
    answer: str  # the choice's label
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class ReviewContradiction:
    title: str
    explanation: str
    severity: str
    service: str  # the name of the service the answers are about
    question: str  # the question's text
    sides: tuple[ContradictionSide, ...]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity.capitalize())


@dataclass(frozen=True)
class ReviewQueue:
    undecided: tuple[Line, ...]
    proposed: tuple[Line, ...]
    stale: tuple[StaleLine, ...]
    contradictions: tuple[ReviewContradiction, ...]
    against: tuple[AgainstLine, ...]
    interactions: int  # how many the system has

    @property
    def total(self) -> int:
        """How many things wait for review (an interaction can count more than once)."""
        return (
            len(self.undecided) + len(self.proposed) + len(self.stale)
            + len(self.contradictions) + len(self.against)
        )  # fmt: skip

    @property
    def decided(self) -> int:
        """How many interactions have a proposed or accepted decision."""
        return self.interactions - len(self.undecided)


def _choice_label(facts: SystemFacts, question: str, answer: str) -> str:
    try:
        choices = facts.framework.question(question).choices
    except KeyError:
        choices = ()
    for choice in choices:
        if choice.key == answer:
            return choice.label
    return answer.replace("_", " ").capitalize()


def _contradictions(facts: SystemFacts, lines: dict[int, Line]) -> tuple[ReviewContradiction, ...]:
    edges = (
        AnsweredEdge(id=fact.id, source=fact.source_id, target=fact.target_id, answers=fact.answers)
        for fact in facts.interactions
    )
    found = []
    for contradiction in find_contradictions(edges):
        rule = RULES_BY_CODE[contradiction.code]
        found.append(
            ReviewContradiction(
                title=rule.title,
                explanation=rule.explanation,
                severity=contradiction.severity,
                service=facts.service(contradiction.service).name,
                question=facts.question_title(contradiction.question),
                sides=tuple(
                    ContradictionSide(
                        answer=_choice_label(facts, contradiction.question, side.answer),
                        lines=tuple(lines[edge] for edge in side.edges),
                    )
                    for side in contradiction.sides
                ),
            )
        )
    return tuple(found)


def review_queue(facts: SystemFacts) -> ReviewQueue:
    """What in the system waits for a decision, an acceptance or a second look."""
    lines = {fact.id: _line(facts, fact) for fact in facts.interactions}
    undecided, proposed, stale, against = [], [], [], []
    for fact in facts.interactions:
        line, decision = lines[fact.id], fact.decision
        if decision is None:
            undecided.append(line)
            continue
        if decision.status != "accepted":
            proposed.append(line)
        if fact.stale:
            changed = tuple(facts.question_title(key) for key in fact.changed_questions)
            stale.append(StaleLine(line=line, changed=changed))
        if decision.against_advice:
            against.append(
                AgainstLine(
                    line=line,
                    chosen=facts.pattern_title(decision.chosen_option),
                    recommended=facts.pattern_title(decision.recommended_option),
                )
            )
    return ReviewQueue(
        undecided=tuple(undecided),
        proposed=tuple(proposed),
        stale=tuple(stale),
        contradictions=_contradictions(facts, lines),
        against=tuple(against),
        interactions=len(facts.interactions),
    )


@dataclass(frozen=True)
class RegisterLine:
    """One interaction in a step: whether the practice is missing there, and the warnings
    the step would close there."""

    line: Line
    severity: str
    missing: bool
    warnings: tuple[str, ...]

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity.capitalize())


def _lower_first(title: str) -> str:
    # "Circuit breakers" reads "circuit breakers" mid-sentence; "TLS everywhere" stays.
    if len(title) > 1 and title[0].isupper() and title[1].islower():
        return title[0].lower() + title[1:]
    return title


def _warnings_phrase(by_severity: tuple[tuple[str, int], ...]) -> str:
    total = sum(number for _, number in by_severity)
    if len(by_severity) == 1:
        severity, number = by_severity[0]
        return count(number, f"{severity} warning")
    parts = ", ".join(f"{number} {severity}" for severity, number in by_severity)
    return f"{count(total, 'warning')} ({parts})"


@dataclass(frozen=True)
class RegisterStep:
    """One step of the plan, with the interactions it concerns."""

    rank: int
    group: RiskGroup
    lines: tuple[RegisterLine, ...]

    @property
    def title(self) -> str:
        return self.group.title

    @property
    def is_practice(self) -> bool:
        return self.group.kind == PRACTICE

    @property
    def kind_label(self) -> str:
        return "Practice" if self.is_practice else "Warning"

    @property
    def severity(self) -> str:
        return self.group.severity

    @property
    def severity_label(self) -> str:
        return SEVERITY_LABELS.get(self.severity, self.severity.capitalize())

    @property
    def headline(self) -> str:
        """What to do, as the step's heading."""
        if self.is_practice:
            return f"Put {_lower_first(self.title)} in place"
        return f"Resolve “{self.title}”"

    @property
    def summary(self) -> str:
        """Where it applies and what it closes: “missing on 4 interactions; closes 3 high
        warnings”."""
        group = self.group
        if not self.is_practice:
            warning = count(group.interactions, "interaction")
            return f"{self.severity} warning on {warning}; no single practice closes it"
        parts = []
        if group.missing:
            parts.append(f"missing on {count(group.missing, 'interaction')}")
        if group.closed_by_severity:
            closes = f"closes {_warnings_phrase(group.closed_by_severity)}"
            if not group.missing:
                closes += f" on {count(group.interactions, 'interaction')}"
            parts.append(closes)
        return "; ".join(parts)

    @property
    def closed_warnings(self) -> str:
        """The titles of the warnings the step closes, with how many of each."""
        return "; ".join(
            f"{warning.title} (on {count(warning.count, 'interaction')})"
            for warning in self.group.closes_warnings
        )


@dataclass(frozen=True)
class Register:
    steps: tuple[RegisterStep, ...]
    interactions: int  # how many the system has
    affected: int  # how many appear in at least one step

    @property
    def high_steps(self) -> int:
        return sum(1 for step in self.steps if step.severity == "high")


def register_entries(facts: SystemFacts) -> tuple[RegisterEntry, ...]:
    """Each interaction's result, with the answers it was made from: a decision's frozen
    answers, else the draft's."""
    entries = []
    for fact in facts.interactions:
        result = fact.result or {}
        answers = fact.decision.answers if fact.decision is not None else fact.answers
        entries.append(
            RegisterEntry(
                key=fact.id,
                answers=answers,
                warnings=tuple(result.get("warnings") or ()),
                mitigations=tuple(result.get("mitigations") or ()),
            )
        )
    return tuple(entries)


def risk_register(facts: SystemFacts) -> Register:
    """The system's missing practices and open warnings as numbered steps, widest first."""
    lines = {fact.id: _line(facts, fact) for fact in facts.interactions}
    groups = build_register(facts.framework, register_entries(facts))
    steps = tuple(
        RegisterStep(
            rank=rank,
            group=group,
            lines=tuple(
                RegisterLine(
                    line=lines[item.key],
                    severity=item.severity,
                    missing=item.missing,
                    warnings=item.warnings,
                )
                for item in group.items
            ),
        )
        for rank, group in enumerate(groups, start=1)
    )
    affected = {item.key for group in groups for item in group.items}
    return Register(steps=steps, interactions=len(facts.interactions), affected=len(affected))
