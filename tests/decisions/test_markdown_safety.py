"""Markdown a user writes can format text, never run script or fetch anything."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from decisions.document import MARKDOWN_FIELDS
from decisions.markdown import render_markdown
from tests.factories import (
    SOMEONE_WAITS,
    SystemFactory,
    make_interaction,
    record_decision,
)

ATTACKS = [
    "<script>alert('x')</script>",
    "<img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    "[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![local](file:///etc/passwd)",
    "![remote](http://attacker.example/pixel.png)",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src='http://attacker.example'></iframe>",
    '<svg onload="alert(1)"></svg>',
    "<style>body{background:url(http://attacker.example)}</style>",
    "[ok](https://example.com/ok) **bold**",
]
ACTIVE_TAGS = {"script", "img", "iframe", "svg", "style", "object", "embed", "link", "image"}


class _Elements(HTMLParser):
    """Every element and attribute in a piece of HTML (text, even escaped markup, is not)."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs) -> None:
        self.found.append((tag, dict(attrs)))


def dangerous_parts(html: str) -> list[str]:
    parser = _Elements()
    parser.feed(html)
    problems = []
    for tag, attrs in parser.found:
        if tag in ACTIVE_TAGS:
            problems.append(f"<{tag}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"{tag}[{name}]")
            if name in {"href", "src"} and not (value or "").startswith(
                ("https:", "http:", "/", "#", "mailto:")
            ):
                problems.append(f"{tag}[{name}={value}]")
    return problems


@pytest.mark.parametrize("attack", ATTACKS)
def test_rendering_removes_every_active_or_fetching_part(attack):
    assert dangerous_parts(render_markdown(attack)) == []


def test_safe_formatting_survives():
    html = render_markdown("[ok](https://example.com/ok) **bold** and `code`\n\n- a\n- b")
    assert '<a href="https://example.com/ok" rel="noopener noreferrer nofollow">ok</a>' in html
    assert "<strong>bold</strong>" in html and "<code>code</code>" in html
    assert "<ul>" in html


@pytest.mark.django_db
@pytest.mark.parametrize("field", MARKDOWN_FIELDS)
def test_every_markdown_field_of_a_decision_page_is_sanitised(client, team, owner, field):
    interaction = make_interaction(
        system=SystemFactory(team=team), answers={**SOMEONE_WAITS, "operation": "query"}
    )
    payload = "\n\n".join(ATTACKS)
    decision = record_decision(
        interaction, user=owner, **{field: payload},
        **({"chosen_option": "async", "justification": payload}
           if field != "justification" else {"chosen_option": "async"}),
    )  # fmt: skip
    client.force_login(owner)
    text = client.get(reverse("decision_detail", args=[decision.pk])).text
    record = text.split('<div class="record">', 1)[1].split("</main>", 1)[0]
    # The one chart the page draws itself; user Markdown can never produce an <svg> at all.
    chart = r'<svg xmlns="http://www.w3.org/2000/svg" class="chart score-chart".*?</svg>'
    without_charts = re.sub(chart, "", record, count=1, flags=re.DOTALL)
    assert dangerous_parts(without_charts) == [], field
    assert "<strong>bold</strong>" in record


@pytest.mark.django_db
def test_plain_text_fields_are_escaped(client, team, owner):
    decision = record_decision(
        make_interaction(system=SystemFactory(team=team)), user=owner,
        title="<script>alert(1)</script>", consulted="<b>ops</b>",
    )  # fmt: skip
    client.force_login(owner)
    text = client.get(reverse("decision_detail", args=[decision.pk])).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert "&lt;b&gt;ops&lt;/b&gt;" in text
