"""The facts a system's map, review queue and register read: patterns, states, staleness."""

from __future__ import annotations

from contextlib import contextmanager

import pytest
from django.db import connection

from advisor import services
from advisor.models import Assessment, Service, Style
from advisor.system_map.facts import (
    ACCEPTED,
    AGAINST,
    PROPOSED,
    STALE,
    UNDECIDED,
    readable_key,
    system_facts,
)
from advisor.system_map.review import review_queue, risk_register
from decisions import services as decision_services
from decisions.archive import read_files
from decisions.models import Decision, Status
from decisions.services.importing import import_apply
from decisions.services.linking import decision_link_interaction
from tests.factories import (
    NOBODY_WAITS,
    SOMEONE_WAITS,
    MembershipFactory,
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


MADR_ACCEPTED = b"""---
status: accepted
date: 2024-05-06
---

# Queue stock reservations

## Context and Problem Statement

Checkout waits on Inventory at peak.

## Decision Outcome

Chosen option: "Queue the reservations", because checkout must not wait.
"""


def test_an_accepted_record_imported_from_an_adr_file_is_accepted_not_stale():
    interaction = make_interaction(answers={**SOMEONE_WAITS, "operation": "query"})
    owner = MembershipFactory(team=interaction.system.team, role="owner").user
    (decision,) = import_apply(
        team=interaction.system.team, user=owner,
        upload=read_files({"docs/decisions/0001-queue-stock-reservations.md": MADR_ACCEPTED}),
    )  # fmt: skip
    assert (decision.status, decision.framework_name, decision.answers) == ("accepted", "", {})
    decision_link_interaction(decision=decision, interaction=interaction, user=owner)
    fact = _fact(interaction.system, interaction)
    assert fact.decision.id == decision.pk
    assert fact.flags == (ACCEPTED,)
    assert fact.changed_questions == ()
    assert review_queue(system_facts(interaction.system)).stale == ()


def test_a_recorded_decision_whose_answers_were_all_blank_still_goes_stale():
    interaction = make_interaction(name="Quote")
    decision = record_decision(interaction)
    _accept(decision, None)
    assert decision.framework_name and decision.answers == {}
    Assessment.objects.filter(interaction=interaction).update(answers={"operation": "query"})
    assert _fact(interaction.system, interaction).changed_questions == ("operation",)


def test_a_frozen_result_of_the_wrong_shape_is_read_without_its_bad_parts():
    interaction = make_interaction(answers={**NOBODY_WAITS, "operation": "event"})
    decision = _accept(record_decision(interaction), None)
    practice = {"code": "dlq_replay", "title": "Dead-letter queue", "status": "missing",
                "severity": "high"}  # fmt: skip
    Decision.objects.filter(pk=decision.pk).update(result={
        "recommendation": ["async"],
        "warnings": "abc",
        "mitigations": [
            {"code": ["x"], "status": "missing"}, {"code": "x", "severity": 3}, "x", 7,
            practice,
        ],
    })  # fmt: skip
    facts = system_facts(interaction.system)
    result = facts.interaction(interaction.pk).result
    assert result == {"mitigations": [practice]}
    (step,) = risk_register(facts).steps
    assert step.title == "Dead-letter queue"


@contextmanager
def before_second_query(action):
    """Runs `action` between the first and the second query, as another request would."""
    executed = []

    def wrapper(execute, sql, params, many, context):
        executed.append(sql)
        if len(executed) == 2:
            action()
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield


def test_a_service_and_an_interaction_to_it_made_between_the_reads_break_nothing():
    interaction = make_interaction(answers=NOBODY_WAITS)
    system = interaction.system

    def connect_a_new_service():
        services.interaction_create(
            system=system, source=interaction.source,
            target=ServiceFactory(system=system, name="Mailer"), name="Send receipts",
            description="", user=UserFactory(),
        )  # fmt: skip

    with before_second_query(connect_a_new_service):
        facts = system_facts(system)
    # The interactions were read first: the new one is not among them, its service is.
    assert "Mailer" in [service.name for service in facts.services]
    queue = review_queue(facts)
    assert [(line.caller, line.receiver) for line in queue.undecided] == [
        ("Reserve stock caller", "Reserve stock receiver")
    ]


def test_an_interaction_whose_service_is_deleted_between_the_reads_is_left_out():
    interaction = make_interaction(answers=NOBODY_WAITS)
    other = make_interaction(system=interaction.system, name="Quote", answers=NOBODY_WAITS)

    with before_second_query(lambda: Service.objects.filter(pk=other.target_id).delete()):
        facts = system_facts(interaction.system)
    assert [fact.id for fact in facts.interactions] == [interaction.pk]
    assert review_queue(facts).interactions == 1


def test_an_answer_is_named_by_its_question_its_input_or_its_key_as_words():
    facts = system_facts(SystemFactory())
    assert facts.question_title("consistency") == "How fresh must the data be?"
    assert facts.question_title("latency_budget_ms") == "End-to-end latency budget"
    assert facts.question_title("retired_question") == "Retired question"
    assert readable_key("peak_wait_ms") == "Peak wait (ms)"
    assert readable_key("arrival_rate_per_s") == "Arrival rate per second"
