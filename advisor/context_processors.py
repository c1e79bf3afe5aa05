"""Navigation context: the teams the user belongs to, the one they are working in, and how
many invitations wait for them."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from advisor.selectors import (
    invitations_for_user,
    memberships_for_navigation,
    pick_current_membership,
)


def current_team(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy, so pages that never render the navigation (htmx partials) pay no query.
    memberships = SimpleLazyObject(lambda: list(memberships_for_navigation(user)))

    def invitation_count() -> int:
        if memberships:
            return memberships[0].pending_invitations
        return invitations_for_user(user).count()  # no team, so no row to carry the count

    return {
        "nav_memberships": memberships,
        "nav_current": SimpleLazyObject(
            lambda: pick_current_membership(memberships, request.session)
        ),
        "nav_invitation_count": SimpleLazyObject(invitation_count),
    }
