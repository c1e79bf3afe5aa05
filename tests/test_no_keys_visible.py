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

from advisor.frameworks import framework_get
from tests.demo_pages import demo_exports, demo_pages

pytestmark = pytest.mark.django_db


def _framework_keys() -> set[str]:
    framework = framework_get("default", 3)
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


def test_no_record_of_readiness_targets_or_premises_shows_a_key(client, tmp_path):
    """Records the demo's story does not hold: a choice that loses on operational readiness
    (with a target that differs from the advice and estimate warnings) and a choice that was
    not an option for its interaction."""
    from django.urls import reverse

    from advisor.models import Role
    from tests.factories import (
        NOBODY_WAITS,
        MembershipFactory,
        SystemFactory,
        make_interaction,
        record_decision,
    )

    user = MembershipFactory(team=SystemFactory().team, role=Role.OWNER).user
    system = user.memberships.get().team.systems.get()
    not_ready = {
        "dominant_constraint": "unsure", "operation": "command", "caller_kind": "service",
        "caller_needs_result": "no", "user_waiting": "yes", "duration": "under_2s",
        "load": "spiky", "receiver_availability": "sometimes_down", "capabilities": [],
        "broker_experience": "none", "backlog_messages": 50000, "processing_rate_per_s": 100,
        "arrival_rate_per_s": 150, "chain_depth": 5, "latency_budget_ms": 100,
    }  # fmt: skip
    decisions = [
        record_decision(make_interaction(system=system, name="Loyalty", answers=not_ready),
                        user=user, chosen_option="async",
                        justification="The outbox lands this quarter."),
        record_decision(make_interaction(system=system, name="Reindex",
                                         answers={**NOBODY_WAITS, "operation": "batch"}),
                        user=user, chosen_option="request_reply",
                        justification="The search team wants a reply for its audit trail."),
    ]  # fmt: skip
    assert decisions[0].result["target"]["recommendation"] != decisions[0].recommended_option
    assert any(v["kind"] == "premise" for v in decisions[1].result["vetoes"])
    client.force_login(user)
    keys = _framework_keys()
    found = {}
    for decision in decisions:
        for name in ("decision_detail", "decision_export_markdown", "decision_export_pdf"):
            url = reverse(name, args=[decision.pk])
            response = client.get(url)
            assert response.status_code == 200, url
            if name == "decision_export_pdf":
                text = _pdf_text(response.content, tmp_path)
            elif name == "decision_export_markdown":
                text = response.content.decode().split("\n---\n", 1)[1]
            else:
                text = _visible(response.text)
            if leaks := _leaks(text, keys):
                found[url] = sorted(leaks)
        form = client.get(reverse("decision_record", args=[decision.interaction_id]) +
                          f"?chosen={decision.chosen_option}")  # fmt: skip
        assert "You are choosing" in form.text
        if leaks := _leaks(_visible(form.text), keys):
            found[f"form {decision.reference}"] = sorted(leaks)
    assert found == {}
