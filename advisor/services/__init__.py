"""Writes, one module per sub-domain. Keyword-only functions named <entity>_<action>."""

from __future__ import annotations

from advisor.services.assessments import DraftSave, SaveOutcome, assessment_save_draft
from advisor.services.catalog_import import ImportOutcome, catalog_compare, catalog_import
from advisor.services.invitations import (
    Acceptance,
    invitation_accept,
    invitation_create,
    invitation_decline,
    invitation_withdraw,
)
from advisor.services.systems import (
    interaction_create,
    interaction_delete,
    interaction_update,
    service_create,
    service_delete,
    service_update,
    system_create,
    system_delete,
    system_update,
)
from advisor.services.teams import (
    SESSION_TEAM_KEY,
    current_team_remember,
    membership_change_role,
    membership_leave,
    membership_remove,
    team_create,
)

__all__ = [
    "SESSION_TEAM_KEY",
    "Acceptance",
    "DraftSave",
    "ImportOutcome",
    "SaveOutcome",
    "assessment_save_draft",
    "catalog_compare",
    "catalog_import",
    "current_team_remember",
    "interaction_create",
    "interaction_delete",
    "interaction_update",
    "invitation_accept",
    "invitation_create",
    "invitation_decline",
    "invitation_withdraw",
    "membership_change_role",
    "membership_leave",
    "membership_remove",
    "service_create",
    "service_delete",
    "service_update",
    "system_create",
    "system_delete",
    "system_update",
    "team_create",
]
