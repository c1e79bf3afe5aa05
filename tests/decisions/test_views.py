"""Decision pages: record, read, edit, amend, status, history, log."""

from __future__ import annotations

import re
import uuid

import pytest
from django.urls import reverse

from advisor.models import Role
from decisions import services
from decisions.models import Decision, Status
from tests.factories import (
    NOBODY_WAITS,
    SOMEONE_WAITS,
    MembershipFactory,
    SystemFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def interaction(team):
    return make_interaction(
        system=SystemFactory(team=team, name="Shop"), answers={**NOBODY_WAITS, "operation": "batch"}
    )


@pytest.fixture
def decision(interaction, owner):
    return record_decision(interaction, user=owner, context="Nightly **repricing**.")


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
        checked = re.search(
            r'<input[^>]*name="chosen_option" value="(\w+)"[^>]*checked', response.text
        )
        assert checked and checked.group(1) == "async"
        assert "Batch (many items in bulk)" in response.text  # a driver

    def test_posting_records_a_proposed_decision(self, client, editor, interaction):
        client.force_login(editor)
        url = reverse("decision_record", args=[interaction.pk])
        response = client.post(
            url, {"title": "Queue the repricing", "chosen_option": "async",
                  "deciders": [editor.pk], "assessment_revision": 1, "record_token": uuid.uuid4()},
        )  # fmt: skip
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
            {
                "title": "Call it directly",
                "chosen_option": "sync",
                "assessment_revision": 1,
                "record_token": uuid.uuid4(),
            },
        )
        assert response.status_code == 422
        assert "You chose against the advisor&#x27;s recommendation" in response.text
        assert not Decision.objects.exists()

    def test_answers_changed_since_the_form_opened_are_not_recorded(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = client.post(
            reverse("decision_record", args=[interaction.pk]),
            {
                "title": "Stale",
                "chosen_option": "async",
                "assessment_revision": 0,
                "record_token": uuid.uuid4(),
            },
        )
        assert response.status_code == 409
        assert "The answers changed since this form was opened" in response.text
        assert 'name="assessment_revision" value="1"' in response.text
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
            "Chosen against the advice: the team chose Synchronous request-response where the "
            "advisor recommended Asynchronous messaging (fire-and-forget)." in text
        )
        assert "Only ten items a night." in text

    def test_its_query_count_is_fixed(self, client, editor, decision, django_assert_num_queries):
        client.force_login(editor)
        url = reverse("decision_detail", args=[decision.pk])
        client.get(url)
        # Session, user, membership, the decision, deciders, supersedes, superseded by,
        # named links both ways and the team's switcher.
        with django_assert_num_queries(10):
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
        again = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _post_data(decision, title="Mine", version=2),
        )
        assert again.status_code == 302
        decision.refresh_from_db()
        assert decision.title == "Mine"
        assert [r.data["title"] for r in decision.revisions.order_by("version")][1:] == [
            "Theirs", "Mine"
        ]  # fmt: skip

    def test_an_edit_without_its_version_is_refused_not_applied(self, client, editor, decision):
        client.force_login(editor)
        data = _post_data(decision, title="Blind overwrite")
        del data["version"]
        response = client.post(reverse("decision_edit", args=[decision.pk]), data)
        assert response.status_code == 422
        decision.refresh_from_db()
        assert decision.title != "Blind overwrite"

    def test_an_edit_posted_after_acceptance_keeps_the_text_in_the_amend_form(
        self, client, editor, decision
    ):
        services.decision_change_status(decision=decision, user=decision.created_by,
                                        status="accepted", base_version=1)  # fmt: skip
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _post_data(decision, title="Edited while it was accepted", version=1),
        )
        assert response.status_code == 409
        assert "became accepted while you were editing: nothing was saved" in response.text
        assert 'value="Edited while it was accepted"' in response.text
        assert 'name="reason"' in response.text
        decision.refresh_from_db()
        assert decision.title != "Edited while it was accepted"

    def test_another_teams_decision_cannot_be_superseded_through_the_form(
        self, client, editor, interaction
    ):
        foreign = record_decision()
        services.decision_change_status(decision=foreign, user=foreign.created_by,
                                        status="accepted", base_version=1)  # fmt: skip
        client.force_login(editor)
        response = client.post(
            reverse("decision_record", args=[interaction.pk]),
            {"title": "Mine", "chosen_option": "async", "assessment_revision": 1,
             "record_token": uuid.uuid4(), "supersedes": [foreign.pk]},
        )  # fmt: skip
        assert response.status_code == 422
        assert Decision.objects.filter(team=interaction.system.team).count() == 0

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
        assert "ADR-0001 is proposed; it can become accepted or rejected." in response.text
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
    def test_refreezing_a_proposal_shows_answers_and_scores_in_the_diff(
        self, client, editor, decision, interaction
    ):
        interaction.assessment.answers = {**SOMEONE_WAITS, "operation": "query"}
        interaction.assessment.save()
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _post_data(decision, refreeze="on", chosen_option="sync"),
        )
        assert response.status_code == 302
        decision.refresh_from_db()
        assert decision.answers == {**SOMEONE_WAITS, "operation": "query"}
        assert decision.recommended_option == "sync" and not decision.against_advice
        text = client.get(reverse("decision_revisions", args=[decision.pk])).text
        assert "Answer: What does the interaction do?" in text
        assert '<span class="removed">Batch (many items in bulk)</span>' in text
        assert '<span class="added">Query (read)</span>' in text
        assert "Score: Synchronous request-response" in text

    def test_refreezing_answers_saved_after_the_form_opened_is_refused(
        self, client, editor, decision, interaction
    ):
        client.force_login(editor)
        form = client.get(reverse("decision_edit", args=[decision.pk])).context["form"]
        opened = form["assessment_revision"].value()
        interaction.assessment.answers = {**SOMEONE_WAITS, "operation": "query"}
        interaction.assessment.revision = opened + 1
        interaction.assessment.save()
        response = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _post_data(decision, refreeze="on", assessment_revision=opened),
        )
        assert response.status_code == 422
        assert "The questionnaire changed since this form was opened" in response.text
        decision.refresh_from_db()
        assert decision.answers["operation"] == "batch"

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
                                                 answers={**NOBODY_WAITS, "operation": "batch"}),
                                user=owner, context="Caching the prices overnight")  # fmt: skip
        query = record_decision(make_interaction(system=system, name="Lookup",
                                                 answers={**SOMEONE_WAITS, "operation": "query"}),
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
            make_interaction(system=system, answers={**NOBODY_WAITS, "operation": "batch"}),
            user=owner,
        )
        client.force_login(viewer)
        url = reverse("decision_log", args=[team.slug])
        assert client.get(url).context["mix"] == []  # proposed: not in force yet
        services.decision_change_status(decision=decision, user=owner, status="accepted",
                                        base_version=1)  # fmt: skip
        assert client.get(url).context["mix"][0]["system"] == "Billing"
        services.decision_change_status(decision=decision, user=owner, status="deprecated",
                                        base_version=2)  # fmt: skip
        assert client.get(url).context["mix"] == []

    def test_the_whole_log_is_counted_without_counting_it(self, client, viewer, team, owner):
        system = SystemFactory(team=team)
        for index in range(3):
            record_decision(make_interaction(system=system, name=f"D{index}"), user=owner)
        client.force_login(viewer)
        response = client.get(reverse("decision_log", args=[team.slug]))
        assert response.context["page"].paginator.count == 3
        assert "3 decisions." in response.text
        filtered = client.get(reverse("decision_log", args=[team.slug]), {"status": "accepted"})
        assert filtered.context["page"].paginator.count == 0

    def test_another_team_gets_404(self, client, outsider, team):
        client.force_login(outsider)
        assert client.get(reverse("decision_log", args=[team.slug])).status_code == 404

    def test_it_refuses_post_with_405(self, client, viewer, team):
        client.force_login(viewer)
        assert client.post(reverse("decision_log", args=[team.slug])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        assert client.get(reverse("decision_log", args=[team.slug])).url.startswith("/login/")


def test_every_member_of_the_team_is_offered_as_decision_maker(client, team, interaction):
    member = MembershipFactory(team=team, role=Role.VIEWER, user__username="zoe").user
    client.force_login(MembershipFactory(team=team, role=Role.EDITOR).user)
    response = client.get(reverse("decision_record", args=[interaction.pk]))
    assert f'value="{member.pk}"' in response.text


@pytest.mark.parametrize(
    "name", ["decision_edit", "decision_amend", "decision_revisions",
             "decision_export_markdown", "decision_export_json", "decision_export_pdf"],
)  # fmt: skip
def test_every_decision_page_sends_anonymous_users_to_log_in(client, decision, name):
    assert client.get(reverse(name, args=[decision.pk])).url.startswith("/login/")


@pytest.mark.parametrize(
    "name",
    ["decision_revisions", "decision_export_markdown", "decision_export_json"],
)
def test_read_only_decision_pages_refuse_post_with_405(client, viewer, decision, name):
    client.force_login(viewer)
    assert client.post(reverse(name, args=[decision.pk])).status_code == 405


@pytest.mark.parametrize("name", ["decision_edit", "decision_amend"])
def test_edit_pages_refuse_put_with_405(client, editor, decision, name):
    client.force_login(editor)
    assert client.put(reverse(name, args=[decision.pk])).status_code == 405


def test_a_viewer_cannot_amend(client, viewer, decision):
    services.decision_change_status(decision=decision, user=decision.created_by,
                                    status="accepted", base_version=1)  # fmt: skip
    client.force_login(viewer)
    assert client.get(reverse("decision_amend", args=[decision.pk])).status_code == 403


@pytest.mark.parametrize(
    ("name", "queries"),
    [("decision_revisions", 6), ("decision_export_markdown", 11), ("decision_export_json", 11)],
)
def test_history_and_exports_cost_a_fixed_number_of_queries(
    client, viewer, decision, owner, name, queries, django_assert_num_queries
):
    for title in ("Second", "Third"):
        services.decision_update(
            decision=decision, user=owner, data={**_post_data(decision), "title": title,
                                                 "decided_on": None},
            deciders=[owner], base_version=decision.version,
        )  # fmt: skip
    client.force_login(viewer)
    url = reverse(name, args=[decision.pk])
    client.get(url)
    with django_assert_num_queries(queries):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    "query",
    ["?from=%C2%B2", "?to=" + "9" * 5000, "?from=-1"],
)
def test_malformed_revision_numbers_are_a_404_not_a_crash(client, viewer, decision, query):
    client.force_login(viewer)
    url = reverse("decision_revisions", args=[decision.pk]) + query
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    ["?decider=%C2%B2", "?page=" + "9" * 5000, "?since=2026-02-31", "?page=-3"],
)
def test_malformed_log_parameters_are_ignored(client, viewer, team, query):
    client.force_login(viewer)
    assert client.get(reverse("decision_log", args=[team.slug]) + query).status_code == 200


def test_a_malformed_supersedes_parameter_is_ignored(client, editor, interaction):
    client.force_login(editor)
    url = reverse("decision_record", args=[interaction.pk]) + "?supersedes=%C2%B2"
    assert client.get(url).status_code == 200
