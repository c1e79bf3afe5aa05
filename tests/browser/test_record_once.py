"""Back, then submit again: one record, and the author lands on it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advisor.models import Role
from decisions.models import Decision
from tests.browser.conftest import log_in
from tests.factories import (
    NOBODY_WAITS,
    PASSWORD,
    MembershipFactory,
    SystemFactory,
    make_interaction,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_back_and_submit_again_records_once(page):
    membership = MembershipFactory(role=Role.OWNER, user__username="ada")
    interaction = make_interaction(
        system=SystemFactory(team=membership.team), answers={**NOBODY_WAITS, "operation": "batch"}
    )
    log_in(page, "ada", PASSWORD)
    page.goto(f"/interactions/{interaction.pk}/decide/")
    page.get_by_label("Title").fill("Queue the nightly export")
    page.get_by_role("button", name="Record as proposed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ADR-0001")

    page.go_back()
    expect(page.get_by_text("This form already recorded ADR-0001")).to_be_visible()
    page.get_by_role("button", name="Record as proposed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ADR-0001")
    expect(page.get_by_text("nothing new was recorded")).to_be_visible()
    assert Decision.objects.count() == 1
