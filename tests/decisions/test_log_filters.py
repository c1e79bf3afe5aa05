"""The decision log's filters: wrong values are pointed out next to their field."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from decisions import services
from decisions.selectors import pattern_mix
from tests.factories import SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db


@pytest.fixture
def decisions(team, owner):
    system = SystemFactory(team=team, name="Payments")
    batch = make_interaction(system=system, name="Reprice", answers={"operation": "batch"})
    query = make_interaction(system=system, name="Lookup", answers={"operation": "query"})
    older = record_decision(batch, user=owner)
    newer = record_decision(query, user=owner)
    services.decision_change_status(decision=newer, user=owner, status="accepted",
                                    base_version=1)  # fmt: skip
    return newer, older


@pytest.fixture
def log(client, viewer, team):
    client.force_login(viewer)
    url = reverse("decision_log", args=[team.slug])
    return lambda **params: client.get(url, params)


def _input(html: str, name: str) -> str:
    """The opening tag of the form control called `name`."""
    match = re.search(rf'<(?:input|select)[^>]*name="{name}"[^>]*>', html)
    assert match, name
    return match.group(0)


def _references(response) -> list[str]:
    return [decision.reference for decision in response.context["page"]]


def test_a_from_date_after_the_until_date_is_an_error_on_the_until_field(log, decisions):
    response = log(since="2026-03-10", until="2026-03-01")
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "until": ["Must be on or after the “Recorded from” date (10 Mar 2026)."]
    }
    html = response.text
    until = _input(html, "until")
    assert "is-invalid" in until and 'aria-invalid="true"' in until
    assert 'aria-describedby="id_until_error"' in until
    assert re.search(r'<div class="invalid-feedback" id="id_until_error">Must be on or after the '
                     r"“Recorded from” date \(10 Mar 2026\)\.</div>", html)  # fmt: skip
    assert "is-invalid" not in _input(html, "since")


def test_until_its_errors_are_fixed_the_whole_log_is_shown_and_said_to_be(log, decisions):
    response = log(status="accepted", since="2026-03-10", until="2026-03-01")
    assert _references(response) == [d.reference for d in decisions]  # status not applied
    assert "the log below shows every decision, unfiltered" in response.text
    assert "unfiltered" not in log(status="accepted").text


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [("status", "bogus", "Unknown status: choose one from the list."),
     ("pattern", "carrier_pigeon", "Unknown pattern: choose one from the list."),
     ("sort", "random", "Unknown order: choose one from the list."),
     ("system", "Nowhere", "Unknown system: choose one of the team's systems."),
     ("decider", "999999", "Unknown decision-maker: choose a team member."),
     ("decider", "²", "Unknown decision-maker: choose a team member."),
     ("since", "2026-02-31", "Enter a real date, as year-month-day (2026-03-31)."),
     ("until", "yesterday", "Enter a real date, as year-month-day (2026-03-31)."),
     ("q", "x" * 201, "Ensure this value has at most 200 characters (it has 201).")],
)  # fmt: skip
def test_an_unknown_value_is_an_error_next_to_its_field(log, decisions, field, value, message):
    response = log(**{field: value})
    assert response.status_code == 200
    assert response.context["form"].errors == {field: [message]}
    control = _input(response.text, field)
    assert "is-invalid" in control and f"id_{field}_error" in control
    assert f'id="id_{field}_error"' in response.text


def test_valid_filters_show_no_error_and_filter(log, decisions, owner):
    newer, _ = decisions
    response = log(status="accepted", pattern=newer.chosen_option, system="Payments",
                   decider=owner.pk, since="2000-01-01", until="2999-12-31", sort="oldest",
                   q="lookup")  # fmt: skip
    assert response.context["form"].errors == {}
    assert "is-invalid" not in response.text
    assert _references(response) == [newer.reference]


def test_the_same_day_from_and_until_is_allowed(log, decisions):
    newer, _ = decisions
    day = newer.created_at.date().isoformat()
    response = log(since=day, until=day)
    assert response.context["form"].errors == {}
    assert len(_references(response)) == 2


@pytest.mark.parametrize("page", ["-3", "abc", "9" * 5000, ""])
def test_an_unusable_page_number_shows_the_first_page(log, decisions, page):
    response = log(page=page)
    assert response.context["form"].errors == {}
    assert response.context["page"].number == 1


def test_the_fields_say_what_they_do(log, decisions):
    html = log().text
    assert '<label class="form-label small mb-0" for="id_q">Search titles, text and people' in html
    assert 'aria-describedby="id_q_helptext"' in _input(html, "q")
    assert '<option value="oldest">Oldest first</option>' in html  # labels, not keys


def test_an_invalid_filter_costs_no_extra_query(
    log, decisions, django_assert_num_queries
):  # fmt: skip
    log()
    with django_assert_num_queries(9):
        log()
    with django_assert_num_queries(9):
        log(status="bogus", since="2026-03-10", until="2026-03-01")


def test_the_pattern_mix_counts_accepted_decisions_only(log, decisions, owner, team):
    newer, older = decisions
    assert newer.chosen_option != older.chosen_option
    assert pattern_mix(team) == [{"system": "Payments", "counts": {newer.chosen_option: 1}}]
    assert "accepted ones only (not proposed" in log().text
    services.decision_change_status(decision=newer, user=owner, status="deprecated",
                                    base_version=newer.version)  # fmt: skip
    assert pattern_mix(team) == []  # the proposed one is not in force
    assert log().context["mix"] == []
