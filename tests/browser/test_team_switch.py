from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advisor.models import Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_member_of_two_teams_logs_in_and_switches_team(page):
    user = UserFactory(username="maya")
    MembershipFactory(user=user, team__name="Alpha Squad", team__slug="alpha", role=Role.OWNER)
    MembershipFactory(user=user, team__name="Beta Guild", team__slug="beta", role=Role.VIEWER)

    log_in(page, "maya", PASSWORD)
    expect(page.get_by_role("heading", level=1)).to_have_text("Alpha Squad")

    page.get_by_label("Team", exact=True).select_option(label="Beta Guild")
    page.get_by_role("button", name="Switch").click()

    expect(page).to_have_url(f"{page.url.split('/t/')[0]}/t/beta/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Beta Guild")
    expect(page.get_by_text("You are a viewer in this team.")).to_be_visible()
