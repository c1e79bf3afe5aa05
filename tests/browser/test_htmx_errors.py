"""A request htmx sends and the server refuses (or that never arrives) changes nothing on the
page, so the page says why at the top, in the refusal page's own words."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advisor.models import Role
from advisor.views.errors import DATABASE_UNAVAILABLE, database_unavailable
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def questionnaire(page):
    membership = MembershipFactory(role=Role.EDITOR, user__username="ivy", team__slug="shop")
    interaction = make_interaction(system=SystemFactory(team=membership.team), name="Checkout")
    log_in(page, "ivy", PASSWORD)
    page.goto(f"/interactions/{interaction.pk}/")
    page.rescore_url = f"**/interactions/{interaction.pk}/"
    return page


def answer_first_question(page, option: int = 0) -> None:
    question = page.locator("fieldset.question").first
    question.locator("input[type=radio]").nth(option).check()


def test_a_refused_rescore_shows_the_refusal_pages_message(questionnaire):
    page = questionnaire
    refusal = database_unavailable()

    def refuse(route):
        if route.request.method != "POST":
            return route.continue_()
        return route.fulfill(
            status=503, body=refusal.content, headers={"Content-Type": "text/html"}
        )

    page.route(page.rescore_url, refuse)
    answer_first_question(page)

    problem = page.locator("#request-problem")
    expect(problem).to_contain_text(DATABASE_UNAVAILABLE)
    expect(problem.locator(".alert")).to_be_visible()

    page.unroute(page.rescore_url)
    answer_first_question(page, option=1)
    # The first answer, and the chain depth pre-filled from the map.
    expect(page.locator("#scoreboard")).to_contain_text("2 of ")
    expect(problem).to_be_empty()


def test_a_rescore_that_never_reaches_the_server_says_so(questionnaire):
    page = questionnaire

    def cut(route):
        if route.request.method != "POST":
            return route.continue_()
        return route.abort("connectionreset")

    page.route(page.rescore_url, cut)
    answer_first_question(page)

    problem = page.locator("#request-problem .alert")
    expect(problem).to_contain_text("Crossroads could not be reached.")
    problem.get_by_role("button", name="Dismiss").click()
    expect(page.locator("#request-problem")).to_be_empty()


def test_the_area_takes_no_room_while_empty(questionnaire):
    box = questionnaire.locator("#request-problem").bounding_box()
    assert box is None or box["height"] == 0
