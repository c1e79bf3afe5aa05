"""People read titles and labels, never the framework's internal keys.

Every page and export of the demo data is rendered; the text a person sees (HTML text
nodes, the Markdown body below its front matter, the PDF's text) must not hold any
warning, practice, question, choice or input key.
"""

from __future__ import annotations

import re
import subprocess
from html.parser import HTMLParser

import pytest
from django.core.management import call_command

from advisor.frameworks import get_framework
from tests.demo_pages import demo_exports, demo_pages

pytestmark = pytest.mark.django_db


def _framework_keys() -> set[str]:
    framework = get_framework()
    keys = {rule.code for rule in framework.warnings}
    keys |= {p.code for practices in framework.practices.values() for p in practices}
    keys |= {q.key for q in framework.questions} | {i.key for i in framework.inputs}
    keys |= {c.key for q in framework.questions for c in q.choices}
    keys |= set(framework.pattern_keys) | {"no_viable_pattern"}
    # Single plain words ("outbox", "tracing", "yes") are also ordinary English; a key made
    # of words joined by underscores is never something a person would write.
    return {key for key in keys if "_" in key}


class _Text(HTMLParser):
    """The text nodes of a page, as a person (or a screen reader) meets them."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs) -> None:
        if tag in {"script", "style"}:
            self._skip += 1
        for name, value in attrs:
            if name in {"aria-label", "title", "alt", "placeholder"} and value:
                self.parts.append(value)

    def handle_endtag(self, tag) -> None:
        if tag in {"script", "style"}:
            self._skip -= 1

    def handle_data(self, data) -> None:
        if not self._skip:
            self.parts.append(data)


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(content)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


@pytest.fixture
def demo(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert client.login(username="demo", password="crossroads-demo")
    return client


def _leaks(text: str, keys: set[str]) -> set[str]:
    words = set(re.findall(r"[a-z0-9]+(?:_[a-z0-9]+)+", text))
    return words & keys


def test_no_page_of_the_demo_shows_a_key(demo):
    keys = _framework_keys()
    pages = demo_pages()
    assert len(pages) > 40
    found = {}
    for url in pages:
        response = demo.get(url)
        assert response.status_code == 200, url
        leaks = _leaks(_visible(response.text), keys)
        if leaks:
            found[url] = sorted(leaks)
    assert found == {}


def test_no_export_of_the_demo_shows_a_key_outside_front_matter(demo, tmp_path):
    keys = _framework_keys()
    found = {}
    for url in demo_exports():
        response = demo.get(url)
        assert response.status_code == 200, url
        if url.endswith(".pdf"):
            text = _pdf_text(response.content, tmp_path)
        else:
            text = response.content.decode().split("\n---\n", 1)[1]  # below the front matter
        leaks = _leaks(text, keys)
        if leaks:
            found[url] = sorted(leaks)
    assert found == {}
