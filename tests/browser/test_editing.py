"""Editing and deleting in the browser: inline in lists (htmx) and as pages of their own."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advisor.models import Interaction, Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def interaction(page):
    membership = MembershipFactory(role=Role.EDITOR, user__username="ed")
    log_in(page, "ed", PASSWORD)
    return make_interaction(system=SystemFactory(team=membership.team, name="Shop"))


def test_a_service_is_renamed_inline_and_an_interaction_deleted_inline(page, interaction):
    page.goto(f"/systems/{interaction.system_id}/")
    services = page.locator("#services-section")
    services.get_by_role("link", name=f"Edit {interaction.source.name}").click()
    services.locator("li form").get_by_label("Name").fill("Storefront web")
    services.get_by_role("button", name="Save").click()
    expect(services).to_contain_text("Storefront web")
    expect(page.locator("#interactions-section")).to_contain_text("Storefront web →")

    interactions = page.locator("#interactions-section")
    interactions.get_by_role("link", name=f"Delete {interaction.name}").click()
    expect(interactions).to_contain_text("Its questionnaire has no answers yet.")
    interactions.get_by_role("button", name="Delete").click()
    expect(interactions).to_contain_text("No interactions yet")
    assert not Interaction.objects.exists()


def test_the_edit_page_of_an_interaction_saves_and_returns(page, interaction):
    page.goto(f"/interactions/{interaction.pk}/")
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Name").fill("Reserve stock, renamed")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reserve stock, renamed")
    expect(page.get_by_text("Saved “Reserve stock, renamed”.")).to_be_visible()
