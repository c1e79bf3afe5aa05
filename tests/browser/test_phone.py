"""Every page of the demo at a phone's width (390 x 844): nothing scrolls sideways."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from tests.browser.conftest import log_in
from tests.demo_pages import demo_pages

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
OVERFLOW = """() => {
  const width = window.innerWidth;
  const wide = [...document.querySelectorAll("body *")]
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .slice(0, 3)
    .map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : ""));
  return {scroll: document.documentElement.scrollWidth, width, wide};
}"""


def test_no_page_of_the_demo_scrolls_sideways_on_a_phone(browser, live_server):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    context = browser.new_context(base_url=live_server.url, viewport=PHONE)
    context.set_default_timeout(10_000)
    page = context.new_page()
    try:
        log_in(page, "demo", "crossroads-demo")
        pages = demo_pages()
        assert len(pages) > 40
        too_wide = {}
        for url in pages:
            response = page.goto(url)
            assert response.status == 200, url
            measured = page.evaluate(OVERFLOW)
            if measured["scroll"] > measured["width"]:
                too_wide[url] = measured
        assert too_wide == {}
    finally:
        context.close()
