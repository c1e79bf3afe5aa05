"""Pages of the advisor, one module per concern."""

from __future__ import annotations

from advisor.views.catalog_import import catalog_import_confirm, catalog_import_upload
from advisor.views.health import healthz
from advisor.views.invitations import (
    invitation_accept,
    invitation_decline,
    invitation_list,
    invitation_withdraw,
)
from advisor.views.questionnaire import interaction_detail
from advisor.views.system_map import service_detail, system_map, system_map_svg
from advisor.views.system_report import system_report_pdf
from advisor.views.system_review import system_review, system_risks, system_risks_csv
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
    "catalog_import_confirm",
    "catalog_import_upload",
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
    "service_detail",
    "service_edit",
    "system_create",
    "system_delete",
    "system_detail",
    "system_edit",
    "system_map",
    "system_map_svg",
    "system_report_pdf",
    "system_review",
    "system_risks",
    "system_risks_csv",
    "team_create",
    "team_detail",
    "team_leave",
    "team_members_page",
    "team_switch",
]
