"""A record stays readable whatever its stored text: pages, the PDF and the history do a
bounded amount of work, even for text far over today's caps (kept from before them).

The work is asserted, never timed: how much text the Markdown renderer is given, and how
many lines the history compares."""

from __future__ import annotations

import pytest
from django.urls import reverse

from decisions import diff, limits, markdown, services
from decisions.document import MARKDOWN_FIELDS
from decisions.history import amendments_for
from decisions.markdown import render_markdown
from decisions.models import Decision, Revision, Status
from tests.factories import NOBODY_WAITS, SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db

# The security probe's value: 2.4 MB that took 33 s to render as a page and 55 s as a PDF.
PROBE = "![" * 1_200_000
EVERY_OTHER_LINE = 20_000


class _CountingParser:
    """The real Markdown parser, noting the length of every text it is given."""

    def __init__(self, parser) -> None:
        self.parser = parser
        self.lengths: list[int] = []

    def render(self, text: str) -> str:
        self.lengths.append(len(text))
        return self.parser.render(text)


@pytest.fixture
def parser(monkeypatch) -> _CountingParser:
    counting = _CountingParser(markdown._parser())
    monkeypatch.setattr(markdown, "_parser", lambda: counting)
    return counting


@pytest.fixture
def compared(monkeypatch) -> list[tuple[int, int]]:
    """The lengths of every pair of sequences the history compares."""
    lengths: list[tuple[int, int]] = []
    real = diff.longest_common

    def counting(a, b, budget):
        lengths.append((len(a), len(b)))
        return real(a, b, budget)

    monkeypatch.setattr(diff, "longest_common", counting)
    return lengths


@pytest.fixture
def interaction(team):
    return make_interaction(
        system=SystemFactory(team=team, name="Shop"), answers={**NOBODY_WAITS, "operation": "batch"}
    )


@pytest.fixture
def decision(interaction, owner):
    return record_decision(interaction, user=owner, context="Nightly repricing.")


def _kept_over_caps(decision: Decision, **texts: str) -> Decision:
    """Text stored before the caps: written past the forms, on a row the checks let be."""
    Decision.objects.filter(pk=decision.pk).update(kept_over_caps=True, **texts)
    decision.refresh_from_db()
    return decision


def _update(decision: Decision, user, **changes) -> Decision:
    data = {field: getattr(decision, field) or "" for field in services.EDITABLE_FIELDS}
    data.update(decided_on=None, **changes)
    return services.decision_update(
        decision=decision, user=user, data=data, deciders=[user], base_version=decision.version
    )


class TestRenderer:
    def test_text_within_the_limit_renders_as_markdown(self, parser):
        html = render_markdown("**bold** " + "x" * (limits.MARKDOWN_LIMIT - 9))
        assert html.startswith("<p><strong>bold</strong>")
        assert parser.lengths == [limits.MARKDOWN_LIMIT]

    def test_longer_text_shows_its_start_as_escaped_plain_text_under_a_note(self, parser):
        start = "Intro with <b>markup</b>\r\n\r\nsecond line\nthird "
        html = render_markdown(start + "y" * 2 * limits.MARKDOWN_LIMIT)
        assert parser.lengths == []
        assert html.startswith(
            "<p><strong>Shown in part, as plain text.</strong> This text has 40,046 "
            "characters: it was saved before a record's texts were limited to 20,000. Its "
            "first 20,000 characters follow, without their formatting; the record's Markdown "
            "and JSON exports hold all of it.</p><p>Intro with &lt;b&gt;markup&lt;/b&gt;</p>"
            "<p>second line<br>third yyy"
        )
        assert html.endswith("y</p><p>…</p>")
        assert html.count("y") == limits.MARKDOWN_LIMIT - len(start)


