"""The demo's system map in a real browser: an arrow leads to its interaction's
questionnaire, a box to its service, and on a phone the map fits the screen's width."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.core.management import call_command
from playwright.sync_api import expect

from advisor.models import Interaction, Service, System
from tests.browser.conftest import log_in

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}
# Where on the screen the middle of an arrow's line is (the middle of its bounding box may
# be beside a curved line).
MIDDLE_OF_LINE = """(selector) => {
  const line = document.querySelector(selector);
  line.scrollIntoView({block: "center"});
  const point = line.getPointAtLength(line.getTotalLength() / 2);
  const onScreen = point.matrixTransform(line.getScreenCTM());
  return [onScreen.x, onScreen.y];
}"""


@pytest.fixture
def demo(live_server):
    caches["maps"].clear()
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return System.objects.get(name="Storefront")


def test_selecting_an_arrow_opens_the_interactions_questionnaire(page, demo):
    log_in(page, "demo", "crossroads-demo")
    page.goto(f"/systems/{demo.pk}/map/")
    interaction = Interaction.objects.get(system=demo, name="Reserve the last item")
    x, y = page.evaluate(MIDDLE_OF_LINE, f"#map-interaction-{interaction.pk} path")
    page.mouse.click(x, y)
    page.wait_for_url(f"**/interactions/{interaction.pk}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reserve the last item")
    expect(page.locator("fieldset.question").first).to_be_visible()


def test_selecting_a_box_opens_the_services_page(page, demo):
    log_in(page, "demo", "crossroads-demo")
    page.goto(f"/systems/{demo.pk}/map/")
    orders = Service.objects.get(system=demo, name="Orders")
    page.locator(f"#map-service-{orders.pk} text").click()
    page.wait_for_url(f"**/services/{orders.pk}/")
    expect(page.get_by_role("heading", name="What it calls")).to_be_visible()
    expect(page.get_by_role("link", name="Capture the payment")).to_be_visible()


def test_on_a_phone_the_map_fits_the_width_and_the_page_does_not_scroll_sideways(
    browser, live_server, demo
):
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, "demo", "crossroads-demo")
        page.goto(f"/systems/{demo.pk}/map/")
        drawing = page.locator("#system-map")
        expect(drawing).to_be_visible()
        box = drawing.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"]
        assert box["height"] > 100  # shrunk to the width, not to nothing
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    finally:
        context.close()
