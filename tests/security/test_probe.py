"""The sweep itself finds the holes it is there for: views with them (broken_urls.py)
fail it, with messages that say what leaked or changed."""

from __future__ import annotations

import pytest
from django.test import override_settings

from tests.security.html import active_parts
from tests.security.patterns import Pattern, all_patterns
from tests.security.probe import OUTSIDER, VIEWER, csrf_problems, sweep
from tests.security.registry import ROUTES, route_for

pytestmark = pytest.mark.django_db

BROKEN = override_settings(ROOT_URLCONF="tests.security.broken_urls")


def _pattern(key: str) -> Pattern:
    return next(pattern for pattern in all_patterns() if pattern.key == key)


@BROKEN
def test_a_page_without_an_access_check_fails_the_sweep(world):
    problems = sweep(world, _pattern("system_detail"), ROUTES["system_detail"], OUTSIDER,
                     world.outsider)  # fmt: skip
    assert any("200, expected 403 or 404" in problem for problem in problems)
    assert any("answer shows team A's qzxa-system" in problem for problem in problems)


@BROKEN
def test_a_write_refused_too_late_fails_the_sweep(world):
    problems = sweep(world, _pattern("system_edit"), ROUTES["system_edit"], VIEWER,
                     world.viewer_a)  # fmt: skip
    assert any("refused, but wrote to advisor_system" in problem for problem in problems)


@BROKEN
def test_a_view_exempt_from_csrf_fails_the_sweep(world, caplog):
    problems = csrf_problems(world, _pattern("system_edit"), ROUTES["system_edit"], caplog)
    assert any("not refused for its token" in problem for problem in problems)
    assert any("wrote to advisor_system" in problem for problem in problems)


@BROKEN
def test_a_new_view_is_unknown_to_the_registry():
    assert route_for(_pattern("brand_new")) is None


@pytest.mark.parametrize(
    "markup",
    [
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "'><svg onload=alert(1)>",
        '<a href="javascript:alert(1)">y</a>',
        '<a href=" JaVa\tscript:alert(1)">y</a>',
        '<form action="javascript:alert(1)"><button>go</button></form>',
        '<div hx-on:click="alert(1)">x</div>',
        '<iframe src="data:text/html,x"></iframe>',
    ],
)
def test_the_checker_sees_markup_that_runs(markup):
    assert active_parts(f"<p>{markup}</p>") != []
