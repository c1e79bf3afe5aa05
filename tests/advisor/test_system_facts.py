"""The facts a system's map, review queue and register read: patterns, states, staleness."""

from __future__ import annotations

import pytest

from advisor import services
from advisor.models import Assessment, Style
from advisor.system_map.facts import (
    ACCEPTED,
    AGAINST,
    PROPOSED,
    STALE,
    UNDECIDED,
    system_facts,
)
from decisions import services as decision_services
from decisions.models import Status
from tests.factories import (
    NOBODY_WAITS,
    SOMEONE_WAITS,
    ServiceFactory,
    SystemFactory,
    UserFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db


def _accept(decision, user):
    decision_services.decision_change_status(
        decision=decision, user=user or decision.deciders.first(), status=Status.ACCEPTED,
        base_version=decision.version,
    )  # fmt: skip
    decision.refresh_from_db()
    return decision


def _fact(system, interaction):
    return system_facts(system).interaction(interaction.pk)


def test_an_undecided_interaction_is_drawn_as_its_team_says_it_talks_today():
    system = SystemFactory()
    caller, receiver = ServiceFactory(system=system), ServiceFactory(system=system)
    interaction = services.interaction_create(
        system=system, source=caller, target=receiver, name="Quote", description="",
        user=UserFactory(), style=Style.SYNC,
    )  # fmt: skip
    fact = _fact(system, interaction)
    assert (fact.pattern, fact.state, fact.decided) == ("sync", UNDECIDED, False)
    assert fact.source_id == caller.pk and fact.target_id == receiver.pk


def test_an_undecided_interaction_without_a_style_has_no_pattern():
    interaction = make_interaction(name="Quote")
    assert _fact(interaction.system, interaction).pattern is None


def test_a_proposed_decision_sets_the_pattern_and_the_state():
    interaction = make_interaction(answers={**SOMEONE_WAITS, "operation": "query"})
    decision = record_decision(interaction)
    fact = _fact(interaction.system, interaction)
    assert fact.pattern == decision.chosen_option
    assert fact.state == PROPOSED
    assert fact.decision.reference == decision.reference


def test_an_accepted_decision_outranks_a_later_proposal():
    interaction = make_interaction(answers={**SOMEONE_WAITS, "operation": "query"})
    first = _accept(record_decision(interaction), None)
    record_decision(interaction)
    fact = _fact(interaction.system, interaction)
    assert fact.decision.id == first.pk
    assert fact.state == ACCEPTED


def test_a_decision_against_the_advice_is_flagged():
    interaction = make_interaction(answers={**NOBODY_WAITS, "operation": "event"})
    recommended = Assessment.objects.get(interaction=interaction).result["recommendation"]
    other = "sync" if recommended != "sync" else "async"
    record_decision(interaction, chosen_option=other, justification="We know this receiver.")
    fact = _fact(interaction.system, interaction)
    assert fact.pattern == other
    assert fact.flags == (AGAINST, PROPOSED)


def test_an_accepted_decision_goes_stale_when_the_answers_change():
    interaction = make_interaction(answers={**SOMEONE_WAITS, "operation": "query"})
    decision = record_decision(interaction)
    _accept(decision, decision.deciders.first())
    assert _fact(interaction.system, interaction).state == ACCEPTED
    draft = Assessment.objects.get(interaction=interaction)
    Assessment.objects.filter(pk=draft.pk).update(
        answers={**draft.answers, "consistency": "eventual"}
    )
    fact = _fact(interaction.system, interaction)
    assert fact.state == STALE
    assert fact.changed_questions == ("consistency",)
    # The register still reads the frozen result (the keys it needs of it).
    assert fact.result["warnings"] == decision.result["warnings"]
    assert fact.result["mitigations"] == decision.result["mitigations"]


def test_a_rejected_decision_leaves_the_interaction_undecided():
    interaction = make_interaction(answers={**SOMEONE_WAITS, "operation": "query"})
    decision = record_decision(interaction)
    decision_services.decision_change_status(
        decision=decision, user=decision.deciders.first(), status=Status.REJECTED,
        base_version=decision.version,
    )  # fmt: skip
    assert _fact(interaction.system, interaction).state == UNDECIDED


def test_it_reads_a_system_in_the_same_few_queries_whatever_its_size(
    django_assert_max_num_queries,
):
    system = SystemFactory()
    for number in range(12):
        interaction = make_interaction(system=system, name=f"Call {number}", answers=NOBODY_WAITS)
        record_decision(interaction)
    system.refresh_from_db()
    with django_assert_max_num_queries(4):
        facts = system_facts(system)
    assert len(facts.interactions) == 12 and len(facts.services) == 24
