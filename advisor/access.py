"""The one way into a team's objects.

Someone who is not a member gets a 404, so the existence of another team's objects is
never revealed; a member whose role does not allow the action gets a 403.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import F, QuerySet
from django.http import Http404

from advisor.models import Membership, Role

# What each kind of action needs, from least to most privileged.
READ = "read"
WRITE = "write"
MANAGE = "manage"

_ALLOWED_ROLES = {
    READ: {Role.OWNER, Role.EDITOR, Role.VIEWER},
    WRITE: {Role.OWNER, Role.EDITOR},
    MANAGE: {Role.OWNER},
}


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


def require(membership: Membership, action: str) -> None:
    """Refuse with a 403 when the member's role does not allow `action`."""
    require_role(membership.role, action)


def require_role(role: str, action: str) -> None:
    if role not in _ALLOWED_ROLES[action]:
        raise PermissionDenied("Your role in this team does not allow this.")


def can(role: str, action: str) -> bool:
    return role in _ALLOWED_ROLES[action]


def roles_for(action: str) -> list[str]:
    """The roles allowed to do `action`, for queries that check access themselves."""
    return sorted(_ALLOWED_ROLES[action])


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
