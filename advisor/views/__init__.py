"""Pages of the advisor, one module per concern."""

from __future__ import annotations

from advisor.views.health import healthz
from advisor.views.invitations import (
    invitation_accept,
    invitation_decline,
    invitation_list,
    invitation_withdraw,
)
from advisor.views.questionnaire import interaction_detail
from advisor.views.systems import (
    interaction_create,
    interaction_delete,
    interaction_edit,
    service_create,
    service_delete,
    service_edit,
    system_create,
    system_delete,
    system_detail,
    system_edit,
)
from advisor.views.teams import (
    home,
    membership_remove,
    membership_role,
    team_create,
    team_detail,
    team_leave,
    team_members_page,
    team_switch,
)

__all__ = [
    "healthz",
    "home",
    "interaction_create",
    "interaction_delete",
    "interaction_detail",
    "interaction_edit",
    "invitation_accept",
    "invitation_decline",
    "invitation_list",
    "invitation_withdraw",
    "membership_remove",
    "membership_role",
    "service_create",
    "service_delete",
    "service_edit",
    "system_create",
    "system_delete",
    "system_detail",
    "system_edit",
    "team_create",
    "team_detail",
    "team_leave",
    "team_members_page",
    "team_switch",
]
