"""What a system's map, review queue and risk register are drawn from, read in at most four queries.

Each interaction's pattern is the one its current decision chose (the latest accepted,
else the latest proposed); an undecided interaction is drawn as its team says it talks
today (`Interaction.style`). Its state says how far the decision has come and whether it
still holds:

    undecided   no proposed or accepted decision
    proposed    a decision waits for acceptance
    accepted    an accepted decision stands
    against     the decision chose another pattern than the one the advisor recommended
    stale       an accepted decision whose interaction's answers changed since it was
                recorded: it may no longer say what the team would decide today. Only a
                decision that froze an assessment can go stale: a record imported from an
                ADR file froze no answers to compare, and simply stands.

A frozen result comes from the database, where an imported JSON record may have put
anything; only the parts of it that have the shape the app writes are read (`_result`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.urls import get_script_prefix, reverse

from advisor.engine import Framework
from advisor.engine.answer_changes import answers_changed
from advisor.frameworks import team_framework
from advisor.models import Interaction, System

UNDECIDED, PROPOSED, ACCEPTED, AGAINST, STALE = (
    "undecided", "proposed", "accepted", "against", "stale",
)  # fmt: skip
# What the map, review queue and register read of a result. Only these keys are loaded: a
# whole result (every contribution behind every score) is tens of kilobytes of JSON, and
# decoding a thousand of them would cost more than everything else on the page.
RESULT_KEYS = ("recommendation", "warnings", "mitigations")
STATE_TITLES = {
    UNDECIDED: "No decision yet",
    PROPOSED: "Proposed",
    ACCEPTED: "Accepted",
    AGAINST: "Against the advice",
    STALE: "Stale: answers changed since the decision",
}


_PK = 2_147_483_647  # stands for the primary key in a reversed address


@lru_cache(maxsize=32)
def _address_template(name: str, prefix: str) -> tuple[str, str]:
    head, _, tail = reverse(name, args=[_PK]).partition(str(_PK))
    return head, tail


def object_url(name: str, pk: int) -> str:
    """`reverse(name, args=[pk])` for a view whose only argument is a primary key, at a
    fraction of its cost: a map of a thousand interactions links each several times."""
    head, tail = _address_template(name, get_script_prefix())
    return f"{head}{pk}{tail}"


@dataclass(frozen=True)
class ServiceFact:
    id: int
    name: str
    description: str


@dataclass(frozen=True)
class DecisionFact:
    id: int
    reference: str  # "ADR-0007"
    title: str
    status: str  # "accepted" or "proposed"
    chosen_option: str
    recommended_option: str
    answers: Mapping[str, Any]
    result: Mapping[str, Any]  # the frozen result's RESULT_KEYS, for the chosen pattern
    # Whether the decision froze an assessment (a record imported from an ADR file did not).
    assessed: bool = True

    @property
    def url(self) -> str:
        return object_url("decision_detail", self.id)

    @property
    def against_advice(self) -> bool:
        return bool(self.recommended_option) and self.chosen_option != self.recommended_option


@dataclass(frozen=True)
class InteractionFact:
    id: int
    name: str
    source_id: int
    target_id: int
    style: str  # how it talks today: "" (not known), "sync", "async", "request_reply"
    answers: Mapping[str, Any]  # the questionnaire's current answers
    draft_result: Mapping[str, Any]  # RESULT_KEYS of what they give now (recommended pattern)
    decision: DecisionFact | None
    # For a stale decision: the questions whose answers differ from the recorded ones.
    changed_questions: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return object_url("interaction_detail", self.id)

    @property
    def decided(self) -> bool:
        return self.decision is not None

    @property
    def pattern(self) -> str | None:
        """The pattern the map draws and the chain analysis counts: the decision's choice,
        else the declared style, else None (not known)."""
        if self.decision is not None and self.decision.chosen_option:
            return self.decision.chosen_option
        return self.style or None

    @property
    def stale(self) -> bool:
        return bool(self.changed_questions)

    @property
    def flags(self) -> tuple[str, ...]:
        """Every state that applies, most pressing first."""
        if self.decision is None:
            return (UNDECIDED,)
        flags = []
        if self.stale:
            flags.append(STALE)
        if self.decision.against_advice:
            flags.append(AGAINST)
        flags.append(ACCEPTED if self.decision.status == "accepted" else PROPOSED)
        return tuple(flags)

    @property
    def state(self) -> str:
        """The one state the map styles the edge by: the most pressing."""
        return self.flags[0]

    @property
    def result(self) -> Mapping[str, Any]:
        """The result whose warnings and practices apply: the decision's frozen one (for
        the chosen pattern), else the draft's (for the recommended pattern)."""
        return self.decision.result if self.decision is not None else self.draft_result


