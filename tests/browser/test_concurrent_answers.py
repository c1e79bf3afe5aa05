"""Two pages answering one questionnaire: their answers merge, a clash is settled in place."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from advisor.frameworks import framework_get
from advisor.models import Assessment, Role
from tests.browser.conftest import log_in
from tests.browser.test_questionnaire import answer
from tests.factories import PASSWORD, MembershipFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db(transaction=True)


def choice(page, key: str, value: str):
    """The radio button of one choice, found by its label inside its question."""
    question = framework_get("default", 3).questions_by_key[key]
    label = next(c.label for c in question.choices if c.key == value)
    return page.locator(f"#question-{key}").get_by_label(label, exact=True)


def saved_answers(interaction) -> dict:
    return Assessment.objects.get(interaction=interaction).answers


def test_two_pages_keep_each_others_answers_and_settle_a_clash_beside_the_question(
    page, browser, live_server
):
    membership = MembershipFactory(role=Role.EDITOR, user__username="ivy")
    interaction = make_interaction(system=SystemFactory(team=membership.team))
    url = f"/interactions/{interaction.pk}/"
    first = page
    log_in(first, "ivy", PASSWORD)
    context = browser.new_context(base_url=live_server.url)
    context.set_default_timeout(10_000)
    second = context.new_page()
    log_in(second, "ivy", PASSWORD)
    first.goto(url)
    second.goto(url)

    answer(first, "consistency", "eventual")
    expect(first.locator("#draft-status")).to_contain_text("Draft saved at")
    answer(second, "operation", "command")
    expect(second.locator("#draft-status")).to_contain_text("together with answers saved")
    expect(choice(second, "consistency", "eventual")).to_be_checked()  # theirs, shown here
    first.reload()
    expect(choice(first, "operation", "command")).to_be_checked()
    expect(choice(first, "consistency", "eventual")).to_be_checked()
    # With the first answer the page also saved the chain depth it pre-filled from the map
    # (this call alone: nothing below its receiver calls synchronously).
    assert saved_answers(interaction) == {
        "consistency": "eventual", "operation": "command", "chain_depth": 1,
    }  # fmt: skip

    answer(first, "duration", "under_100ms")
    expect(first.locator("#draft-status")).to_contain_text("Draft saved at")
    answer(second, "duration", "under_2s")
    conflict = second.locator("#question-duration .conflict")
    expect(conflict).to_contain_text("Theirs")
    expect(conflict).to_contain_text("Yours")
    expect(second.locator("#scoreboard [role=alert]")).to_contain_text("NOT saved")
    assert saved_answers(interaction)["duration"] == "under_100ms"

    conflict.get_by_role("button", name="Keep mine").click()
    expect(second.locator("#question-duration .conflict")).to_have_count(0)
    expect(second.locator("#draft-status")).to_contain_text("Draft saved at")
    assert saved_answers(interaction) == {
        "consistency": "eventual", "operation": "command", "duration": "under_2s",
        "chain_depth": 1,
    }  # fmt: skip
    first.reload()
    expect(choice(first, "duration", "under_2s")).to_be_checked()
    context.close()
