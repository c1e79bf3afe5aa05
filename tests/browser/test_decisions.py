"""A decision's life in the browser: record, accept, supersede, find it, download it."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advisor.models import Role
from tests.browser.conftest import log_in
from tests.factories import (
    NOBODY_WAITS,
    PASSWORD,
    MembershipFactory,
    SystemFactory,
    make_interaction,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_record_accept_supersede_search_and_download(page):
    membership = MembershipFactory(role=Role.OWNER, user__username="ada")
    interaction = make_interaction(
        system=SystemFactory(team=membership.team, name="Payments"), name="Score fraud",
        answers={**NOBODY_WAITS, "operation": "batch"},
    )  # fmt: skip
    log_in(page, "ada", PASSWORD)

    page.goto(f"/interactions/{interaction.pk}/")
    page.get_by_role("link", name="Record a decision").click()
    page.get_by_label("Title").fill("Queue the nightly scoring")
    page.get_by_role("button", name="Record as proposed").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("ADR-0001")
    page.get_by_role("button", name="Mark accepted").click()
    expect(page.get_by_text("ADR-0001 is now accepted.")).to_be_visible()

    page.get_by_role("link", name="Supersede with a new decision").click()
    expect(page.get_by_label("ADR-0001: Queue the nightly scoring")).to_be_checked()
    page.get_by_label("Title").fill("Call the scorer directly")
    page.get_by_label("Synchronous request-response", exact=False).check()
    # The form is re-filled for the new option first; submit once that has happened.
    expect(page.get_by_label("Decision drivers")).to_contain_text(
        "In favour of Synchronous request-response (chosen)"
    )
    page.get_by_role("button", name="Record as proposed").click()
    expect(  # against the advice
        page.get_by_text(
            "You chose against the advisor's recommendation: say why, for the record.", exact=True
        )
    ).to_be_visible()
    page.get_by_label("Justification").fill("The batch shrank to ten items.")
    page.get_by_role("button", name="Record as proposed").click()
    page.get_by_role("button", name="Mark accepted").click()
    expect(page.get_by_text("Chosen against the advice:")).to_be_visible()

    page.get_by_role("link", name="ADR-0001").first.click()
    expect(page.get_by_text("Superseded by ADR-0002.")).to_be_visible()
    expect(page.locator(".badge").first).to_have_text("Superseded")

    page.get_by_role("link", name="Decisions", exact=True).first.click()
    page.get_by_label("Search titles, text and people").fill("scorer")
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".timeline-item")).to_have_count(1)
    expect(page.locator(".timeline-item")).to_contain_text("ADR-0002 Call the scorer directly")

    page.locator(".timeline-item a").click()
    with page.expect_download() as download:
        page.get_by_role("link", name="PDF").click()
    assert download.value.suggested_filename.startswith("ADR-0002-call-the-scorer-directly")
    with open(download.value.path(), "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
