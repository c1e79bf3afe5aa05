"""Every URL that takes a POST refuses one without a valid CSRF token, even from a person
whose role allows the action, plain or htmx, and changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.patterns import all_patterns
from tests.security.probe import Requester, csrf_problems
from tests.security.registry import ROUTES, route_for

pytestmark = pytest.mark.django_db


def _posted() -> list:
    """The patterns whose views take a POST (one the registry does not know fails in
    test_url_registry)."""
    found = []
    for pattern in all_patterns():
        route = route_for(pattern)
        if route is not None and route.post is not None:
            found.append(pattern)
    return found


POSTED = _posted()


@pytest.mark.parametrize("pattern", POSTED, ids=[pattern.key for pattern in POSTED])
def test_a_post_without_a_valid_token_is_refused(world, pattern, caplog):
    problems = csrf_problems(world, pattern, route_for(pattern), caplog)
    assert not problems, "\n".join(problems)


def test_the_same_post_with_its_token_goes_through(world):
    """The control: the refusals above are the token's, not the request's."""
    requester = Requester(world.owner_a, enforce_csrf_checks=True)
    url = reverse("system_edit", args=[world.system_a.pk])
    token = str(requester.client.get(url).context["csrf_token"])
    body = {**ROUTES["system_edit"].data(world), "csrfmiddlewaretoken": token}
    response, wrote = requester.send("POST", url, body)
    assert response.status_code == 302
    assert wrote == {"advisor_system"}
