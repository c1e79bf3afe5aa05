"""Decision pages: record, read, edit, amend, status, history, log."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advisor.models import Role
from decisions import services
from decisions.models import Decision, Status
from tests.factories import (
    MembershipFactory,
    SystemFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def interaction(team):
    return make_interaction(
        system=SystemFactory(team=team, name="Shop"), answers={"operation": "batch"}
    )


@pytest.fixture
def decision(interaction, owner):
    return record_decision(interaction, user=owner, context="Nightly **repricing**.")


def form_data(decision_or_defaults: dict, **changes) -> dict:
    data = {key: value for key, value in decision_or_defaults.items() if value is not None}
    data.update(changes)
    return data


def _post_data(decision: Decision, **changes) -> dict:
    data = {field: getattr(decision, field) or "" for field in services.EDITABLE_FIELDS}
    data["version"] = decision.version
    data.update(changes)
    return data


class TestRecord:
    def test_the_form_is_prefilled_from_the_advice(self, client, editor, interaction):
        client.force_login(editor)
        response = client.get(reverse("decision_record", args=[interaction.pk]))
        assert response.status_code == 200
        assert "The advisor recommends <strong>Asynchronous messaging" in response.text
        assert 'value="async"  id="id_chosen_option_0" required checked>' in response.text
        assert "Batch (many items in bulk)" in response.text  # a driver

    def test_posting_records_a_proposed_decision(self, client, editor, interaction):
        client.force_login(editor)
        url = reverse("decision_record", args=[interaction.pk])
        response = client.post(url, {"title": "Queue the repricing", "chosen_option": "async",
                                     "deciders": [editor.pk]})  # fmt: skip
        decision = Decision.objects.get()
        assert response.url == reverse("decision_detail", args=[decision.pk])
        assert (decision.number, decision.status, decision.title) == (
            1,
            "proposed",
            "Queue the repricing",
        )
        assert list(decision.deciders.all()) == [editor]

    def test_choosing_against_the_advice_without_a_reason_is_refused(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = client.post(
            reverse("decision_record", args=[interaction.pk]),
            {"title": "Call it directly", "chosen_option": "sync"},
        )
        assert response.status_code == 422
        assert "You chose against the advisor&#x27;s recommendation" in response.text
        assert not Decision.objects.exists()

    def test_a_viewer_gets_403(self, client, viewer, interaction):
        client.force_login(viewer)
        assert client.get(reverse("decision_record", args=[interaction.pk])).status_code == 403

    def test_another_team_gets_404(self, client, outsider, interaction):
        client.force_login(outsider)
        assert client.get(reverse("decision_record", args=[interaction.pk])).status_code == 404

    def test_it_refuses_put_with_405(self, client, editor, interaction):
        client.force_login(editor)
        assert client.put(reverse("decision_record", args=[interaction.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, interaction):
        response = client.get(reverse("decision_record", args=[interaction.pk]))
        assert response.url.startswith("/login/")


class TestDetail:
    def test_it_shows_the_record(self, client, viewer, decision):
        client.force_login(viewer)
        response = client.get(reverse("decision_detail", args=[decision.pk]))
        assert response.status_code == 200
        text = response.text
        assert "ADR-0001" in text and "Proposed" in text
        assert "Nightly <strong>repricing</strong>." in text
        assert "Considered options" in text and '<svg xmlns="http://www.w3.org/2000/svg"' in text
        assert "Mark accepted" not in text  # viewers cannot change it

    def test_choosing_against_the_advice_is_said_plainly(self, client, viewer, interaction, owner):
        decision = record_decision(interaction, user=owner, chosen_option="sync",
                                   justification="Only ten items a night.")  # fmt: skip
        client.force_login(viewer)
        text = client.get(reverse("decision_detail", args=[decision.pk])).text
        assert (
            "The team chose Synchronous request-response where the advisor recommended "
            "Asynchronous messaging (fire-and-forget)." in text
        )
        assert "Only ten items a night." in text

    def test_its_query_count_is_fixed(self, client, editor, decision, django_assert_num_queries):
        client.force_login(editor)
        url = reverse("decision_detail", args=[decision.pk])
        client.get(url)
        with django_assert_num_queries(8):
            client.get(url)

    def test_another_team_gets_404(self, client, outsider, decision):
        client.force_login(outsider)
        assert client.get(reverse("decision_detail", args=[decision.pk])).status_code == 404

    def test_it_refuses_post_with_405(self, client, editor, decision):
        client.force_login(editor)
        assert client.post(reverse("decision_detail", args=[decision.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, decision):
        assert client.get(reverse("decision_detail", args=[decision.pk])).url.startswith("/login/")


class TestEditAmendStatus:
    def test_a_proposed_decision_is_edited_in_place(self, client, editor, decision):
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[decision.pk]), _post_data(decision, title="Better")
        )
        assert response.url == reverse("decision_detail", args=[decision.pk])
        decision.refresh_from_db()
        assert (decision.title, decision.version) == ("Better", 2)

    def test_saving_over_a_newer_version_shows_both_side_by_side(self, client, editor, decision):
        services.decision_update(
            decision=decision, user=decision.created_by,
            data={**_post_data(decision), "title": "Theirs", "decided_on": None},
            deciders=[], base_version=1,
        )  # fmt: skip
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _post_data(decision, title="Mine", version=1),
        )
        assert response.status_code == 409
        assert "was saved by someone else while you were editing" in response.text
        assert 'value="Mine"' in response.text  # my version is kept in the form
        assert "<dd>Theirs</dd>" in response.text  # theirs beside it
        assert 'name="version" value="2"' in response.text  # saving again replaces theirs
        decision.refresh_from_db()
        assert decision.title == "Theirs"

    def test_an_accepted_decision_is_amended_with_a_reason(self, client, editor, decision):
        client.force_login(editor)
        client.post(reverse("decision_status", args=[decision.pk]),
                    {"status": "accepted", "version": 1})  # fmt: skip
        decision.refresh_from_db()
        assert client.get(reverse("decision_edit", args=[decision.pk])).url == reverse(
            "decision_amend", args=[decision.pk]
        )
        missing = client.post(reverse("decision_amend", args=[decision.pk]), _post_data(decision))
        assert missing.status_code == 422
        client.post(
            reverse("decision_amend", args=[decision.pk]),
            _post_data(decision, confirmation="Review in March", reason="Agreed a check"),
        )
        decision.refresh_from_db()
        assert decision.confirmation == "Review in March"
        assert decision.revisions.order_by("version").last().note == "Agreed a check"

    def test_an_impossible_transition_is_explained(self, client, editor, decision):
        client.force_login(editor)
        response = client.post(
            reverse("decision_status", args=[decision.pk]),
            {"status": "deprecated", "version": 1}, follow=True,
        )  # fmt: skip
        assert "ADR-0001 is proposed; it can become accepted, rejected." in response.text
        decision.refresh_from_db()
        assert decision.status == Status.PROPOSED

    def test_viewers_cannot_edit_or_change_status(self, client, viewer, decision):
        client.force_login(viewer)
        assert client.get(reverse("decision_edit", args=[decision.pk])).status_code == 403
        response = client.post(reverse("decision_status", args=[decision.pk]),
                               {"status": "accepted", "version": 1})  # fmt: skip
        assert response.status_code == 403

    def test_another_team_gets_404(self, client, outsider, decision):
        client.force_login(outsider)
        assert client.get(reverse("decision_edit", args=[decision.pk])).status_code == 404
        assert client.get(reverse("decision_amend", args=[decision.pk])).status_code == 404
        response = client.post(reverse("decision_status", args=[decision.pk]),
                               {"status": "accepted", "version": 1})  # fmt: skip
        assert response.status_code == 404

    def test_status_refuses_get_with_405(self, client, editor, decision):
        client.force_login(editor)
        assert client.get(reverse("decision_status", args=[decision.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, decision):
        response = client.post(reverse("decision_status", args=[decision.pk]))
        assert response.url.startswith("/login/")


class TestRevisions:
    def test_the_diff_shows_what_changed_answers_and_scores_included(
        self, client, viewer, decision, owner
    ):
        services.decision_update(
            decision=decision, user=owner,
            data={**_post_data(decision), "title": "Renamed", "decided_on": None,
                  "chosen_option": "sync", "justification": "Tiny batch"},
            deciders=[], base_version=1,
        )  # fmt: skip
        client.force_login(viewer)
        response = client.get(reverse("decision_revisions", args=[decision.pk]))
        text = response.text
        assert response.status_code == 200
        assert "Changes from version 1 to 2" in text
        assert '<span class="removed">How Reserve stock caller calls' in text
        assert '<span class="added">Renamed</span>' in text
        assert "Chosen option" in text

    def test_an_unknown_revision_is_a_404(self, client, viewer, decision):
        client.force_login(viewer)
        url = reverse("decision_revisions", args=[decision.pk])
        assert client.get(url, {"from": "7"}).status_code == 404

    def test_another_team_gets_404(self, client, outsider, decision):
        client.force_login(outsider)
        assert client.get(reverse("decision_revisions", args=[decision.pk])).status_code == 404


class TestLog:
    def test_filters_search_and_sorting(self, client, viewer, team, owner):
        system = SystemFactory(team=team, name="Payments")
        batch = record_decision(make_interaction(system=system, name="Reprice",
                                                 answers={"operation": "batch"}),
                                user=owner, context="Caching the prices overnight")  # fmt: skip
        query = record_decision(make_interaction(system=system, name="Lookup",
                                                 answers={"operation": "query"}),
                                user=owner, context="Balance lookups")  # fmt: skip
        services.decision_change_status(decision=query, user=owner, status="accepted",
                                        base_version=1)  # fmt: skip
        client.force_login(viewer)
        url = reverse("decision_log", args=[team.slug])

        def refs(**params):
            page = client.get(url, params).context["page"]
            return [d.reference for d in page]

        assert refs() == [query.reference, batch.reference]
        assert refs(sort="oldest") == [batch.reference, query.reference]
        assert refs(status="accepted") == [query.reference]
        assert refs(pattern="async") == [batch.reference]
        assert refs(system="Payments", decider=owner.pk) == [query.reference, batch.reference]
        assert refs(q="prices") == [batch.reference]
        assert refs(q="balance lookups") == [query.reference]
        assert refs(status="bogus", sort="bogus", since="not-a-date") == [
            query.reference, batch.reference
        ]  # fmt: skip

    def test_its_query_count_does_not_grow_with_the_log(
        self, client, viewer, team, owner, django_assert_num_queries
    ):
        system = SystemFactory(team=team)
        record_decision(make_interaction(system=system, name="First"), user=owner)
        client.force_login(viewer)
        url = reverse("decision_log", args=[team.slug])
        client.get(url)
        with django_assert_num_queries(9) as baseline:  # the pattern mix comes from the cache
            client.get(url)
        expected = len(baseline.captured_queries)  # read now: the next request resets the log
        for index in range(5):
            record_decision(make_interaction(system=system, name=f"More {index}"), user=owner)
        client.get(url)  # the first visit after a change recounts the mix
        with django_assert_num_queries(expected):
            client.get(url)

    def test_the_pattern_mix_follows_status_changes(self, client, viewer, team, owner):
        system = SystemFactory(team=team, name="Billing")
        decision = record_decision(
            make_interaction(system=system, answers={"operation": "batch"}), user=owner
        )
        client.force_login(viewer)
        url = reverse("decision_log", args=[team.slug])
        assert client.get(url).context["mix"][0]["system"] == "Billing"
        services.decision_change_status(decision=decision, user=owner, status="rejected",
                                        base_version=1)  # fmt: skip
        assert client.get(url).context["mix"] == []

    def test_another_team_gets_404(self, client, outsider, team):
        client.force_login(outsider)
        assert client.get(reverse("decision_log", args=[team.slug])).status_code == 404

    def test_it_refuses_post_with_405(self, client, viewer, team):
        client.force_login(viewer)
        assert client.post(reverse("decision_log", args=[team.slug])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        assert client.get(reverse("decision_log", args=[team.slug])).url.startswith("/login/")


def test_an_editor_of_the_team_is_offered_as_decision_maker(client, team, interaction):
    member = MembershipFactory(team=team, role=Role.VIEWER, user__username="zoe").user
    client.force_login(MembershipFactory(team=team, role=Role.EDITOR).user)
    response = client.get(reverse("decision_record", args=[interaction.pk]))
    assert f'value="{member.pk}"' in response.text
