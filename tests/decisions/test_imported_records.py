"""Imported records: their page, their line in the log, editing, amending and moving them
along their lifecycle without a frozen assessment, and linking them to an interaction."""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advisor import services as advisor_services
from decisions import services
from decisions.archive import read_files
from decisions.models import Decision, DecisionLink, Revision
from decisions.services.importing import import_apply
from decisions.services.linking import decision_link_interaction
from tests.factories import (
    NOBODY_WAITS,
    SystemFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db


def _adr_tools(number: int, title: str, status: str, link: str, **sections: str) -> bytes:
    """A record as adr-tools writes it: title, date, status with its links, sections."""
    body = "".join(f"## {name}\n\n{text}\n\n" for name, text in sections.items())
    return (
        f"# {number}. {title}\n\nDate: 2024-{number + 2:02d}-01\n\n## Status\n\n{status}\n\n"
        f"{link}\n\n{body}"
    ).encode()


ADR_TOOLS_FIRST = _adr_tools(
    1, "Record architecture decisions", "Accepted",
    "Amended by [2. Queue stock reservations](0002-queue-stock-reservations.md)",
    Context="We need to record the architectural decisions made on this project.",
    Decision="We will use Architecture Decision Records, as described by Michael Nygard.",
    Consequences="See Michael Nygard's article, linked above.",
)  # fmt: skip
ADR_TOOLS_SECOND = _adr_tools(
    2, "Queue stock reservations", "Proposed",
    "Amends [1. Record architecture decisions](0001-record-architecture-decisions.md)",
    Context="Checkout waits on **Inventory** at peak.",
    Decision='Chosen option: "Queue the reservations", because checkout must not wait.',
    Consequences="Inventory falls behind at peak; we watch the backlog.",
)  # fmt: skip
MADR_THIRD = b"""---
status: accepted
date: 2024-05-06
decision-makers: olive, Jane Doe
consulted: Platform guild
informed: Support
---

# Use PostgreSQL for orders

## Context and Problem Statement

Orders need transactions.

## Considered Options

* PostgreSQL
* MongoDB

## Decision Outcome

Chosen option: "PostgreSQL", because it has transactions.

### Consequences

* Good, because orders stay consistent.
* Bad, because we run another database.

### Confirmation

A review in three months.
"""
FILES = {
    "doc/adr/0001-record-architecture-decisions.md": ADR_TOOLS_FIRST,
    "doc/adr/0002-queue-stock-reservations.md": ADR_TOOLS_SECOND,
    "docs/decisions/0003-use-postgresql-for-orders.md": MADR_THIRD,
}


def _import_more(team, owner, status: str, link: str = "") -> list[Decision]:
    """ADR-0004 to ADR-0006, adr-tools records with `status` and, when given, `link`."""
    files = {
        f"doc/adr/{n:04d}-more-{n}.md": _adr_tools(n, f"More {n}", status, link) for n in (4, 5, 6)
    }
    return import_apply(team=team, user=owner, upload=read_files(files))


@pytest.fixture
def imported(team, owner) -> dict[int, Decision]:
    """ADR-0001 (adr-tools, accepted, amended by ADR-0002), ADR-0002 (adr-tools, proposed)
    and ADR-0003 (MADR, accepted, decided by olive and Jane Doe, who has no account)."""
    records = import_apply(team=team, user=owner, upload=read_files(FILES))
    return {decision.number: decision for decision in records}


@pytest.fixture
def interaction(team):
    return make_interaction(system=SystemFactory(team=team, name="Shop"), name="Reserve stock")


def _page(client, decision: Decision) -> str:
    response = client.get(reverse("decision_detail", args=[decision.pk]))
    assert response.status_code == 200
    return response.text


def _form_data(decision: Decision, **changes) -> dict:
    data = {field: getattr(decision, field) or "" for field in services.EDITABLE_FIELDS}
    data.update(version=decision.version, chosen_title=decision.chosen_title)
    data.update(changes)
    return data


class TestPage:
    def test_it_says_where_the_record_came_from_and_that_nothing_was_assessed(
        self, client, viewer, imported
    ):
        client.force_login(viewer)
        text = _page(client, imported[2])
        assert "Imported from an adr-tools file" in text
        assert "doc/adr/0002-queue-stock-reservations.md" in text
        assert (
            "No assessment was frozen with it: any scores, warnings or practices below are "
            "text from the file, not the advisor's." in text
        )
        assert "Imported from a MADR file" in _page(client, imported[3])

    def test_it_shows_the_files_sections_in_order_without_scores_or_answers(
        self, client, viewer, imported
    ):
        client.force_login(viewer)
        text = _page(client, imported[3])
        assert text.index(">Considered Options</h2>") < text.index(">Decision Outcome</h2>")
        assert "<li>MongoDB</li>" in text
        assert "<svg" not in text
        assert "Considered options</h2>" not in text  # the advisor's box of scored patterns
        assert "Answers as recorded" not in text
        assert "framework  v" not in text and "vNone" not in text

    def test_it_shows_people_dates_the_chosen_option_and_consequences(
        self, client, viewer, imported
    ):
        client.force_login(viewer)
        text = _page(client, imported[3])
        assert "Decision-makers: olive; " in text and "Jane Doe" in text
        assert "named in the file, without an account here" in text
        assert "Chosen option: <strong>PostgreSQL</strong>" in text
        assert "decided 6 May 2024" in text
        assert "<li>orders stay consistent.</li>" in text
        assert "A review in three months." in text
        assert "Consulted: Platform guild. Informed: Support." in text

    def test_a_nygard_record_reads_as_its_file(self, client, viewer, imported):
        client.force_login(viewer)
        text = _page(client, imported[1])
        assert ">Decision</h2><p>We will use Architecture Decision Records" in text
        assert ">Consequences</h2><p>See Michael Nygard" in text
        assert "Chosen option: not named in the file" not in text  # its Decision says it

    def test_named_links_read_both_ways(self, client, viewer, imported):
        first, second = imported[1], imported[2]
        client.force_login(viewer)
        assert (
            f'Amends <a href="/decisions/{first.pk}/">ADR-0001 Record architecture decisions</a>'
            in _page(client, second)
        )
        assert (
            f'Amended by <a href="/decisions/{second.pk}/">ADR-0002 Queue stock reservations</a>'
            in _page(client, first)
        )

    def test_a_recorded_decision_shows_its_named_links_too(
        self, client, viewer, owner, imported, interaction
    ):
        recorded = record_decision(interaction, user=owner, title="Reserve stock by lease")
        DecisionLink.objects.create(
            source=recorded, target=imported[3], label="Refines", reverse_label="Refined by"
        )
        client.force_login(viewer)
        assert (
            f'Refines <a href="/decisions/{imported[3].pk}/">ADR-0003 Use PostgreSQL for '
            f"orders</a>" in _page(client, recorded)
        )
        assert "Refined by <a" in _page(client, imported[3])

    def test_its_query_count_is_fixed(
        self, client, editor, owner, team, imported, interaction, django_assert_num_queries
    ):
        client.force_login(editor)
        url = reverse("decision_detail", args=[imported[1].pk])
        client.get(url)
        # Session, user, the decision with the member's role, deciders, supersedes,
        # superseded by, named links both ways, the revision count, the import revision,
        # the team's interactions for the link form and the team switcher.
        with django_assert_num_queries(12):
            client.get(url)
        amends = "Amends [1. Record architecture decisions](0001-record-architecture-decisions.md)"
        more = _import_more(team, owner, "Accepted", amends)
        for decision in more:
            DecisionLink.objects.filter(source=decision).update(reverse_label="Amended by")
        assert len(_page(client, imported[1]).split("Amended by <a")) == 5
        with django_assert_num_queries(12):
            client.get(url)

    def test_viewers_are_not_offered_changes(self, client, viewer, imported, interaction):
        client.force_login(viewer)
        text = _page(client, imported[2])
        assert "Mark accepted" not in text and "Link to an interaction" not in text

    def test_another_team_gets_404(self, client, outsider, imported):
        client.force_login(outsider)
        response = client.get(reverse("decision_detail", args=[imported[1].pk]))
        assert response.status_code == 404

    def test_the_history_page_reads_without_a_framework(self, client, editor, owner, imported):
        decision = imported[2]
        services.decision_update(
            decision=decision, user=owner, data=_form_data(decision, title="Queue reservations"),
            deciders=[], base_version=decision.version,
        )  # fmt: skip
        client.force_login(editor)
        response = client.get(reverse("decision_revisions", args=[decision.pk]))
        assert response.status_code == 200
        assert "Queue reservations" in response.text


class TestLog:
    def test_an_imported_line_shows_its_chosen_option_and_a_badge(
        self, client, viewer, team, imported
    ):
        client.force_login(viewer)
        response = client.get(reverse("decision_log", args=[team.slug]))
        assert response.status_code == 200
        rows = dict((decision.number, option) for decision, option in response.context["rows"])
        assert rows == {1: "", 2: "Queue the reservations", 3: "PostgreSQL"}
        assert response.text.count(">Imported</span>") == 3

    def test_accepted_imported_records_count_apart_in_the_mix(self, client, viewer, team, imported):
        client.force_login(viewer)
        response = client.get(reverse("decision_log", args=[team.slug]))
        mix = response.context["mix"]
        assert [row["system"] for row in mix] == ["No system named"]
        assert "Imported (no pattern)" in mix[0]["svg"]

    def test_its_query_count_does_not_grow_with_imported_lines(
        self, client, viewer, owner, team, imported, django_assert_num_queries
    ):
        client.force_login(viewer)
        url = reverse("decision_log", args=[team.slug])
        client.get(url)
        with django_assert_num_queries(9) as baseline:
            client.get(url)
        expected = len(baseline.captured_queries)
        _import_more(team, owner, "Proposed")
        client.get(url)  # the first visit after a change recounts the mix
        with django_assert_num_queries(expected):
            client.get(url)


class TestEditAmendStatus:
    def test_the_edit_form_offers_the_chosen_option_as_text(self, client, editor, imported):
        client.force_login(editor)
        response = client.get(reverse("decision_edit", args=[imported[2].pk]))
        assert response.status_code == 200
        assert 'name="chosen_title"' in response.text
        assert 'value="Queue the reservations"' in response.text
        assert 'name="chosen_option"' not in response.text
        assert 'name="refreeze"' not in response.text

    def test_editing_a_proposal_keeps_it_without_an_assessment(self, client, editor, imported):
        decision = imported[2]
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _form_data(decision, chosen_title="Queue  the reservations  by SKU",
                       chosen_option="async", context="Peak is **Black Friday**."),
        )  # fmt: skip
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.chosen_title == "Queue the reservations by SKU"
        assert (decision.chosen_option, decision.framework_name, decision.result) == ("", "", {})
        assert decision.version == 2 and decision.context == "Peak is **Black Friday**."
        assert decision.revisions.get(version=2).kind == Revision.Kind.EDITED
        assert "Chosen option: <strong>Queue the reservations by SKU</strong>" in _page(
            client, decision
        )

    def test_re_filling_the_form_saves_nothing_and_does_not_fail(self, client, editor, imported):
        decision = imported[2]
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _form_data(decision, chosen_title="Something else", refill="1"),
        )
        assert response.status_code == 200
        assert 'value="Something else"' in response.text
        decision.refresh_from_db()
        assert decision.version == 1

    def test_an_edit_posted_after_acceptance_comes_back_in_the_amend_form(
        self, client, editor, owner, imported
    ):
        decision = imported[2]
        data = _form_data(decision, chosen_title="Queue them by SKU")
        services.decision_change_status(
            decision=decision, user=owner, status="accepted", base_version=1
        )
        client.force_login(editor)
        response = client.post(reverse("decision_edit", args=[decision.pk]), data)
        assert response.status_code == 409
        assert 'value="Queue them by SKU"' in response.text and 'name="reason"' in response.text
        decision.refresh_from_db()
        assert decision.chosen_title == "Queue the reservations"

    def test_a_re_freeze_is_refused(self, owner, imported):
        decision = imported[2]
        with pytest.raises(ValidationError, match="nothing to re-freeze"):
            services.decision_update(
                decision=decision, user=owner, data=_form_data(decision), deciders=[],
                base_version=decision.version, refreeze=True,
            )  # fmt: skip

    def test_an_accepted_record_is_amended_with_a_reason(self, client, editor, imported):
        decision = imported[3]
        client.force_login(editor)
        url = reverse("decision_amend", args=[decision.pk])
        form = client.get(url)
        assert form.status_code == 200 and 'name="chosen_title"' in form.text
        response = client.post(url, _form_data(
            decision, chosen_title="PostgreSQL 16", reason="We pinned the version.",
            deciders=[editor.pk],
        ))  # fmt: skip
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.chosen_title == "PostgreSQL 16" and decision.result == {}
        assert list(decision.deciders.all()) == [editor]
        amendment = decision.revisions.get(version=2)
        assert (amendment.kind, amendment.note) == ("amended", "We pinned the version.")

    def test_an_amendment_without_a_reason_is_refused(self, client, editor, imported):
        decision = imported[3]
        client.force_login(editor)
        response = client.post(
            reverse("decision_amend", args=[decision.pk]), _form_data(decision, reason="")
        )
        assert response.status_code == 422
        decision.refresh_from_db()
        assert decision.version == 1

    def test_its_status_changes_as_any_records(self, client, editor, imported):
        decision = imported[2]
        client.force_login(editor)
        response = client.post(
            reverse("decision_status", args=[decision.pk]),
            {"status": "accepted", "version": 1, "note": "Agreed at the review."},
        )
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.status == "accepted" and decision.decided_on is not None
        assert "Mark deprecated" in _page(client, decision)


