"""Saving an interaction's draft answers, merging concurrent saves question by question."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db import connection
from django.db.models import F
from django.utils import timezone

from advisor import access
from advisor.engine import Result, check_answers, evaluate
from advisor.frameworks import framework_get
from advisor.models import Assessment, Interaction, Membership, System, Team
from advisor.questionnaire import answer_keys, jsonable, merge_answers, same_answer

# A merge re-reads and re-saves when yet another save lands in between; after this many
# attempts in a row the save is reported as a conflict without keys: "try again".
MERGE_ATTEMPTS = 5


class SaveOutcome(enum.StrEnum):
    SAVED = "saved"  # nobody saved since the base: the answers were saved as they are
    MERGED = "merged"  # someone saved other questions since: both changes were kept
    CONFLICT = "conflict"  # someone changed the same questions differently: nothing saved
    GONE = "gone"  # no such interaction, or not one of the user's teams
    NOT_ALLOWED = "not_allowed"  # the user's role may read but not change it
    # The team scores with another framework than the answers were given to: nothing saved.
    FRAMEWORK_CHANGED = "framework_changed"


@dataclass(frozen=True)
class DraftSave:
    """What became of a draft save.

    Saved or merged: `revision`, `answers` and `result` are what is saved now. A conflict:
    `revision` and `theirs` are the saved draft the answers conflict with, `conflicts` the
    keys both sides changed differently (empty when saves kept landing in between), and
    `updated_by`/`updated_at` say whose save that was.
    """

    outcome: SaveOutcome
    revision: int = 0
    answers: Mapping[str, Any] = field(default_factory=dict)
    result: Result | None = None
    theirs: Mapping[str, Any] = field(default_factory=dict)
    conflicts: tuple[str, ...] = ()
    updated_by: str = ""
    updated_at: datetime | None = None

    @property
    def saved(self) -> bool:
        return self.outcome in (SaveOutcome.SAVED, SaveOutcome.MERGED)


_SAVE_DRAFT_SQL = f"""
UPDATE {Assessment._meta.db_table}
   SET answers = %s, result = %s, framework_name = %s, framework_version = %s,
       revision = revision + 1, updated_by_id = %s, updated_at = %s
 WHERE interaction_id = %s AND revision = %s
   AND EXISTS (
       SELECT 1 FROM {Team._meta.db_table} t
         JOIN {System._meta.db_table} s ON s.team_id = t.id
         JOIN {Interaction._meta.db_table} i ON i.system_id = s.id
        WHERE i.id = %s AND t.framework_name = %s AND t.framework_version = %s)
   AND EXISTS (
       SELECT 1 FROM {Membership._meta.db_table} m
         JOIN {System._meta.db_table} s ON s.team_id = m.team_id
         JOIN {Interaction._meta.db_table} i ON i.system_id = s.id
        WHERE i.id = %s AND m.user_id = %s AND m.role IN ({{roles}}))
"""


def _save_if_revision(
    *, interaction_id: int, user, answers: Mapping[str, Any], result: Result, revision: int
) -> bool:
    """One conditional UPDATE: save if the draft is still at `revision`, the interaction's
    team still scores with the framework `result` was scored with, and `user` may edit the
    team's interactions. Hand-written SQL: this runs on every answer change, and
    building the same statement through the ORM costs several times more than executing it.
    """
    roles = access.roles_for(access.WRITE)
    db_field = Assessment._meta.get_field
    values = [
        db_field("answers").get_db_prep_save(jsonable(answers), connection),
        db_field("result").get_db_prep_save(result.as_dict(), connection),
        result.framework_name,
        result.framework_version,
        user.pk,
        db_field("updated_at").get_db_prep_save(timezone.now(), connection),
        interaction_id,
        revision,
        interaction_id,
        result.framework_name,
        result.framework_version,
        interaction_id,
        user.pk,
        *roles,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_SAVE_DRAFT_SQL.format(roles=", ".join(["%s"] * len(roles))), values)
        return cursor.rowcount == 1


def _current_draft(interaction_id: int, user) -> Assessment | None:
    """The saved draft with the user's role in its team and the team's framework, or None
    if it is not theirs."""
    team = "interaction__system__team__memberships"
    return (
        Assessment.objects.filter(interaction_id=interaction_id, **{f"{team}__user": user})
        .annotate(viewer_role=F(f"{team}__role"), updated_by_name=F("updated_by__username"))
        .annotate(
            team_framework_name=F("interaction__system__team__framework_name"),
            team_framework_version=F("interaction__system__team__framework_version"),
        )
        .only("answers", "revision", "updated_at", "framework_name")
        .first()
    )


def assessment_save_draft(
    *,
    interaction_id: int,
    user,
    answers: Mapping[str, Any],
    result: Result,
    base_revision: int,
    base_answers: Mapping[str, Any],
) -> DraftSave:
    """Save `answers`, made from the draft at `base_revision` whose answers were
    `base_answers`, merging them with whatever was saved since.

    The common case, nobody saved in between, is one conditional UPDATE that also checks
    that `user` may edit the interaction's team. Otherwise the saved draft is read and
    merged question by question (see `merge_answers`): changes to different questions are
    both kept and saved (re-scored, conditionally again, retried if yet another save lands);
    questions both sides changed differently make a conflict and nothing is saved, so that
    neither answer is lost while the person chooses. Answers scored with another framework
    than the team's (its configuration changed meanwhile) are not saved at all.
    """
    if _save_if_revision(interaction_id=interaction_id, user=user, answers=answers,
                         result=result, revision=base_revision):  # fmt: skip
        return DraftSave(SaveOutcome.SAVED, base_revision + 1, answers, result)
    framework = framework_get(result.framework_name, result.framework_version)
    keys = answer_keys(framework)
    mine = jsonable(answers)
    for _attempt in range(MERGE_ATTEMPTS):
        current = _current_draft(interaction_id, user)
        if current is None:
            return DraftSave(SaveOutcome.GONE)
        if not access.can(current.viewer_role, access.WRITE):
            return DraftSave(SaveOutcome.NOT_ALLOWED)
        if (current.team_framework_name, current.team_framework_version) != (
            framework.name, framework.version,
        ):  # fmt: skip
            return DraftSave(SaveOutcome.FRAMEWORK_CHANGED)
        merged, conflicts = merge_answers(keys, base=base_answers, theirs=current.answers,
                                          mine=mine)  # fmt: skip
        checked, problems = check_answers(framework, merged)
        # Two valid changes can be invalid together (a p99 below the other tab's p50).
        conflicts = conflicts or tuple(key for key in keys if key in problems)
        if conflicts:
            return DraftSave(
                SaveOutcome.CONFLICT, current.revision, theirs=current.answers,
                conflicts=conflicts, updated_by=current.updated_by_name,
                updated_at=current.updated_at,
            )  # fmt: skip
        merged_result = evaluate(framework, checked)
        if all(same_answer(merged.get(k), current.answers.get(k)) for k in keys):
            # This tab adds nothing to what is saved: no new revision for the same answers.
            return DraftSave(SaveOutcome.MERGED, current.revision, checked, merged_result)
        if _save_if_revision(interaction_id=interaction_id, user=user, answers=checked,
                             result=merged_result, revision=current.revision):  # fmt: skip
            return DraftSave(SaveOutcome.MERGED, current.revision + 1, checked, merged_result)
    return DraftSave(SaveOutcome.CONFLICT, current.revision, theirs=current.answers,
                     updated_by=current.updated_by_name, updated_at=current.updated_at)  # fmt: skip
