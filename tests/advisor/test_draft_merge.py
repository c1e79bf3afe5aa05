"""Saving a draft over a save made elsewhere: answers merge question by question."""

from __future__ import annotations

import pytest

from advisor import services
from advisor.engine import check_answers, evaluate
from advisor.frameworks import framework_get
from advisor.models import Assessment
from advisor.questionnaire import answer_keys, merge_answers
from advisor.services import SaveOutcome
from tests.factories import SystemFactory, make_interaction

pytestmark = pytest.mark.django_db
KEYS = answer_keys(framework_get("default", 3))


def save(interaction, user, answers, *, base_revision, base_answers):
    framework = framework_get("default", 3)
    checked, errors = check_answers(framework, answers)
    assert not errors
    return services.assessment_save_draft(
        interaction_id=interaction.pk, user=user, answers=checked,
        result=evaluate(framework, checked), base_revision=base_revision,
        base_answers=base_answers,
    )  # fmt: skip


def saved(interaction) -> Assessment:
    return Assessment.objects.get(interaction=interaction)


@pytest.fixture
def interaction(team):
    return make_interaction(system=SystemFactory(team=team))


class TestMergeAnswers:
    def test_changes_to_different_questions_are_both_kept(self):
        merged, conflicts = merge_answers(
            KEYS, base={"operation": "query"},
            theirs={"operation": "query", "consistency": "eventual"},
            mine={"operation": "command"},
        )  # fmt: skip
        assert merged == {"operation": "command", "consistency": "eventual"}
        assert conflicts == ()

    def test_a_question_both_changed_differently_conflicts_and_keeps_theirs(self):
        merged, conflicts = merge_answers(
            KEYS, base={}, theirs={"consistency": "eventual"}, mine={"consistency": "immediate"}
        )
        assert conflicts == ("consistency",)
        assert merged == {"consistency": "eventual"}

    def test_both_changing_a_question_to_the_same_answer_is_no_conflict(self):
        merged, conflicts = merge_answers(
            KEYS, base={"chain_depth": 2}, theirs={"chain_depth": 4}, mine={"chain_depth": 4}
        )
        assert (merged, conflicts) == ({"chain_depth": 4}, ())

    def test_multi_choice_answers_compare_as_sets(self):
        base = {"capabilities": ["tracing"]}
        merged, conflicts = merge_answers(
            KEYS, base=base, theirs={"capabilities": ["outbox", "tracing"]},
            mine={"capabilities": ["tracing", "outbox"]},
        )  # fmt: skip
        assert (merged, conflicts) == ({"capabilities": ["outbox", "tracing"]}, ())
        _, conflicts = merge_answers(
            KEYS, base=base, theirs={"capabilities": ["outbox"]}, mine={"capabilities": []}
        )
        assert conflicts == ("capabilities",)

    def test_numbers_merge_by_value(self):
        merged, conflicts = merge_answers(
            KEYS, base={"per_hop_p50_ms": 100.0},
            theirs={"per_hop_p50_ms": 100.0, "per_hop_p99_ms": 900.0},
            mine={"per_hop_p50_ms": 120.0},
        )  # fmt: skip
        assert (merged, conflicts) == ({"per_hop_p50_ms": 120.0, "per_hop_p99_ms": 900.0}, ())
        _, conflicts = merge_answers(
            KEYS, base={"chain_depth": 2}, theirs={"chain_depth": 3}, mine={"chain_depth": 5}
        )
        assert conflicts == ("chain_depth",)

    def test_taking_an_answer_back_is_a_change_too(self):
        merged, conflicts = merge_answers(
            KEYS, base={"operation": "query", "consistency": "eventual"},
            theirs={"operation": "command", "consistency": "eventual"},
            mine={"operation": "query"},
        )  # fmt: skip
        assert (merged, conflicts) == ({"operation": "command"}, ())


class TestSaveDraft:
    def test_with_nobody_in_between_it_saves_in_one_query(
        self, editor, interaction, django_assert_num_queries
    ):
        with django_assert_num_queries(1):
            outcome = save(interaction, editor, {"operation": "query"}, base_revision=0,
                           base_answers={})  # fmt: skip
        assert outcome.outcome == SaveOutcome.SAVED and outcome.revision == 1
        assert saved(interaction).answers == {"operation": "query"}

    def test_changes_to_different_questions_from_two_tabs_are_merged(
        self, editor, owner, interaction
    ):
        save(interaction, owner, {"consistency": "eventual"}, base_revision=0, base_answers={})
        outcome = save(interaction, editor, {"operation": "command"}, base_revision=0,
                       base_answers={})  # fmt: skip
        assert outcome.outcome == SaveOutcome.MERGED and outcome.revision == 2
        assert dict(outcome.answers) == {"consistency": "eventual", "operation": "command"}
        draft = saved(interaction)
        assert draft.answers == {"consistency": "eventual", "operation": "command"}
        assert draft.revision == 2 and draft.updated_by == editor
        # The stored result is the merged answers' own, not the posting tab's.
        assert not {"consistency", "operation"} & set(draft.result["unanswered"])

    def test_the_same_question_changed_differently_saves_nothing(self, editor, owner, interaction):
        save(interaction, owner, {"consistency": "eventual"}, base_revision=0, base_answers={})
        outcome = save(interaction, editor, {"consistency": "immediate", "operation": "query"},
                       base_revision=0, base_answers={})  # fmt: skip
        assert outcome.outcome == SaveOutcome.CONFLICT
        assert outcome.conflicts == ("consistency",)
        assert outcome.revision == 1 and outcome.theirs == {"consistency": "eventual"}
        assert outcome.updated_by == "olive"
        assert saved(interaction).answers == {"consistency": "eventual"}

    def test_both_choosing_the_same_answer_saves(self, editor, owner, interaction):
        save(interaction, owner, {"capabilities": ["outbox", "tracing"]}, base_revision=0,
             base_answers={})  # fmt: skip
        outcome = save(interaction, editor, {"capabilities": ["tracing", "outbox"]},
                       base_revision=0, base_answers={})  # fmt: skip
        assert outcome.outcome == SaveOutcome.MERGED
        assert saved(interaction).revision == 1  # nothing new to save

    def test_two_numbers_valid_alone_but_not_together_conflict(self, editor, owner, interaction):
        base = {"per_hop_p50_ms": 100.0, "per_hop_p99_ms": 400.0}
        save(interaction, owner, base, base_revision=0, base_answers={})
        save(interaction, owner, {**base, "per_hop_p99_ms": 150.0}, base_revision=1,
             base_answers=base)  # fmt: skip
        outcome = save(interaction, editor, {**base, "per_hop_p50_ms": 200.0}, base_revision=1,
                       base_answers=base)  # fmt: skip
        assert outcome.outcome == SaveOutcome.CONFLICT
        assert outcome.conflicts == ("per_hop_p99_ms",)
        assert saved(interaction).answers["per_hop_p50_ms"] == 100.0

    def test_a_viewer_is_told_not_allowed(self, viewer, owner, interaction):
        outcome = save(interaction, viewer, {"operation": "query"}, base_revision=0,
                       base_answers={})  # fmt: skip
        assert outcome.outcome == SaveOutcome.NOT_ALLOWED
        assert saved(interaction).revision == 0

    def test_another_team_is_told_gone(self, outsider, interaction):
        outcome = save(interaction, outsider, {"operation": "query"}, base_revision=0,
                       base_answers={})  # fmt: skip
        assert outcome.outcome == SaveOutcome.GONE
        assert saved(interaction).revision == 0
