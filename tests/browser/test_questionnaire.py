"""The questionnaire in a real browser: htmx swaps, click-by-click answers, keyboard only."""

from __future__ import annotations

import json
import re

import pytest
from playwright.sync_api import expect

from advisor.engine import evaluate, parse_answers
from advisor.frameworks import framework_get
from advisor.models import Role
from tests.advisor.engine.helpers import scenario_files
from tests.browser.conftest import log_in
from tests.factories import PASSWORD, MembershipFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db(transaction=True)
SCENARIOS = {path.stem: json.loads(path.read_text()) for path in scenario_files()}


@pytest.fixture
def editor_page(page):
    membership = MembershipFactory(role=Role.EDITOR, user__username="ivy", team__slug="shop")
    log_in(page, "ivy", PASSWORD)
    page.editor_team = membership.team
    return page


def answer(page, key, value) -> None:
    """Answer one question the way a person would: click its labels, type its number."""
    framework = framework_get("default", 3)
    if key in framework.inputs_by_key:
        page.get_by_label(framework.inputs_by_key[key].label).fill(str(value))
        return
    question = framework.questions_by_key[key]
    if question.kind == "integer":
        page.get_by_label(question.text).fill(str(value))
        return
    block = page.locator("fieldset.question").filter(
        has=page.locator("legend", has_text=question.text)
    )
    labels = {choice.key: choice.label for choice in question.choices}
    for choice in value if isinstance(value, list) else [value]:
        block.get_by_label(labels[choice], exact=True).check()


def recommendation(page):
    return page.locator("#scoreboard .recommendation")


@pytest.mark.parametrize("name", ["fraud-scoring", "video-encoding"])
def test_answering_a_shared_scenario_click_by_click_shows_its_recommendation_live(
    editor_page, name
):
    page = editor_page
    interaction = make_interaction(system=SystemFactory(team=page.editor_team), name=name)
    page.goto(f"/interactions/{interaction.pk}/")
    expect(recommendation(page)).to_have_text("No recommendation yet")
    page.evaluate("window.stillTheSamePage = true")

    scenario = SCENARIOS[name]
    for key, value in scenario["answers"].items():
        if page.locator(f"#question-{key}.question-folded").count():
            continue  # not asked for these answers (a query has no drop policy)
        answer(page, key, value)
        page.wait_for_load_state("networkidle")

    expect(recommendation(page)).to_have_attribute("data-pattern", scenario["expect"])
    expect(page.locator("#draft-status")).to_contain_text("Draft saved at")
    # The chain depth the map pre-filled (this call alone) is saved with the first answer.
    saved = {"chain_depth": 1, **scenario["answers"]}
    result = evaluate(framework := framework_get("default", 3), parse_answers(framework, saved))
    applying = len(framework.questions) - len(result.not_applicable)
    expect(page.locator("#scoreboard")).to_contain_text(
        f"{applying - len(result.unanswered)} of {applying} questions answered"
    )
    assert page.evaluate("window.stillTheSamePage") is True  # no reload happened

    page.reload()  # the draft comes back
    expect(recommendation(page)).to_have_attribute("data-pattern", scenario["expect"])


def test_the_questionnaire_works_with_the_keyboard_alone(editor_page):
    page = editor_page
    # The rest of what advice needs is answered; the keyboard answers the first two questions.
    interaction = make_interaction(
        system=SystemFactory(team=page.editor_team),
        answers={"caller_needs_result": "no", "user_waiting": "no", "duration": "longer"},
    )
    page.goto(f"/interactions/{interaction.pk}/")

    for _ in range(60):  # Tab from the top of the page to the first question
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.name") == "dominant_constraint":
            break
    assert page.evaluate("document.activeElement.name") == "dominant_constraint"
    focused = page.evaluate(
        "(() => { const s = getComputedStyle(document.activeElement);"
        " return [s.outlineStyle, s.outlineWidth]; })()"
    )
    assert focused[0] != "none" and focused[1] != "0px"  # focus is visible

    # The group's checked radio ("Not answered") has focus; arrows move and select, wrapping.
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Resilience under partial failure")).to_be_checked()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Long-term correctness and auditability")).to_be_checked()
    page.keyboard.press("Tab")  # on to the next question's help toggle
    page.keyboard.press("Enter")  # opens the help
    expect(page.locator("details.question-help").nth(1)).to_have_attribute("open", "")
    page.keyboard.press("Tab")
    for _ in range(3):  # Not answered -> Query -> Command -> Event
        page.keyboard.press("ArrowDown")
    expect(page.get_by_label("Event (a fact happened)")).to_be_checked()
    expect(recommendation(page)).to_have_attribute("data-pattern", "async")


