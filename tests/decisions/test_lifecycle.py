"""The decision lifecycle: recording, numbering, transitions, revisions, conflicts."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from decisions import services
from decisions.models import TRANSITIONS, Decision, Revision, Status
from tests.factories import (
    NOBODY_WAITS,
    SystemFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db


def test_recording_freezes_the_answers_framework_and_full_result():
    interaction = make_interaction(answers={**NOBODY_WAITS, "operation": "batch"})
    decision = record_decision(interaction)
    assert decision.reference == "ADR-0001"
    assert decision.status == Status.PROPOSED
    assert decision.answers == {**NOBODY_WAITS, "operation": "batch"}
    assert (decision.framework_name, decision.framework_version) == ("default", 3)
    assert decision.result["recommendation"] == "async" == decision.recommended_option
    assert set(decision.result["scores"]) == {"sync", "async", "request_reply", "cqrs_lite"}
    assert decision.system_name == interaction.system.name
    # Later answers do not change the record.
    interaction.assessment.answers = {"operation": "query"}
    interaction.assessment.save()
    decision.refresh_from_db()
    assert decision.answers["operation"] == "batch"


def test_recording_refuses_answers_that_changed_since_the_form_was_opened():
    interaction = make_interaction(answers={**NOBODY_WAITS, "operation": "batch"})
    with pytest.raises(ValidationError, match="answers changed since this form was opened"):
        record_decision(interaction, assessment_revision=0)  # the draft is at revision 1
    assert not Decision.objects.exists()


def test_a_title_is_kept_on_one_line():
    decision = record_decision(title="Line one\r\n---\r\nstatus: accepted")
    assert decision.title == "Line one --- status: accepted"


def test_recording_prefills_drivers_and_consequences_from_the_advice():
    decision = record_decision(make_interaction(answers={**NOBODY_WAITS, "operation": "batch"}))
    assert "What does the interaction do?" in decision.drivers
    assert "**Batch (many items in bulk)**" in decision.drivers
    assert decision.good_consequences.startswith("- The producer stays fast")
    assert decision.title == (
        "How Reserve stock caller calls Reserve stock receiver: Reserve stock"
    )


def test_numbers_are_per_team_and_consecutive():
    system = SystemFactory()
    first = record_decision(make_interaction(system=system, name="One"))
    second = record_decision(make_interaction(system=system, name="Two"))
    elsewhere = record_decision(make_interaction(name="Three"))
    assert (first.number, second.number, elsewhere.number) == (1, 2, 1)


def test_choosing_against_the_advice_needs_a_justification():
    interaction = make_interaction(answers={**NOBODY_WAITS, "operation": "batch"})
    with pytest.raises(ValidationError, match="say why"):
        record_decision(interaction, chosen_option="sync", justification="  ")
    decision = record_decision(
        interaction, chosen_option="sync", justification="The batch is ten items."
    )
    assert decision.against_advice
    # The record warns about what was chosen, not about what was recommended.
    assert "sync_batch" in [w["code"] for w in decision.result["warnings"]]
    assert decision.result["recommendation"] == "async"


def _accept(decision):
    services.decision_change_status(
        decision=decision, user=decision.created_by, status=Status.ACCEPTED,
        base_version=decision.version,
    )  # fmt: skip
    decision.refresh_from_db()
    return decision


@pytest.mark.parametrize(
    ("start", "target"),
    [(start, target) for start in Status.values for target in Status.values if start != target],
)
def test_the_transition_table(start, target):
    decision = record_decision()
    Decision.objects.filter(pk=decision.pk).update(status=start)
    decision.refresh_from_db()
    if target in TRANSITIONS[start]:
        services.decision_change_status(
            decision=decision, user=decision.created_by, status=target,
            base_version=decision.version,
        )  # fmt: skip
        decision.refresh_from_db()
        assert decision.status == target
        assert decision.revisions.order_by("version").last().data["status"] == target
    else:
        with pytest.raises(ValidationError):
            services.decision_change_status(
                decision=decision, user=decision.created_by, status=target,
                base_version=decision.version,
            )  # fmt: skip
        decision.refresh_from_db()
        assert decision.status == start
        assert decision.revisions.count() == 1


@pytest.mark.parametrize(
    ("start", "allowed"),
    [("proposed", {"accepted", "rejected"}), ("accepted", {"deprecated"}),
     ("rejected", {"proposed"}), ("deprecated", set()), ("superseded", set())],
)  # fmt: skip
def test_only_the_sensible_moves_are_open_to_people(start, allowed):
    assert set(TRANSITIONS[start]) == allowed


def test_superseded_is_reached_only_by_accepting_a_successor():
    decision = _accept(record_decision())
    with pytest.raises(ValidationError, match="successor that names it is accepted"):
        services.decision_change_status(
            decision=decision, user=decision.created_by, status=Status.SUPERSEDED,
            base_version=decision.version,
        )  # fmt: skip


def test_only_accepted_decisions_can_be_superseded():
    proposed = record_decision()
    with pytest.raises(ValidationError, match="Only accepted decisions"):
        record_decision(proposed.interaction, supersedes=[proposed])


def test_a_decision_of_another_team_cannot_be_superseded():
    foreign = _accept(record_decision())
    with pytest.raises(ValidationError, match="same team"):
        record_decision(supersedes=[foreign])


def test_a_proposed_successor_leaves_its_predecessor_in_force_until_accepted():
    old = _accept(record_decision())
    new = record_decision(old.interaction, supersedes=[old])
    old.refresh_from_db()
    assert old.status == Status.ACCEPTED
    services.decision_change_status(
        decision=new, user=new.created_by, status=Status.REJECTED, base_version=1
    )
    old.refresh_from_db()
    assert old.status == Status.ACCEPTED


def test_accepting_a_successor_supersedes_the_accepted_ones_it_replaces():
    old = _accept(record_decision())
    other = _accept(record_decision(old.interaction))
    new = record_decision(old.interaction, supersedes=[old, other])
    services.decision_change_status(
        decision=new, user=new.created_by, status=Status.ACCEPTED, base_version=1
    )
    for decision in (old, other):
        decision.refresh_from_db()
        assert decision.status == Status.SUPERSEDED
        assert list(decision.superseded_by.all()) == [new]
        assert decision.revisions.last().note == f"Superseded by {new.reference}."
    assert set(new.supersedes.all()) == {old, other}


def test_accepting_sets_the_decision_date():
    decision = record_decision()
    services.decision_change_status(
        decision=decision, user=decision.created_by, status=Status.ACCEPTED, base_version=1
    )
    decision.refresh_from_db()
    assert decision.decided_on is not None


class TestRevisions:
    def test_every_save_is_a_revision_with_author_and_note(self):
        decision = record_decision()
        services.decision_update(
            decision=decision, user=decision.created_by,
            data={**_data(decision), "title": "Sharper title"},
            deciders=[], base_version=1, note="Tightened the wording",
        )  # fmt: skip
        revisions = list(decision.revisions.order_by("version"))
        assert [(r.version, r.kind) for r in revisions] == [(1, "recorded"), (2, "edited")]
        assert revisions[0].data["title"] != "Sharper title"
        assert revisions[1].data["title"] == "Sharper title"
        assert revisions[1].note == "Tightened the wording"

    def test_a_revision_cannot_be_changed_or_deleted(self):
        revision = record_decision().revisions.get()
        revision.note = "rewritten history"
        with pytest.raises(ValueError, match="cannot be changed"):
            revision.save()
        with pytest.raises(ValueError, match="cannot be deleted"):
            revision.delete()
        assert Revision.objects.get(pk=revision.pk).note == ""

    def test_an_accepted_decision_cannot_be_edited_only_amended(self):
        decision = record_decision()
        services.decision_change_status(
            decision=decision, user=decision.created_by, status=Status.ACCEPTED, base_version=1
        )
        decision.refresh_from_db()
        with pytest.raises(ValidationError, match="amend or supersede"):
            services.decision_update(
                decision=decision, user=decision.created_by, data=_data(decision),
                deciders=[], base_version=decision.version,
            )  # fmt: skip
        with pytest.raises(ValidationError, match="needs a reason"):
            services.decision_amend(
                decision=decision, user=decision.created_by, data=_data(decision),
                deciders=[], base_version=decision.version, reason=" ",
            )  # fmt: skip
        services.decision_amend(
            decision=decision, user=decision.created_by,
            data={**_data(decision), "confirmation": "Weekly p99 review"},
            deciders=[], base_version=decision.version, reason="Added the check we agreed",
        )  # fmt: skip
        amendment = decision.revisions.order_by("version").last()
        assert (amendment.kind, amendment.note) == ("amended", "Added the check we agreed")
        assert amendment.data["confirmation"] == "Weekly p99 review"


def test_saving_over_a_newer_version_is_a_conflict_and_loses_nothing():
    decision = record_decision()
    services.decision_update(
        decision=decision, user=decision.created_by,
        data={**_data(decision), "title": "Theirs"}, deciders=[], base_version=1,
    )  # fmt: skip
    stale = Decision.objects.get(pk=decision.pk)
    stale.version = 1
    with pytest.raises(services.DecisionConflict) as conflict:
        services.decision_update(
            decision=stale, user=decision.created_by,
            data={**_data(decision), "title": "Mine"}, deciders=[], base_version=1,
        )  # fmt: skip
    assert conflict.value.current.title == "Theirs"
    assert Decision.objects.get(pk=decision.pk).title == "Theirs"
    assert decision.revisions.count() == 2


def _data(decision: Decision) -> dict:
    return {field: getattr(decision, field) for field in services.EDITABLE_FIELDS}