class TestPages:
    def test_the_probes_record_page_renders_at_most_the_limit_of_each_text(
        self, client, viewer, decision, parser
    ):
        _kept_over_caps(decision, **dict.fromkeys(MARKDOWN_FIELDS, PROBE))
        client.force_login(viewer)
        response = client.get(reverse("decision_detail", args=[decision.pk]))
        assert response.status_code == 200
        assert max(parser.lengths, default=0) <= limits.MARKDOWN_LIMIT
        # Each text the page shows (the justification only beside a choice against advice).
        assert response.text.count("This text has 2,400,000 characters") == 6
        assert len(response.content) < 20 * limits.MARKDOWN_LIMIT * len(MARKDOWN_FIELDS) // 10

    def test_the_probes_pdf_renders_at_most_the_limit(self, client, viewer, decision, parser):
        _kept_over_caps(decision, context=PROBE)
        client.force_login(viewer)
        response = client.get(reverse("decision_export_pdf", args=[decision.pk]))
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert max(parser.lengths, default=0) <= limits.MARKDOWN_LIMIT

    def test_the_markdown_export_holds_all_of_a_longer_text(self, client, viewer, decision):
        _kept_over_caps(decision, context="Start. " + "z" * 30_000 + " End.")
        client.force_login(viewer)
        response = client.get(reverse("decision_export_markdown", args=[decision.pk]))
        assert "Start. " + "z" * 30_000 + " End." in response.content.decode()

    def test_a_history_note_from_before_the_caps_is_cut_to_the_cap(
        self, client, viewer, decision, owner
    ):
        note = "Because " + "n" * 2 * limits.REVISION_NOTE
        Revision.objects.create(
            decision=decision, version=2, kind=Revision.Kind.AMENDED, author=owner,
            note=note, data={**decision.revisions.get().data}, kept_over_caps=True,
        )  # fmt: skip
        (amendment,) = amendments_for(decision)
        assert amendment.reason == note[: limits.REVISION_NOTE] + "…"
        client.force_login(viewer)
        text = client.get(reverse("decision_revisions", args=[decision.pk])).text
        assert note[: limits.REVISION_NOTE - 1] + "…" in text
        assert note[: limits.REVISION_NOTE] not in text


class TestHistory:
    def test_the_probes_revisions_compare_a_bounded_number_of_lines(
        self, client, viewer, decision, owner, compared
    ):
        _kept_over_caps(decision)
        _update(decision, owner, context=PROBE)
        _update(decision, owner, context=PROBE + "\nand one more line")
        client.force_login(viewer)
        for versions in ({"from": 1, "to": 2}, {"from": 2, "to": 3}):
            response = client.get(reverse("decision_revisions", args=[decision.pk]), versions)
            assert response.status_code == 200
        assert all(max(pair) <= diff.MAX_CHANGED_LINES for pair in compared)
        # The probe's one long line is shown as context to the added line, by its start.
        assert PROBE[: diff.SUMMARY_CHARS] + "…" in response.text
        assert PROBE[: diff.SUMMARY_CHARS + 1] not in response.text

    def test_a_huge_text_edited_on_every_other_line_is_summarised(
        self, client, viewer, decision, owner, compared
    ):
        lines = range(EVERY_OTHER_LINE)
        before = "\n".join(f"line {i} of the original context" for i in lines)
        after = "\n".join(
            f"line {i} of the {'edited' if i % 2 else 'original'} context" for i in lines
        )
        _kept_over_caps(decision)
        _update(decision, owner, context=before)
        _update(decision, owner, context=after)
        client.force_login(viewer)
        response = client.get(
            reverse("decision_revisions", args=[decision.pk]), {"from": 2, "to": 3}
        )
        assert response.status_code == 200
        assert "10000 lines added, 10000 removed" in response.text
        assert all(max(pair) <= diff.MAX_CHANGED_LINES for pair in compared)

    def test_a_record_kept_over_the_caps_still_moves_on_and_keeps_its_text(self, decision, owner):
        _kept_over_caps(decision, context=PROBE)
        services.decision_change_status(
            decision=decision, user=owner, status=Status.ACCEPTED, base_version=1
        )
        decision.refresh_from_db()
        assert decision.status == Status.ACCEPTED and decision.context == PROBE
