"""What a system's map, review queue and risk register are drawn from, read in four queries.

Each interaction's pattern is the one its current decision chose (the latest accepted,
else the latest proposed); an undecided interaction is drawn as its team says it talks
today (`Interaction.style`). Its state says how far the decision has come and whether it
still holds:

    undecided   no proposed or accepted decision
    proposed    a decision waits for acceptance
    accepted    an accepted decision stands
    against     the decision chose another pattern than the one the advisor recommended
    stale       an accepted decision whose interaction's answers changed since it was
                recorded: it may no longer say what the team would decide today
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
        return self.framework.factor_title(key)


def _result(parts) -> dict[str, Any]:
    return {key: value for key, value in zip(RESULT_KEYS, parts, strict=True) if value is not None}


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
            "recommended_option", "answers", *(f"result__{key}" for key in RESULT_KEYS),
        )
    )  # fmt: skip
    current: dict[int, DecisionFact] = {}
    for pk, number, interaction_id, title, status, chosen, recommended, answers, *parts in rows:
        result = _result(parts)
        held = current.get(interaction_id)
        if held is not None and held.status == Status.ACCEPTED and status != Status.ACCEPTED:
            continue  # an accepted decision outranks a later proposal
        current[interaction_id] = DecisionFact(
            id=pk, reference=f"ADR-{number:04d}", title=title, status=status,
            chosen_option=chosen, recommended_option=recommended, answers=answers or {},
            result=result or {},
        )  # fmt: skip
    return current


def system_facts(system: System) -> SystemFacts:
    """The system's services and interactions with their decisions and answers: four
    queries (services, interactions with their drafts, decisions, framework) whatever the
    size of the system."""
    services = tuple(
        ServiceFact(id=pk, name=name, description=description)
        for pk, name, description in system.services.order_by("name").values_list(
            "pk", "name", "description"
        )
    )
    decisions = _current_decisions(system)
    rows = (
        Interaction.objects.filter(system=system)
        .order_by("name")
        .values_list(
            "pk", "name", "source_id", "target_id", "style", "assessment__answers",
            *(f"assessment__result__{key}" for key in RESULT_KEYS),
        )
    )  # fmt: skip
    interactions = []
    for pk, name, source_id, target_id, style, answers, *parts in rows:
        result = _result(parts)
        decision = decisions.get(pk)
        changed: tuple[str, ...] = ()
        if decision is not None and decision.status == "accepted":
            changed = answers_changed(decision.answers, answers or {})
        fact = InteractionFact(
            id=pk, name=name, source_id=source_id, target_id=target_id, style=style,
            answers=answers or {}, draft_result=result, decision=decision,
            changed_questions=changed,
        )  # fmt: skip
        interactions.append(fact)
    return SystemFacts(
        system=system,
        framework=team_framework(system.team),
        services=services,
        interactions=tuple(interactions),
        _services_by_id={service.id: service for service in services},
    )