class TestLinkToInteraction:
    def _link(self, client, decision: Decision, interaction_pk) -> object:
        return client.post(
            reverse("decision_interaction_link", args=[decision.pk]),
            {"interaction": interaction_pk},
        )

    def test_editors_are_offered_the_teams_interactions_by_system(
        self, client, editor, imported, interaction
    ):
        client.force_login(editor)
        text = _page(client, imported[2])
        assert "Link to an interaction" in text
        group = re.search(r'<optgroup label="Shop">(.*?)</optgroup>', text, re.S)
        assert group and f'<option value="{interaction.pk}">Reserve stock</option>' in group[1]

    def test_linking_lists_the_record_on_the_interactions_page(
        self, client, editor, imported, interaction
    ):
        decision = imported[2]
        client.force_login(editor)
        response = self._link(client, decision, interaction.pk)
        assert response.url == reverse("decision_detail", args=[decision.pk])
        decision.refresh_from_db()
        assert decision.interaction == interaction
        assert (decision.system_name, decision.interaction_name) == ("Shop", "Reserve stock")
        assert decision.version == 2
        revision = decision.revisions.get(version=2)
        assert (revision.kind, revision.note) == (
            "edited",
            "Linked to interaction Reserve stock (Shop).",
        )
        page = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert f'<a href="/decisions/{decision.pk}/">ADR-0002</a>' in page
        assert f'<a href="/interactions/{interaction.pk}/">Reserve stock</a>' in _page(
            client, decision
        )

    def test_another_teams_interaction_is_refused(
        self, client, editor, owner, imported, other_team
    ):
        elsewhere = make_interaction(system=SystemFactory(team=other_team), name="Theirs")
        decision = imported[2]
        client.force_login(editor)
        response = self._link(client, decision, elsewhere.pk)
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.interaction is None and decision.version == 1
        with pytest.raises(ValidationError, match="another team"):
            decision_link_interaction(decision=decision, interaction=elsewhere, user=owner)

    def test_a_recorded_decision_whose_interaction_was_deleted_can_be_linked(
        self, client, editor, owner, team, interaction
    ):
        gone = make_interaction(
            system=SystemFactory(team=team, name="Old"), name="Gone",
            answers={**NOBODY_WAITS, "operation": "batch"},
        )  # fmt: skip
        decision = record_decision(gone, user=owner)
        advisor_services.interaction_delete(interaction=gone)
        client.force_login(editor)
        assert "Link to an interaction" in _page(client, decision)
        self._link(client, decision, interaction.pk)
        decision.refresh_from_db()
        assert decision.interaction == interaction and decision.interaction_name == "Reserve stock"
        assert decision.framework_name  # its frozen assessment stays as it was

    def test_a_recorded_decision_keeps_its_own_interaction(self, owner, team, interaction):
        decision = record_decision(
            make_interaction(system=interaction.system, name="Own",
                             answers={**NOBODY_WAITS, "operation": "batch"}),
            user=owner,
        )  # fmt: skip
        with pytest.raises(ValidationError, match="frozen answers belong"):
            decision_link_interaction(decision=decision, interaction=interaction, user=owner)

    def test_a_viewer_gets_403(self, client, viewer, imported, interaction):
        client.force_login(viewer)
        assert self._link(client, imported[2], interaction.pk).status_code == 403
        imported[2].refresh_from_db()
        assert imported[2].interaction is None

    def test_another_team_gets_404(self, client, outsider, imported, interaction):
        client.force_login(outsider)
        assert self._link(client, imported[2], interaction.pk).status_code == 404

    def test_anonymous_users_are_sent_to_log_in(self, client, imported, interaction):
        assert self._link(client, imported[2], interaction.pk).url.startswith("/login/")

    def test_it_refuses_get_with_405(self, client, editor, imported):
        client.force_login(editor)
        url = reverse("decision_interaction_link", args=[imported[2].pk])
        assert client.get(url).status_code == 405
