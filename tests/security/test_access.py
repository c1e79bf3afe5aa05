"""Every URL, as every kind of visitor: GET and POST, plain and htmx, with the owner's own
form and with nothing. Nobody outside team A sees any of its data, nobody without the
role for it changes anything, and the team's own owner gets through (so the refusals are
refusals, not broken requests)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.security.patterns import all_patterns
from tests.security.probe import (
    ANONYMOUS,
    OUTSIDER,
    VIEWER,
    Requester,
    address,
    is_download,
    is_success,
    level_of,
    probes,
    sweep,
    to_login,
)
from tests.security.registry import INVITED, PUBLIC, STAFF, route_for, sign_in

pytestmark = pytest.mark.django_db

PATTERNS = all_patterns()
IDS = [pattern.key for pattern in PATTERNS]


def _route(pattern):
    route = route_for(pattern)
    if route is None:
        pytest.fail(f"{pattern.key!r} is not in the sweep's registry (see test_url_registry)")
    return route


@pytest.mark.parametrize("pattern", PATTERNS, ids=IDS)
def test_anonymous_visitors_are_sent_to_log_in(world, pattern):
    problems = sweep(world, pattern, _route(pattern), ANONYMOUS, None)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pattern", PATTERNS, ids=IDS)
def test_another_teams_owner_gets_nothing_of_team_a(world, pattern):
    problems = sweep(world, pattern, _route(pattern), OUTSIDER, world.outsider)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pattern", PATTERNS, ids=IDS)
def test_a_viewer_reads_but_never_writes(world, pattern):
    problems = sweep(world, pattern, _route(pattern), VIEWER, world.viewer_a)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("pattern", PATTERNS, ids=IDS)
def test_the_teams_owner_gets_through(world, pattern):
    """The positive control: the addresses and bodies the sweep sends are ones the app
    accepts from the right person."""
    route = _route(pattern)
    url = address(pattern, route, world)
    failures = []
    downloaded = False
    for probe in probes(bodies=("valid",)):
        level = level_of(route, probe.method)
        if level in (None, PUBLIC, STAFF) or (downloaded and probe.method == "GET"):
            continue
        requester = Requester(world.invitee if level == INVITED else world.owner_a)
        response, _ = requester.send(probe.method, url, route.data(world), htmx=probe.htmx)
        downloaded |= probe.method == "GET" and is_download(response)
        if not is_success(response):
            failures.append(f"{probe} {url}: {response.status_code}")
    assert not failures, "\n".join(failures)


def test_the_admin_refuses_a_team_owner_without_a_staff_account(world):
    """Signing in to the admin with a team owner's good password does not open it."""
    requester = Requester()
    response, _ = requester.send("POST", reverse("admin:login"), sign_in(world.owner_a))
    assert response.status_code == 200
    assert "staff account" in response.content.decode()
    response, _ = requester.send("GET", reverse("admin:index"))
    assert to_login(response)
