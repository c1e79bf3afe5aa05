"""The questionnaire page, live re-scoring, draft saving and conflicting saves."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advisor.models import Assessment
from tests.factories import SystemFactory, make_interaction

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}

RESERVE = {  # reserve-last-item, the shared scenario: sync
    "dominant_constraint": "user_latency", "operation": "command", "caller_needs_result": "yes",
    "user_waiting": "yes", "duration": "under_100ms", "chain_depth": "2",
    "consistency": "immediate", "idempotency": "with_keys", "latency_sensitivity": "moderate",
    "receiver_availability": "always", "load": "within_capacity",
    "drop_policy": "caller_retries", "temporal_decoupling": "not_needed", "consumers": "one",
    "broker_experience": "some", "capabilities": ["timeouts_retries", "circuit_breakers"],
}  # fmt: skip


@pytest.fixture
def interaction(team):
    return make_interaction(system=SystemFactory(team=team), name="Reserve stock")


def draft(interaction) -> Assessment:
    return Assessment.objects.get(interaction=interaction)


def score(client, interaction, data, *, revision=None, **headers):
    payload = {**data, "revision": draft(interaction).revision if revision is None else revision}
    return client.post(reverse("interaction_detail", args=[interaction.pk]), payload, **headers)


class TestQuestionnairePage:
    def test_it_shows_every_section_question_and_help(self, client, viewer, interaction):
        client.force_login(viewer)
        response = client.get(reverse("interaction_detail", args=[interaction.pk]))
        assert response.status_code == 200
        text = response.text
        for section in ("Start", "Interaction", "Correctness", "Load", "Team"):
            assert f'<legend class="card-header h5 mb-0 w-100 float-none">{section}' in text
        assert "How fresh must the data be?" in text
        assert "<summary>What this means</summary>" in text
        assert 'name="capabilities" value="outbox"' in text
        assert 'name="per_hop_p99_ms"' in text
        assert "No recommendation yet" in text

    def test_it_restores_the_saved_draft(self, client, editor, team):
        interaction = make_interaction(
            system=SystemFactory(team=team), answers={"consistency": "eventual", "chain_depth": 4}
        )
        client.force_login(editor)
        text = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert 'name="consistency" value="eventual" id="id_consistency_2" checked>' in text
        assert 'name="consistency" value="immediate" id="id_consistency_0">' in text
        assert 'name="chain_depth" id="id_chain_depth" value="4"' in text
        assert "2 of 19 questions answered" in text

    def test_a_viewer_sees_the_answers_read_only(self, client, viewer, interaction):
        client.force_login(viewer)
        text = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert '<fieldset disabled class="questionnaire">' in text
        assert "hx-post" not in text.split('id="questionnaire"')[1].split(">")[0]

    def test_its_query_count_is_fixed(self, client, editor, interaction, django_assert_num_queries):
        client.force_login(editor)
        url = reverse("interaction_detail", args=[interaction.pk])
        client.get(url)
        with django_assert_num_queries(6):  # session, user, interaction, draft, decisions, nav
            client.get(url)

    def test_another_team_gets_404(self, client, outsider, interaction):
        client.force_login(outsider)
        assert client.get(reverse("interaction_detail", args=[interaction.pk])).status_code == 404

    def test_it_refuses_put_with_405(self, client, editor, interaction):
        client.force_login(editor)
        assert client.put(reverse("interaction_detail", args=[interaction.pk])).status_code == 405

    def test_it_is_never_cached_so_back_shows_the_current_draft(self, client, editor, interaction):
        client.force_login(editor)
        response = client.get(reverse("interaction_detail", args=[interaction.pk]))
        assert "no-store" in response["Cache-Control"]

    def test_anonymous_users_are_sent_to_log_in(self, client, interaction):
        response = client.get(reverse("interaction_detail", args=[interaction.pk]))
        assert response.url.startswith("/login/")


class TestLiveScoring:
    def test_htmx_gets_the_scoreboard_partial_and_the_draft_is_saved(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = score(client, interaction, RESERVE, **HTMX)
        assert response.status_code == 200
        text = response.text
        assert text.lstrip().startswith('<section id="scoreboard"')
        assert "<html" not in text
        assert 'data-pattern="sync"' in text
        assert "Synchronous request-response" in text
        assert (
            '<input type="hidden" name="revision" id="id_revision" value="1" hx-swap-oob="true">'
            in text
        )
        assert "Draft saved at" in text
        saved = draft(interaction)
        assert saved.revision == 1 and saved.updated_by == editor
        assert saved.answers["consistency"] == "immediate" and saved.answers["chain_depth"] == 2
        assert saved.result["recommendation"] == "sync"

    def test_the_scoreboard_explains_warnings_practices_and_sensitivity(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        answers = {"operation": "batch", "chain_depth": "5", "per_hop_p50_ms": "100",
                   "backlog_messages": "500000", "processing_rate_per_s": "10"}  # fmt: skip
        text = score(client, interaction, answers, **HTMX).text
        assert "Asynchronous messaging (fire-and-forget)" in text
        assert 'data-code="queue_no_dlq"' in text and ">High<" in text
        assert "✗ Missing" in text
        assert "The backlog drains in about 50,000 s (13.9 hours)." in text
        assert "What would change it" in text and "would win" in text
        assert "17 unanswered questions" in text

    def test_without_javascript_the_score_button_saves_and_shows_the_whole_page(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = score(client, interaction, RESERVE, follow=True)
        assert response.redirect_chain[-1][0] == reverse(
            "interaction_detail", args=[interaction.pk]
        )
        assert "<html" in response.text and "Answers saved and scored." in response.text
        assert 'data-pattern="sync"' in response.text
        assert draft(interaction).revision == 1

    def test_none_of_these_yet_answers_the_practices_question_with_nothing(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = score(client, interaction, {"capabilities": ["none-yet"]}, **HTMX)
        assert draft(interaction).answers == {"capabilities": []}
        assert "1 of 19 questions answered" in response.text
        page = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert 'value="none-yet" id="id_capabilities_none" checked>' in page

    def test_opening_an_interaction_makes_its_team_the_current_one(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        client.get(reverse("interaction_detail", args=[interaction.pk]))
        assert client.session["current_team_id"] == interaction.system.team_id

    def test_taking_an_answer_back_unanswers_it(self, client, editor, interaction):
        client.force_login(editor)
        score(client, interaction, {"consistency": "immediate"}, **HTMX)
        score(client, interaction, {"consistency": ""}, **HTMX)
        assert "consistency" not in draft(interaction).answers

    def test_an_invalid_number_is_shown_next_to_its_field_and_nothing_is_saved(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = score(client, interaction, {"operation": "batch", "chain_depth": "0"}, **HTMX)
        assert response.status_code == 422
        assert (
            '<div id="errors-chain_depth" class="field-errors" hx-swap-oob="true"' in response.text
        )
        assert "Expected a number from 1 to 50." in response.text
        assert "Not saved" in response.text
        assert 'data-pattern="async"' in response.text  # still scored on the valid answers
        assert draft(interaction).revision == 0

    def test_a_second_tab_with_an_older_revision_gets_a_conflict_not_an_overwrite(
        self, client, editor, owner, interaction
    ):
        client.force_login(owner)
        score(client, interaction, {"consistency": "eventual"}, revision=0, **HTMX)
        client.force_login(editor)
        response = score(client, interaction, {"consistency": "immediate"}, revision=0, **HTMX)
        assert response.status_code == 409
        assert "This questionnaire was saved elsewhere" in response.text
        assert "olive" in response.text
        assert (
            "<td>How fresh must the data be?</td><td>Eventual</td><td>Immediate</td>"
            in response.text
        )
        assert draft(interaction).answers == {"consistency": "eventual"}

    def test_keeping_mine_after_a_conflict_overwrites_the_revision_shown(
        self, client, editor, owner, interaction
    ):
        client.force_login(owner)
        score(client, interaction, {"consistency": "eventual"}, revision=0, **HTMX)
        client.force_login(editor)
        conflict = score(client, interaction, {"consistency": "immediate"}, revision=0, **HTMX)
        assert 'name="overwrite_revision" value="1"' in conflict.text
        response = score(
            client, interaction, {"consistency": "immediate", "overwrite_revision": "1"},
            revision=0, **HTMX,
        )  # fmt: skip
        assert response.status_code == 200
        saved = draft(interaction)
        assert saved.answers == {"consistency": "immediate"} and saved.revision == 2
        assert 'id="id_revision" value="2"' in response.text

    def test_a_save_after_the_conflict_was_shown_is_not_overwritten_either(
        self, client, editor, owner, interaction
    ):
        client.force_login(owner)
        score(client, interaction, {"consistency": "eventual"}, revision=0, **HTMX)
        score(client, interaction, {"consistency": "read_your_writes"}, revision=1, **HTMX)
        client.force_login(editor)
        response = score(
            client, interaction, {"consistency": "immediate", "overwrite_revision": "1"},
            revision=0, **HTMX,
        )  # fmt: skip
        assert response.status_code == 409
        assert draft(interaction).answers == {"consistency": "read_your_writes"}

    @pytest.mark.parametrize("revision", ["²", "9" * 5000, "-1", "abc"])
    def test_a_malformed_revision_is_a_400_not_a_crash(self, client, editor, interaction, revision):
        client.force_login(editor)
        response = client.post(
            reverse("interaction_detail", args=[interaction.pk]),
            {"revision": revision, "chain_depth": "9" * 5000},
        )
        assert response.status_code == 400

    def test_a_huge_or_odd_number_is_a_field_error(self, client, editor, interaction):
        client.force_login(editor)
        response = score(
            client, interaction, {"chain_depth": "9" * 5000, "per_hop_p50_ms": "nan"}, **HTMX
        )
        assert response.status_code == 422
        assert "Expected a whole number." in response.text
        assert "Expected a number." in response.text

    def test_an_unknown_framework_in_the_form_is_a_400(self, client, editor, interaction):
        client.force_login(editor)
        response = score(client, interaction, {"framework": "nope"}, **HTMX)
        assert response.status_code == 400

    def test_an_expired_session_sends_htmx_to_the_login_page(self, client, interaction):
        response = score(client, interaction, RESERVE, **HTMX)
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(reverse("login"))

    def test_the_htmx_re_score_costs_three_queries(
        self, client, editor, interaction, django_assert_num_queries
    ):
        client.force_login(editor)
        with django_assert_num_queries(3):
            score(client, interaction, RESERVE, revision=0, **HTMX)

    def test_a_viewer_cannot_save(self, client, viewer, interaction):
        client.force_login(viewer)
        assert score(client, interaction, RESERVE, **HTMX).status_code == 403
        assert draft(interaction).revision == 0

    def test_another_team_gets_404_and_nothing_changes(self, client, outsider, interaction):
        client.force_login(outsider)
        assert score(client, interaction, RESERVE, **HTMX).status_code == 404
        assert draft(interaction).answers == {}

    def test_an_unknown_choice_is_refused(self, client, editor, interaction):
        client.force_login(editor)
        response = score(client, interaction, {"consistency": "sometimes"}, **HTMX)
        assert response.status_code == 422
        assert (
            "Unknown choice &#x27;sometimes&#x27; (expected one of immediate, read_your_writes, "
            "eventual)." in response.text
        )
        assert draft(interaction).revision == 0

    def test_every_problem_is_reported_at_once_and_typed_text_is_kept(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = score(client, interaction, {"chain_depth": "2.5", "per_hop_p50_ms": "fast"})
        assert response.status_code == 422
        assert "Expected a whole number." in response.text
        assert "Expected a number." in response.text
        assert 'name="per_hop_p50_ms" id="id_per_hop_p50_ms" value="fast"' in response.text

    def test_a_form_without_its_revision_is_refused(self, client, editor, interaction):
        client.force_login(editor)
        response = client.post(
            reverse("interaction_detail", args=[interaction.pk]), {"operation": "query"}
        )
        assert response.status_code == 400
        assert draft(interaction).revision == 0

    def test_anonymous_users_are_sent_to_log_in(self, client, interaction):
        response = client.post(reverse("interaction_detail", args=[interaction.pk]), RESERVE)
        assert response.url.startswith("/login/")