@dataclass(frozen=True)
class SystemFacts:
    system: System
    framework: Framework
    services: tuple[ServiceFact, ...]
    interactions: tuple[InteractionFact, ...]
    _services_by_id: dict[int, ServiceFact] = field(default_factory=dict, repr=False)

    def service(self, service_id: int) -> ServiceFact:
        return self._services_by_id[service_id]

    def interaction(self, interaction_id: int) -> InteractionFact:
        for fact in self.interactions:
            if fact.id == interaction_id:
                return fact
        raise KeyError(interaction_id)

    def pattern_title(self, key: str | None) -> str:
        if not key:
            return "Not known yet"
        try:
            return self.framework.pattern(key).name
        except KeyError:
            return key.replace("_", " ").capitalize()

    def question_title(self, key: str) -> str:
        """What people read for an answer's key: the question's text, else the estimator
        input's label, else the key as words (a question this framework no longer asks)."""
        if key in self.framework.questions_by_key:
            return self.framework.factor_title(key)
        numeric = self.framework.inputs_by_key.get(key)
        if numeric is not None:
            return numeric.label
        return readable_key(key)


# How the units that end many input keys read in a sentence.
_KEY_WORDS = {"ms": "(ms)", "s": "second"}


def readable_key(key: str) -> str:
    """A key the framework does not know, as words: "latency_budget_ms" reads "Latency
    budget (ms)", "arrival_rate_per_s" reads "Arrival rate per second"."""
    words = [_KEY_WORDS.get(word, word) for word in str(key).replace("-", "_").split("_") if word]
    if not words:
        return "Unnamed answer"
    text = " ".join(words)
    return text[0].upper() + text[1:]


# The text fields of a warning or practice that the map, review queue and register read.
_ENTRY_TEXTS = ("code", "severity", "status", "title")


def _entry_ok(entry: Any) -> bool:
    return isinstance(entry, dict) and all(
        isinstance(entry.get(name), (str, type(None))) for name in _ENTRY_TEXTS
    )


def _result(parts) -> dict[str, Any]:
    """The frozen result's RESULT_KEYS, keeping only what has the shape the app writes: a
    recommendation that is text, and lists of warnings and practices whose code, severity,
    status and title are text. Anything else (an imported record may hold any JSON) is
    dropped, so no page, spreadsheet or report trips over it."""
    result: dict[str, Any] = {}
    for key, value in zip(RESULT_KEYS, parts, strict=True):
        if key == "recommendation":
            if isinstance(value, str):
                result[key] = value
        elif isinstance(value, list):
            result[key] = [entry for entry in value if _entry_ok(entry)]
    return result


def _current_decisions(system: System) -> dict[int, DecisionFact]:
    """Each interaction's current decision: the latest accepted, else the latest proposed."""
    from decisions.models import Decision, Status

    rows = (
        Decision.objects.filter(
            interaction__system=system, status__in=[Status.ACCEPTED, Status.PROPOSED]
        )
        .order_by("number")
        .values_list(
            "pk", "number", "interaction_id", "title", "status", "chosen_option",
            "recommended_option", "framework_name", "answers",
            *(f"result__{key}" for key in RESULT_KEYS),
        )
    )  # fmt: skip
    current: dict[int, DecisionFact] = {}
    for pk, number, interaction_id, title, status, *rest in rows:
        chosen, recommended, framework, answers, *parts = rest
        result = _result(parts)
        held = current.get(interaction_id)
        if held is not None and held.status == Status.ACCEPTED and status != Status.ACCEPTED:
            continue  # an accepted decision outranks a later proposal
        current[interaction_id] = DecisionFact(
            id=pk, reference=f"ADR-{number:04d}", title=title, status=status,
            chosen_option=chosen, recommended_option=recommended,
            answers=answers if isinstance(answers, dict) else {}, result=result,
            assessed=bool(framework),
        )  # fmt: skip
    return current


def system_facts(system: System) -> SystemFacts:
    """The system's services and interactions with their decisions and answers: at most
    four queries (interactions with their drafts, services, decisions, and the system's
    team for its framework unless it is loaded already) whatever the size of the system."""
    # The interactions are read before the services: a service and an interaction to it
    # made between the two reads then has its service in the facts (an interaction cannot
    # outlive its services). The reverse order would list an interaction to a service the
    # facts do not know. A service deleted between the reads takes its interactions along;
    # those are left out below.
    rows = list(
        Interaction.objects.filter(system=system)
        .order_by("name")
        .values_list(
            "pk", "name", "source_id", "target_id", "style", "assessment__answers",
            *(f"assessment__result__{key}" for key in RESULT_KEYS),
        )
    )  # fmt: skip
    services = tuple(
        ServiceFact(id=pk, name=name, description=description)
        for pk, name, description in system.services.order_by("name").values_list(
            "pk", "name", "description"
        )
    )
    services_by_id = {service.id: service for service in services}
    decisions = _current_decisions(system)
    interactions = []
    for pk, name, source_id, target_id, style, answers, *parts in rows:
        if source_id not in services_by_id or target_id not in services_by_id:
            continue  # deleted since it was read
        answers = answers if isinstance(answers, dict) else {}
        decision = decisions.get(pk)
        changed: tuple[str, ...] = ()
        if decision is not None and decision.status == "accepted" and decision.assessed:
            changed = answers_changed(decision.answers, answers)
        fact = InteractionFact(
            id=pk, name=name, source_id=source_id, target_id=target_id, style=style,
            answers=answers, draft_result=_result(parts), decision=decision,
            changed_questions=changed,
        )  # fmt: skip
        interactions.append(fact)
    return SystemFacts(
        system=system,
        framework=team_framework(system.team),
        services=services,
        interactions=tuple(interactions),
        _services_by_id=services_by_id,
    )