def test_a_new_user_builds_a_system_and_an_interaction_inline(editor_page):
    page = editor_page
    page.goto(f"/t/{page.editor_team.slug}/")
    page.get_by_label("Name").fill("Shop")
    page.get_by_role("button", name="Add system").click()
    page.get_by_role("link", name="Shop", exact=True).click()
    for name in ("Checkout", "Inventory"):
        page.locator("#services-section").get_by_label("Name").fill(name)
        page.get_by_role("button", name="Add service").click()
        expect(page.locator("#services-section")).to_contain_text(name)
    page.get_by_label("From (caller)").select_option(label="Checkout")
    page.get_by_label("To (receiver)").select_option(label="Inventory")
    page.locator("#interactions-section").get_by_label("Name").fill("Reserve stock")
    page.get_by_role("button", name="Add interaction").click()
    page.get_by_role("link", name="Reserve stock", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Reserve stock")


def test_text_in_a_number_box_is_refused_in_place_instead_of_erasing_the_saved_value(
    editor_page,
):
    page = editor_page
    interaction = make_interaction(
        system=SystemFactory(team=page.editor_team), answers={"per_hop_p50_ms": 100.0}
    )
    page.goto(f"/interactions/{interaction.pk}/")
    box = page.get_by_label("Typical latency per hop (p50) (ms)")
    expect(box).to_have_value("100")
    box.press_sequentially("e")  # "100e" is not a number the browser can read
    box.blur()
    expect(page.locator("#errors-per_hop_p50_ms")).to_contain_text("Enter a number")
    expect(box).to_have_attribute("aria-invalid", "true")
    page.wait_for_timeout(800)
    interaction.assessment.refresh_from_db()
    assert interaction.assessment.answers == {"per_hop_p50_ms": 100.0}


def test_a_question_folds_away_when_the_operation_makes_it_moot_and_back_with_its_answer(
    editor_page,
):
    page = editor_page
    interaction = make_interaction(
        system=SystemFactory(team=page.editor_team),
        answers={"operation": "command", "drop_policy": "must_not_lose"},
    )
    framework = framework_get("default", 3)
    drop = framework.questions_by_key["drop_policy"]
    kept = next(choice.label for choice in drop.choices if choice.key == "must_not_lose")
    page.goto(f"/interactions/{interaction.pk}/")
    block = page.locator("#question-drop_policy")
    expect(block.get_by_label(kept, exact=True)).to_be_checked()

    page.get_by_label("Query (read)", exact=True).check()
    expect(block).to_have_class(re.compile(r"\bquestion-folded\b"))
    expect(block).to_contain_text(drop.text)
    expect(block).to_contain_text(drop.applies_note)
    expect(block).to_contain_text(f"Your answer, “{kept}”, is kept")
    expect(block.locator("input[type=radio]")).to_have_count(0)
    expect(page.get_by_label("Query (read)", exact=True)).to_be_checked()  # not swapped away

    page.get_by_label("Command (change state)", exact=True).check()
    expect(block).not_to_have_class(re.compile(r"\bquestion-folded\b"))
    expect(block.get_by_label(kept, exact=True)).to_be_checked()
    page.wait_for_load_state("networkidle")
    interaction.assessment.refresh_from_db()
    assert interaction.assessment.answers["drop_policy"] == "must_not_lose"
