"""The PDF of a decision tells its history (amendments, superseded or deprecated) and prints
every script its text is written in."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from decisions import services
from decisions.history import amendments_for, retirement_for
from decisions.models import Revision
from tests.factories import SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db


def _run(*command: str) -> str:
    return subprocess.run(
        [shutil.which(command[0]) or command[0], *command[1:]],
        capture_output=True, text=True, errors="replace", check=True,
    ).stdout  # fmt: skip


def _pdf(client, decision, tmp_path):
    path = tmp_path / f"{decision.reference}.pdf"
    response = client.get(reverse("decision_export_pdf", args=[decision.pk]))
    assert response.status_code == 200
    path.write_bytes(response.content)
    return path


def _words(path) -> str:
    """The PDF's text with its line breaks and spacing evened out."""
    return " ".join(_run("pdftotext", "-layout", str(path), "-").split())


def _day(moment) -> str:
    return dateformat.format(timezone.localtime(moment), "j F Y")


def _accept(decision, user):
    return services.decision_change_status(
        decision=decision, user=user, status="accepted", base_version=decision.version
    )


def _amend(decision, user, reason: str, **changes):
    data = {field: getattr(decision, field) or "" for field in services.EDITABLE_FIELDS}
    data.update(changes)
    return services.decision_amend(
        decision=decision, user=user, data=data, deciders=[user],
        base_version=decision.version, reason=reason,
    )  # fmt: skip


@pytest.fixture
def interaction(team):
    return make_interaction(
        system=SystemFactory(team=team, name="Shop"),
        answers={"operation": "query", "user_waiting": "yes"},
    )


@pytest.fixture
def accepted(interaction, owner):
    return _accept(record_decision(interaction, user=owner, title="Call stock directly"), owner)


class TestAmendments:
    def test_they_are_listed_oldest_first_with_who_when_and_why(self, accepted, owner, editor):
        _amend(accepted, owner, "The p99 budget moved to 300 ms.", confirmation="p99 < 300 ms")
        _amend(accepted, editor, "Ops asked for a weekly check.", confirmation="Weekly check")
        amendments = amendments_for(accepted)
        assert [(a.version, a.author, a.reason) for a in amendments] == [
            (3, "olive", "The p99 budget moved to 300 ms."),
            (4, "eddie", "Ops asked for a weekly check."),
        ]
        revision = accepted.revisions.get(version=4)
        assert amendments[1].date == revision.created_at

    def test_the_pdf_lists_them_and_says_the_record_was_amended(
        self, client, viewer, accepted, owner, tmp_path
    ):
        _amend(accepted, owner, "The p99 budget moved to 300 ms.", confirmation="p99 < 300 ms")
        client.force_login(viewer)
        text = _words(_pdf(client, accepted, tmp_path))
        day = _day(accepted.revisions.get(kind=Revision.Kind.AMENDED).created_at)
        assert f"Amended 1 time, last on {day} by olive (see Amendments)" in text
        assert "Amendments Changes made to this decision after it was accepted" in text
        assert "The p99 budget moved to 300 ms." in text
        assert f"3 {day}" in text  # the version and its date, in the table

    def test_a_record_never_amended_has_no_amendments_section(
        self, client, viewer, accepted, tmp_path
    ):
        client.force_login(viewer)
        text = _words(_pdf(client, accepted, tmp_path))
        assert "Amendments" not in text and "Amended" not in text


class TestRetiredRecords:
    def test_a_superseded_record_opens_with_a_banner_naming_its_successor(
        self, client, viewer, accepted, owner, interaction, tmp_path
    ):
        successor = record_decision(
            interaction, user=owner, title="Publish stock events", supersedes=[accepted],
            chosen_option="async", justification="Stock changes fan out to three services.",
        )  # fmt: skip
        _accept(successor, owner)
        accepted.refresh_from_db()
        retirement = retirement_for(accepted)
        assert retirement is not None and retirement.author == "olive"
        client.force_login(viewer)
        text = _words(_pdf(client, accepted, tmp_path))
        banner = (
            f"Superseded by ADR-0002 Publish stock events on {_day(retirement.date)}. "
            "This record is kept for history and is no longer in force. "
            "Read ADR-0002 for the decision that replaces it."
        )
        assert banner in text
        assert text.index(banner) < text.index("Call stock directly")  # above the title

    def test_a_deprecated_record_opens_with_a_banner_giving_the_date_and_note(
        self, client, viewer, accepted, owner, tmp_path
    ):
        services.decision_change_status(
            decision=accepted, user=owner, status="deprecated", base_version=accepted.version,
            note="The stock service was retired.",
        )  # fmt: skip
        client.force_login(viewer)
        text = _words(_pdf(client, accepted, tmp_path))
        day = _day(accepted.revisions.get(version=accepted.version).created_at)
        assert f"Deprecated on {day} by olive. “The stock service was retired.”" in text

    def test_a_record_in_force_has_no_banner(self, client, viewer, accepted, tmp_path):
        assert retirement_for(accepted) is None
        client.force_login(viewer)
        text = _words(_pdf(client, accepted, tmp_path))
        assert "no longer in force" not in text


class TestScripts:
    TITLE = "Решение Απόφαση 决定 🚀"
    CONTEXT = "Кэш цен. Ελληνικό κείμενο. 库存服务很慢。在庫サービス。재고 서비스. ✅"

    def test_cyrillic_greek_cjk_and_emoji_print_as_characters(
        self, client, viewer, interaction, owner, tmp_path
    ):
        decision = record_decision(interaction, user=owner, title=self.TITLE, context=self.CONTEXT)
        client.force_login(viewer)
        path = _pdf(client, decision, tmp_path)
        fonts = _run("pdffonts", str(path))
        embedded = [line for line in fonts.splitlines()[2:] if " yes " in line]
        assert any("Noto-Sans-CJK" in line for line in embedded), fonts
        assert any("Noto-Color-Emoji" in line for line in embedded), fonts
        assert any("DejaVu-Sans" in line for line in embedded), fonts
        text = _words(path)
        assert self.TITLE in text
        assert f"{decision.reference} · Proposed" in text
        for words in ("Кэш цен.", "Ελληνικό κείμενο.", "库存服务很慢。", "在庫サービス。",
                      "재고 서비스.", "✅"):  # fmt: skip
            assert words in text

    def test_numbers_keep_the_text_font_next_to_emoji(
        self, client, viewer, interaction, owner, tmp_path
    ):
        # The emoji font has digits too (for keycaps); were it chosen for them, the year in
        # "Recorded 22 November 2026" would be set in its glyphs, about an em wide each.
        decision = record_decision(interaction, user=owner, title=self.TITLE)
        client.force_login(viewer)
        path = _pdf(client, decision, tmp_path)
        boxes = _run("pdftotext", "-bbox", "-f", "1", "-l", "1", str(path), "-")
        year = str(decision.created_at.year)
        widths = [
            float(line.split('xMax="')[1].split('"')[0])
            - float(line.split('xMin="')[1].split('"')[0])
            for line in boxes.splitlines()
            if line.strip().endswith(f">{year}</word>")
        ]
        assert widths, boxes
        assert widths[0] < 4 * 0.7 * 9.5  # four digits under 0.7 em each, at 9.5 pt
