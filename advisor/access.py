"""Who may do what in a team, and the one way into a team's objects.

`PERMISSIONS` is the single table of actions and the roles allowed to do them. Views check
it through `get_membership_for_user`/`get_team_object_for_user`, templates through
`Membership.may`, services through `require`, and hand-written SQL through `roles_for`.

Someone who is not a member gets a 404, so the existence of another team's objects is
never revealed; a member whose role does not allow the action gets a 403.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404

from advisor.models import Membership, Role

READ = "read"
WRITE = "write"
INVITE = "invite"
MANAGE = "manage"  # members: change their roles, remove them
LEAVE = "leave"

_EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class Permission:
    """An action, what it covers in words a member reads, and the roles allowed to do it."""

    summary: str
    roles: frozenset[str]


# In the order the members page lists them.
PERMISSIONS: dict[str, Permission] = {
    READ: Permission(
        "See the team's systems, questionnaires and decisions, and export them", _EVERYONE
    ),
    WRITE: Permission(
        "Add and change systems, services and interactions, answer questionnaires, "
        "record and import decisions",
        frozenset({Role.OWNER, Role.EDITOR}),
    ),
    INVITE: Permission("Invite people and withdraw invitations", frozenset({Role.OWNER})),
    MANAGE: Permission("Change members' roles and remove members", frozenset({Role.OWNER})),
    LEAVE: Permission("Leave the team", _EVERYONE),
}


def can(role: str, action: str) -> bool:
    return role in PERMISSIONS[action].roles


def allowed_actions(role: str) -> dict[str, bool]:
    """Every action with whether `role` may do it: `{% if membership.may.invite %}`."""
    return {action: role in permission.roles for action, permission in PERMISSIONS.items()}


def roles_for(action: str) -> list[str]:
    """The roles allowed to do `action`, for queries that check access themselves."""
    return sorted(PERMISSIONS[action].roles)


def role_table() -> list[tuple[str, list[bool]]]:
    """Each action's summary with, per role in `Role` order, whether that role may do it."""
    return [
        (permission.summary, [role in permission.roles for role in Role])
        for permission in PERMISSIONS.values()
    ]


def require(membership: Membership, action: str) -> None:
    """Refuse with a 403 when the member's role does not allow `action`."""
    require_role(membership.role, action)


def require_role(role: str, action: str) -> None:
    if not can(role, action):
        raise PermissionDenied("Your role in this team does not allow this.")


def get_membership_for_user(user, team_slug: str, *, action: str = READ) -> Membership:
    """The user's membership of the team named by `team_slug`, checked for `action`."""
    if not user.is_authenticated:
        raise Http404("No such team.")
    membership = (
        Membership.objects.select_related("team").filter(user=user, team__slug=team_slug).first()
    )
    if membership is None:
        raise Http404("No such team.")
    require(membership, action)
    return membership


def get_team_object_for_user(queryset: QuerySet, user, *, team_path: str, action: str, **lookup):
    """The object matching `lookup` in `queryset` if `user` belongs to its team.

    `team_path` leads from the object to its team ("team", "system__team", ...). The
    member's role comes back annotated as `viewer_role`, in the same query.
    """
    if not user.is_authenticated:
        raise Http404("Not found.")
    found = (
        queryset.filter(**lookup, **{f"{team_path}__memberships__user": user})
        .annotate(viewer_role=F(f"{team_path}__memberships__role"))
        .first()
    )
    if found is None:
        raise Http404("Not found.")
    require_role(found.viewer_role, action)
    return found
