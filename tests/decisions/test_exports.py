"""Exports of one decision: PDF, MADR Markdown and JSON."""

from __future__ import annotations

import json
import shutil
import subprocess

import pytest
import yaml
from django.urls import reverse

from decisions.dialects.common import because as _because
from decisions.pdf import STATIC_ORIGIN, StaticOnlyFetcher, render_html_pdf
from tests.factories import (
    NOBODY_WAITS,
    SystemFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision(team, owner):
    interaction = make_interaction(
        system=SystemFactory(team=team, name="Payments"), name="Score fraud",
        answers={**NOBODY_WAITS, "operation": "batch", "chain_depth": 5},
    )  # fmt: skip
    return record_decision(
        interaction, user=owner, chosen_option="sync",
        justification="Only *ten* items a night.", context="The nightly **reprice** job.",
        confirmation="Check the p99 weekly.", consulted="ops", informed="finance",
    )  # fmt: skip


def _pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


class TestPdf:
    def test_it_downloads_a_pdf_with_the_whole_record(self, client, viewer, decision, tmp_path):
        client.force_login(viewer)
        response = client.get(reverse("decision_export_pdf", args=[decision.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="ADR-0001-')
        text = _pdf_text(response.content, tmp_path)
        assert "Checkout · ADR-0001 · Proposed" in text  # header on every page
        assert "framework default v3" in text and "Page 1 of" in text  # footer
        assert "Chosen against the advice:" in text
        assert "Only ten items a night." in text
        assert "Considered options" in text and "Asynchronous messaging" in text
        assert "Bulk work over direct calls" in text  # the chosen pattern's warnings, by title
        assert "sync_batch" not in text
        assert "Practices Synchronous request-response needs" in text
        assert "Check the p99 weekly." in text

    def test_the_first_page_renders_to_an_image(self, client, viewer, decision, tmp_path):
        client.force_login(viewer)
        pdf = tmp_path / "record.pdf"
        pdf.write_bytes(client.get(reverse("decision_export_pdf", args=[decision.pk])).content)
        subprocess.run(
            ["pdftoppm", "-png", "-r", "40", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "p")],
            check=True,
        )
        image = next(tmp_path.glob("p*.png")).read_bytes()
        assert image.startswith(b"\x89PNG")
        width = int.from_bytes(image[16:20], "big")
        height = int.from_bytes(image[20:24], "big")
        assert abs(height / width - 297 / 210) < 0.02  # an A4 page

    def test_the_fetcher_never_reads_files_or_the_network(self, tmp_path):
        secret = tmp_path / "secret.png"
        secret.write_bytes(b"not for the pdf")
        fetcher = StaticOnlyFetcher()
        html = (
            f'<link rel="stylesheet" href="{STATIC_ORIGIN}css/pdf.css">'
            f'<img src="file://{secret}"><img src="http://127.0.0.1:9/tracker.png">'
            f'<img src="https://example.com/x.png"><img src="{STATIC_ORIGIN}../settings.py">'
            f'<img src="{STATIC_ORIGIN}/etc/passwd"><img src="{STATIC_ORIGIN}bootstrap/css/x.css">'
            '<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">'
            "<p>Body</p>"
        )
        pdf = render_html_pdf(html, fetcher)
        assert pdf.startswith(b"%PDF")
        assert f"file://{secret}" in fetcher.refused
        assert "http://127.0.0.1:9/tracker.png" in fetcher.refused
        assert "https://example.com/x.png" in fetcher.refused
        assert any(url.endswith("settings.py") for url in fetcher.refused)
        assert f"{STATIC_ORIGIN}/etc/passwd" in fetcher.refused
        assert f"{STATIC_ORIGIN}bootstrap/css/x.css" in fetcher.refused  # apps' files too
        assert not any("pdf.css" in url for url in fetcher.refused)

    def test_user_markdown_cannot_smuggle_a_file_reference_into_the_pdf(
        self, client, owner, team, monkeypatch
    ):
        asked = []
        original = StaticOnlyFetcher.fetch

        def recording_fetch(fetcher, url, headers=None):
            asked.append(url)
            return original(fetcher, url, headers)

        monkeypatch.setattr(StaticOnlyFetcher, "fetch", recording_fetch)
        decision = record_decision(
            make_interaction(system=SystemFactory(team=team)), user=owner,
            context='![x](file:///etc/hostname) <img src="file:///etc/hostname"> '
            "[y](http://attacker.example/)",
        )  # fmt: skip
        client.force_login(owner)
        response = client.get(reverse("decision_export_pdf", args=[decision.pk]))
        assert response.status_code == 200
        assert asked == [f"{STATIC_ORIGIN}css/pdf.css"]  # the style sheet, nothing else

    def test_another_team_gets_404(self, client, outsider, decision):
        client.force_login(outsider)
        assert client.get(reverse("decision_export_pdf", args=[decision.pk])).status_code == 404

    def test_it_refuses_post_with_405(self, client, viewer, decision):
        client.force_login(viewer)
        assert client.post(reverse("decision_export_pdf", args=[decision.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, decision):
        response = client.get(reverse("decision_export_pdf", args=[decision.pk]))
        assert response.url.startswith("/login/")


class TestMarkdown:
    def test_it_is_madr_4_with_front_matter(self, client, viewer, decision):
        client.force_login(viewer)
        response = client.get(reverse("decision_export_markdown", args=[decision.pk]))
        assert response["Content-Type"] == "text/markdown; charset=utf-8"
        text = response.content.decode()
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        assert meta["status"] == "proposed"
        assert meta["decision-makers"] == "olive"
        assert (meta["consulted"], meta["informed"]) == ("ops", "finance")
        assert (meta["chosen-pattern"], meta["recommended-pattern"]) == ("sync", "async")
        assert response["Content-Disposition"].startswith('attachment; filename="0001-')
        headings = [line for line in body.splitlines() if line.startswith("#")]
        assert headings[:6] == [
            f"# {decision.title}", "## Context and Problem Statement", "## Decision Drivers",
            "## Considered Options", "## Decision Outcome", "### Consequences",
        ]  # fmt: skip
        assert "## Pros and Cons of the Options" in body and "## More Information" in body
        assert 'Chosen option: "Synchronous request-response", because ' in body
        assert "The advisor recommended Asynchronous messaging (fire-and-forget)." in body
        assert "* Good, because " in body and "* Bad, because " in body

    def test_another_team_gets_404(self, client, outsider, decision):
        client.force_login(outsider)
        url = reverse("decision_export_markdown", args=[decision.pk])
        assert client.get(url).status_code == 404


class TestJson:
    def test_it_holds_the_record_the_frozen_assessment_and_the_history(
        self, client, viewer, decision
    ):
        client.force_login(viewer)
        response = client.get(reverse("decision_export_json", args=[decision.pk]))
        data = json.loads(response.content)
        assert data["reference"] == "ADR-0001"
        assert data["against_advice"] is True
        assert data["answers"] == {**NOBODY_WAITS, "operation": "batch", "chain_depth": 5}
        assert data["result"]["recommendation"] == "async"
        assert data["framework"] == {
            "name": "default", "version": 3, "digest": decision.framework_frozen.digest
        }  # fmt: skip
        assert [r["kind"] for r in data["revisions"]] == ["recorded"]

    def test_another_team_gets_404(self, client, outsider, decision):
        client.force_login(outsider)
        assert client.get(reverse("decision_export_json", args=[decision.pk])).status_code == 404


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ("User-facing calls ride out restarts.", "user-facing calls ride out restarts."),
        ("Brokers deliver at least once.", "brokers deliver at least once."),
        ("A queue absorbs spikes.", "a queue absorbs spikes."),
        ("API calls stay simple.", "API calls stay simple."),
        ("gRPC streams stay open.", "gRPC streams stay open."),
    ],
)
def test_a_consequence_reads_on_after_because(item, expected):
    assert _because(item) == expected
