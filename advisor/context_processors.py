"""Navigation context: the teams the user belongs to and the one they are working in."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from advisor.selectors import memberships_for_user, pick_current_membership


def current_team(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Lazy, so pages that never render the navigation (htmx partials) pay no query.
    memberships = SimpleLazyObject(lambda: list(memberships_for_user(user)))
    return {
        "nav_memberships": memberships,
        "nav_current": SimpleLazyObject(
            lambda: pick_current_membership(memberships, request.session)
        ),
    }
