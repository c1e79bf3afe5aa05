"""The Content-Security-Policy in a real browser: the questionnaire and the import work
under it and Chromium refuses nothing on them."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from advisor.models import Role
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db(transaction=True)

ADR_FOLDER = Path(__file__).resolve().parents[1] / "fixtures/adr_repos/adr-tools/doc"
# Every violation, whatever Chromium logs about it, is also an event on the document.
LISTEN = """
window.cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline"));
});
"""


@pytest.fixture
def editor_page(page):
    membership = MembershipFactory(role=Role.EDITOR, user__username="ivy", team__slug="shop")
    page.refused = []
    page.on(
        "console",
        lambda message: (
            page.refused.append(message.text)
            if "Refused to" in message.text or "Content Security Policy" in message.text
            else None
        ),
    )
    page.context.add_init_script(LISTEN)
    log_in(page, "ivy", PASSWORD)
    page.team = membership.team
    return page


def violations(page) -> list[str]:
    return page.refused + page.evaluate("window.cspViolations || []")


def test_the_questionnaire_scores_live_and_nothing_is_refused(editor_page):
    page = editor_page
    interaction = make_interaction(system=SystemFactory(team=page.team), name="Checkout")
    response = page.goto(f"/interactions/{interaction.pk}/")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate("window.stillTheSamePage = true")

    page.locator("fieldset.question").first.locator("input[type=radio]").first.check()
    # The first answer, and the chain depth pre-filled from the map.
    expect(page.locator("#scoreboard")).to_contain_text("2 of ")
    page.locator("#id_chain_depth").fill("6")  # scored as typed, without leaving the field
    expect(page.locator("#scoreboard")).to_contain_text("2 of ")

    scores = page.locator("#scoreboard .pattern-scores .progress-bar")
    expect(scores.first).to_be_visible()
    assert page.evaluate("window.stillTheSamePage") is True  # scored in place by htmx
    widths = scores.evaluate_all("bars => bars.map(bar => bar.getBoundingClientRect().width)")
    assert any(width > 0 for width in widths)  # the bars' widths come from the style sheet
    assert violations(page) == []


def test_the_import_keeps_folder_paths_and_nothing_is_refused(editor_page):
    page = editor_page
    page.goto(f"/t/{page.team.slug}/decisions/import/")
    page.locator("#id_folder").set_input_files(ADR_FOLDER)
    page.get_by_role("button", name="Upload and preview").click()

    expect(page.get_by_text("adr/0001-record-architecture-decisions.md").first).to_be_visible()
    assert violations(page) == []
