"""The whole-log PDF: a cover, contents whose page numbers are where each decision's section
really starts, every decision in number order with its links, history and imported text,
"Page N of M" right across the separately rendered parts, and a fixed number of queries."""

from __future__ import annotations

import io
import re
import shutil
import subprocess

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from decisions import services
from decisions.log_pdf import render_log_pdf
from decisions.models import DecisionLink, Revision
from decisions.pdf import STATIC_ORIGIN
from decisions.pdf_assembly import PartJob, PreloadedFetcher, render_part
from decisions.selectors import decisions_for_export
from decisions.services.creation import NewDecision, decisions_create
from tests.factories import SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db

CONTENTS_LINE = re.compile(r"^\s*(ADR-\d{4})\s+(.*?)\s*(?:\.\s*)+(\d+)\s*$")


def _pages(pdf: bytes, tmp_path) -> list[str]:
    """The text of each page, as laid out (pdftotext ends every page with a form feed)."""
    path = tmp_path / "log.pdf"
    path.write_bytes(pdf)
    text = subprocess.run(
        [shutil.which("pdftotext") or "pdftotext", "-layout", str(path), "-"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    return text.split("\f")[: len(PdfReader(io.BytesIO(pdf)).pages)]


def _words(page: str) -> str:
    return " ".join(page.split())


def _contents(pages: list[str]) -> dict[str, tuple[str, int]]:
    """Reference -> (the rest of its contents line, page number), from the contents pages."""
    found = {}
    for page in pages[1:]:
        if "· Decision log" not in page:  # the contents' running header
            break
        for line in page.splitlines():
            match = CONTENTS_LINE.match(line)
            if match:
                found[match.group(1)] = (match.group(2), int(match.group(3)))
    return found


def _render(team, system: str = "", **options) -> bytes:
    decisions = list(decisions_for_export(team, system=system, whole_history=False))
    return render_log_pdf(team=team, system=system, decisions=decisions, **options)


def _imported(team, user, title: str, number: int | None = None):
    """A record as an ADR file import leaves it: its file's text, no frozen assessment."""
    (decision,) = decisions_create(
        team=team,
        new=[
            NewDecision(
                fields={
                    "title": title,
                    "status": "accepted",
                    "system_name": "Shop",
                    "context": "Stock levels were read from the warehouse database.",
                    "chosen_title": "Cache stock levels in checkout",
                    "imported_from": "madr",
                    "external_deciders": ["Dana Stock"],
                    "imported_sections": {"Considered Options": "- Call stock\n- Cache stock"},
                },
                created_by=user,
                number=number,
                revision_kind=Revision.Kind.IMPORTED,
            )
        ],
    )
    return decision


def _accept(decision, user):
    return services.decision_change_status(
        decision=decision, user=user, status="accepted", base_version=decision.version
    )


@pytest.fixture
def shop(team):
    return SystemFactory(team=team, name="Shop")


@pytest.fixture
def log(team, owner, shop):
    """Four decisions: accepted and amended, superseded, amending the first, imported."""
    interaction = make_interaction(system=shop, answers={"operation": "query"})
    first = _accept(record_decision(interaction, user=owner, title="Call stock directly"), owner)
    data = {field: getattr(first, field) or "" for field in services.EDITABLE_FIELDS}
    first = services.decision_amend(
        decision=first, user=owner, data={**data, "confirmation": "p99 < 300 ms"},
        deciders=[owner], base_version=first.version, reason="The p99 budget moved to 300 ms.",
    )  # fmt: skip
    old = _accept(record_decision(interaction, user=owner, title="Poll stock hourly"), owner)
    successor = record_decision(
        interaction, user=owner, title="Publish stock events", supersedes=[old],
        chosen_option="async", justification="Stock changes fan out to three services.",
    )  # fmt: skip
    _accept(successor, owner)
    DecisionLink.objects.create(
        source=successor, target=first, label="Amends", reverse_label="Amended by"
    )
    _imported(team, owner, "Keep a stock cache")
    return team


class TestContents:
    def test_each_decision_is_listed_with_the_page_its_section_starts_on(self, log, tmp_path):
        pages = _pages(_render(log, workers=1), tmp_path)
        contents = _contents(pages)
        assert list(contents) == ["ADR-0001", "ADR-0002", "ADR-0003", "ADR-0004"]
        assert contents["ADR-0001"][0] == "Call stock directly Accepted"
        assert contents["ADR-0002"][0] == "Poll stock hourly Superseded"
        for reference, (line, number) in contents.items():
            start = _words(pages[number - 1])
            title = line.rsplit(" ", 1)[0]
            assert f"Checkout · {reference} ·" in start  # the running header
            assert f"{reference} · {line.rsplit(' ', 1)[1]} {title}" in start  # title block
            assert f"{reference} ·" not in _words(pages[number - 2])  # not on the page before

    def test_sections_follow_in_number_order_each_from_a_new_page(self, log, tmp_path):
        pages = _pages(_render(log, workers=1), tmp_path)
        starts = [number for _, number in _contents(pages).values()]
        assert starts == sorted(starts) and len(set(starts)) == len(starts)
        assert starts[0] == 4  # after the cover, one page of contents and the system's map

    def test_the_cover_gives_the_team_date_count_and_statuses(self, log, tmp_path):
        cover = _words(_pages(_render(log, workers=1), tmp_path)[0])
        assert "Checkout" in cover and "Decision log" in cover
        assert "Decisions 4 (ADR-0001 to ADR-0004)" in cover
        assert "System All systems" in cover
        assert "Proposed 0 Accepted 3 Rejected 0 Deprecated 0 Superseded 1" in cover
        assert "Page 1 of" not in cover


class TestSections:
    def test_links_supersedes_and_amendments_are_shown(self, log, tmp_path):
        pages = _pages(_render(log, workers=1), tmp_path)
        contents = _contents(pages)

        def section(reference: str) -> str:
            start = contents[reference][1]
            following = [n for _, n in contents.values() if n > start]
            return _words(" ".join(pages[start - 1 : (min(following) - 1) if following else None]))

        first, old, successor = section("ADR-0001"), section("ADR-0002"), section("ADR-0003")
        assert "Amended by ADR-0003 Publish stock events" in first
        assert "Amendments Changes made to this decision after it was accepted" in first
        assert "The p99 budget moved to 300 ms." in first
        assert "Amends ADR-0001 Call stock directly" in successor
        assert "Supersedes ADR-0002 Poll stock hourly" in successor
        assert "Superseded by ADR-0003 Publish stock events" in old
        assert "no longer in force" in old

    def test_an_imported_record_says_no_assessment_was_frozen_with_it(self, log, tmp_path):
        pages = _pages(_render(log, workers=1), tmp_path)
        start = _contents(pages)["ADR-0004"][1]
        text = _words(" ".join(pages[start - 1 :]))
        assert "Imported from an ADR file: no assessment was frozen with it." in text
        assert "Stock levels were read from the warehouse database." in text
        assert "Chosen option: Cache stock levels in checkout." in text
        assert "Considered Options • Call stock • Cache stock" in text
        assert "Dana Stock" in text
        assert "Answers as recorded" not in text and "Considered options" not in text

    def test_the_single_pdf_of_an_imported_record_says_so_too(self, client, viewer, log, tmp_path):
        imported = log.decisions.get(number=4)
        client.force_login(viewer)
        response = client.get(reverse("decision_export_pdf", args=[imported.pk]))
        assert response.status_code == 200
        text = " ".join(_words(page) for page in _pages(response.content, tmp_path))
        assert "Imported from an ADR file: no assessment was frozen with it." in text
        assert "Crossroads · imported from an ADR file" in text
        assert "framework" not in text


class TestLongLogs:
    def test_page_numbers_run_on_across_parts_rendered_in_worker_processes(self, log, tmp_path):
        pdf = _render(log, workers=2, batch_size=1)
        pages = _pages(pdf, tmp_path)
        total = len(pages)
        for number, page in enumerate(pages[1:], start=2):
            assert f"Page {number} of {total}" in _words(page)
        contents = _contents(pages)
        for reference, (_, number) in contents.items():
            assert f"Checkout · {reference} ·" in _words(pages[number - 1])
            assert f"Checkout · {reference} ·" not in _words(pages[number - 2])

    def test_bookmarks_and_contents_lines_jump_to_each_decision(self, log, tmp_path):
        pdf = _render(log, workers=1)
        reader = PdfReader(io.BytesIO(pdf))
        contents = _contents(_pages(pdf, tmp_path))
        bookmarks = {
            item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline
        }
        assert bookmarks == {
            "Contents": 2,
            "System map: Shop": 3,
            **{f"{ref} {line.rsplit(' ', 1)[0]}": page for ref, (line, page) in contents.items()},
        }
        jumps = [  # a line's reference, title and status are each a link to its page
            reader.get_page_number(annotation.get_object()["/A"]["/D"][0].get_object()) + 1
            for annotation in reader.pages[1]["/Annots"]
        ]
        assert list(dict.fromkeys(jumps)) == [3, *(page for _, page in contents.values())]


class TestProgressAndScope:
    def test_progress_is_reported_for_every_decision_and_ends_at_the_total(self, log):
        calls = []
        _render(
            log, workers=1, batch_size=3, progress=lambda done, total: calls.append((done, total))
        )
        assert calls == [(1, 4), (2, 4), (3, 4), (4, 4)]

    def test_a_system_filter_keeps_only_that_systems_decisions(self, team, owner, log, tmp_path):
        payments = make_interaction(system=SystemFactory(team=team, name="Payments"))
        record_decision(payments, user=owner, title="Retry card payments")
        pages = _pages(_render(team, system="Payments", workers=1), tmp_path)
        assert list(_contents(pages)) == ["ADR-0005"]
        assert "Decision log · Payments" in _words(pages[0])
        assert "Decisions 1 (ADR-0005 to ADR-0005)" in _words(pages[0])
        assert "Call stock directly" not in " ".join(pages)

    def test_an_empty_log_still_gives_a_cover_and_contents(self, team, tmp_path):
        calls = []
        pdf = _render(team, workers=1, progress=lambda *call: calls.append(call))
        pages = _pages(pdf, tmp_path)
        assert len(pages) == 2
        assert "The log has no decisions yet." in _words(pages[1])
        assert calls == [(0, 0)]


def test_the_queries_do_not_grow_with_the_number_of_decisions(
    team, owner, shop, django_assert_num_queries
):
    interaction = make_interaction(system=shop, answers={"operation": "query"})
    decisions = [record_decision(interaction, user=owner, title=f"Decision {n}") for n in range(3)]
    DecisionLink.objects.create(source=decisions[1], target=decisions[0], label="Amends")
    _render(team, workers=1)  # the frozen framework is read once per process, then cached
    with CaptureQueriesContext(connection) as three:
        _render(team, workers=1)
    later = [record_decision(interaction, user=owner, title=f"Later {n}") for n in range(2)]
    DecisionLink.objects.create(source=later[0], target=decisions[2], label="Amends")
    _imported(team, owner, "Keep a stock cache")
    with django_assert_num_queries(len(three.captured_queries)):
        _render(team, workers=1)


def test_a_part_reads_only_the_files_read_for_it_beforehand(tmp_path):
    secret = tmp_path / "secret.png"
    secret.write_bytes(b"not for the pdf")
    fetcher = PreloadedFetcher({f"{STATIC_ORIGIN}css/pdf.css": (b"p { color: red }", "text/css")})
    html = (
        f'<link rel="stylesheet" href="{STATIC_ORIGIN}css/pdf.css">'
        f'<img src="file://{secret}"><img src="http://127.0.0.1:9/tracker.png">'
        f'<img src="{STATIC_ORIGIN}css/app.css"><p id="here">Body</p>'
    )
    part = render_part(PartJob(html, STATIC_ORIGIN, ("here",)), fetcher)
    assert part.pdf.startswith(b"%PDF") and part.anchors["here"].page == 0
    assert fetcher.refused == [
        f"file://{secret}",
        "http://127.0.0.1:9/tracker.png",
        f"{STATIC_ORIGIN}css/app.css",
    ]
