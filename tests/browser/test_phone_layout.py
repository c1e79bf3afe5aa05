"""The advisor pages on a phone (390 px wide): nothing scrolls sideways, the live result
of the questionnaire stays in view."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advisor.models import Role
from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import answer
from tests.factories import PASSWORD, MembershipFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
SIDEWAYS = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def phone(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    membership = MembershipFactory(
        role=Role.OWNER, user__username="pia",
        team__name="Payments and fulfilment platform", team__slug="payments",
    )  # fmt: skip
    log_in(page, "pia", PASSWORD)
    page.interaction = make_interaction(
        system=SystemFactory(team=membership.team, name="Checkout and order management"),
        name="Reserve the last item in stock before taking the payment",
        answers={
            "operation": "command",
            "chain_depth": 5,
            "caller_needs_result": "yes",
            "user_waiting": "yes",
            "duration": "under_2s",
        },
    )
    yield page
    context.close()


def test_no_advisor_page_scrolls_sideways(phone):
    interaction = phone.interaction
    service = interaction.source
    system = interaction.system
    paths = [
        "/teams/new/", f"/t/{system.team.slug}/", f"/t/{system.team.slug}/members/",
        f"/systems/{system.pk}/", f"/systems/{system.pk}/edit/", f"/systems/{system.pk}/delete/",
        f"/services/{service.pk}/edit/", f"/services/{service.pk}/delete/",
        f"/interactions/{interaction.pk}/", f"/interactions/{interaction.pk}/edit/",
        f"/interactions/{interaction.pk}/delete/",
    ]  # fmt: skip
    overflowing = {}
    for path in paths:
        phone.goto(path)
        excess = phone.evaluate(SIDEWAYS)
        if excess > 0:
            overflowing[path] = excess
    assert overflowing == {}


def test_the_interaction_title_keeps_the_width_and_its_buttons_wrap_below(phone):
    phone.goto(f"/interactions/{phone.interaction.pk}/")
    title = phone.get_by_role("heading", level=1).bounding_box()
    record = phone.get_by_role("link", name="Record a decision").bounding_box()
    assert title["width"] > 300
    assert record["y"] >= title["y"] + title["height"]


def test_the_live_result_stays_in_view_while_answering(phone):
    phone.goto(f"/interactions/{phone.interaction.pk}/")
    summary = phone.locator("#live-summary")
    answer(phone, "dominant_constraint", "user_latency")
    expect(summary).to_contain_text("high warning")
    expect(summary).to_be_in_viewport()
    leader = phone.locator("#scoreboard .recommendation strong").inner_text()
    expect(summary).to_contain_text(leader)
    assert phone.evaluate(SIDEWAYS) <= 0
    summary.get_by_role("link").click()
    expect(phone.locator("#scoreboard")).to_be_in_viewport()
