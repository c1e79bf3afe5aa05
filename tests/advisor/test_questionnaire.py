"""The questionnaire page, live re-scoring, draft saving and conflicting saves."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from advisor.frameworks import new_team_framework
from advisor.models import Assessment
from advisor.questionnaire import base_token
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


def started_from(interaction, revision: int = 0, answers=None) -> str:
    """The base a page loaded at `revision` with `answers` posts back."""
    return base_token(interaction.pk, revision, answers or {}, new_team_framework())


def score(client, interaction, data, *, base=None, **headers):
    """Post answers from a page loaded now, or from the one `base` names."""
    if base is None:
        saved = draft(interaction)
        base = started_from(interaction, saved.revision, saved.answers)
    payload = {**data, "base": base}
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
        assert "2 of 20 questions answered" in text

    def test_a_viewer_sees_the_answers_read_only(self, client, viewer, interaction):
        client.force_login(viewer)
        text = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert '<fieldset disabled class="questionnaire">' in text
        assert "hx-post" not in text.split('id="questionnaire"')[1].split(">")[0]

    def test_its_query_count_is_fixed(self, client, editor, interaction, django_assert_num_queries):
        client.force_login(editor)
        url = reverse("interaction_detail", args=[interaction.pk])
        client.get(url)
        # session, user, interaction, draft, decisions, nav; the map: services, interactions,
        # decisions
        with django_assert_num_queries(9):
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
        assert '<input type="hidden" name="base" id="id_base" value="' in text
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
                   "backlog_messages": "500000", "processing_rate_per_s": "10",
                   "dominant_constraint": "unsure", "caller_needs_result": "no",
                   "user_waiting": "no", "duration": "longer"}  # fmt: skip
        text = score(client, interaction, answers, **HTMX).text
        assert "Asynchronous messaging (fire-and-forget)" in text
        assert 'data-code="queue_no_dlq"' in text and ">High<" in text
        assert "✗ Missing" in text  # a practice the team said it does not run
        assert "○ To do" in text  # backpressure at the edge: no capability asks about it
        assert "The backlog drains in about 13.9 hours." in text
        assert "The backlog takes hours to clear" in text  # its warning, with the same figure
        assert "takes about 13.9 hours to clear" in text
        assert "What would change it" in text and "would win" in text
        assert "14 unanswered questions" in text

    def test_below_the_answers_advice_needs_the_scoreboard_recommends_nothing(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        text = score(client, interaction, {"operation": "batch"}, **HTMX).text
        assert "No recommendation yet" in text
        assert "Which constraint dominates this interaction?" in text  # what is still needed
        assert "they are not advice yet" in text
        assert "What would change it" not in text and "(recommended)" not in text

    def test_without_javascript_the_score_button_saves_and_shows_the_scoreboard(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = score(client, interaction, RESERVE, follow=True)
        assert response.redirect_chain[-1][0] == (
            reverse("interaction_detail", args=[interaction.pk]) + "#scoreboard"
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
        assert "1 of 20 questions answered" in response.text
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

    @pytest.mark.parametrize("base", ["", "²", "9" * 5000, "-1", "abc"])
    def test_a_missing_or_altered_base_is_a_400_not_a_crash(self, client, editor, interaction,
                                                            base):  # fmt: skip
        client.force_login(editor)
        response = client.post(
            reverse("interaction_detail", args=[interaction.pk]),
            {"base": base, "chain_depth": "9" * 5000},
        )
        assert response.status_code == 400
        assert draft(interaction).revision == 0

    def test_the_base_of_another_interaction_is_refused(self, client, editor, team, interaction):
        other = make_interaction(system=interaction.system, name="Other")
        client.force_login(editor)
        response = score(client, interaction, RESERVE, base=started_from(other), **HTMX)
        assert response.status_code == 400
        assert draft(interaction).revision == 0

    def test_a_huge_or_odd_number_is_a_field_error(self, client, editor, interaction):
        client.force_login(editor)
        response = score(
            client, interaction, {"chain_depth": "9" * 5000, "per_hop_p50_ms": "nan"}, **HTMX
        )
        assert response.status_code == 422
        assert "Expected a whole number." in response.text
        assert "Expected a number." in response.text

    def test_an_expired_session_sends_htmx_to_the_login_page(self, client, interaction):
        response = score(client, interaction, RESERVE, **HTMX)
        assert response.status_code == 200
        assert response["HX-Redirect"].startswith(reverse("login"))

    def test_the_htmx_re_score_costs_three_queries(
        self, client, editor, interaction, django_assert_num_queries
    ):
        client.force_login(editor)
        base = started_from(interaction)
        with django_assert_num_queries(3):
            score(client, interaction, RESERVE, base=base, **HTMX)

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

    def test_anonymous_users_are_sent_to_log_in(self, client, interaction):
        response = client.post(reverse("interaction_detail", args=[interaction.pk]), RESERVE)
        assert response.url.startswith("/login/")

    def test_the_phone_summary_follows_every_re_score(self, client, editor, interaction):
        client.force_login(editor)
        page = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert 'id="live-summary"' in page and "No recommendation yet" in page
        text = score(client, interaction, RESERVE, **HTMX).text
        summary = text.split('id="live-summary"')[1].split("</div>")[0]
        assert 'hx-swap-oob="true"' in summary
        assert "<strong>Synchronous request-response</strong>" in summary
        assert 'href="#scoreboard"' in summary and "Not saved" not in summary


def token_values(text: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" (?:id="id_{name}" )?value="([^"]+)"', text)


class TestConcurrentAnswers:
    """Two tabs (or teammates) answering the same questionnaire from the same revision."""

    @pytest.fixture
    def elsewhere(self, client, owner, editor, interaction):
        """Another tab, loaded at revision 0, saved "eventual" and a chain of 4; then this
        tab (the editor's, also loaded at revision 0) carries on."""
        client.force_login(owner)
        score(client, interaction, {"consistency": "eventual", "chain_depth": "4"}, **HTMX)
        client.force_login(editor)
        return started_from(interaction)

    def test_changes_to_different_questions_are_merged_and_shown(
        self, client, interaction, elsewhere
    ):
        response = score(client, interaction, {"operation": "command"}, base=elsewhere, **HTMX)
        assert response.status_code == 200
        assert draft(interaction).answers == {
            "consistency": "eventual", "chain_depth": 4, "operation": "command"
        }  # fmt: skip
        text = response.text
        assert "together with answers saved elsewhere: 2 questions" in text
        # The other tab's answers replace what this tab still showed.
        assert '<fieldset class="question mb-3" id="question-consistency"' in text
        assert 'value="eventual" id="id_consistency_2" checked>' in text
        assert 'id="question-chain_depth" hx-swap-oob="true"' in text
        assert 'id="question-operation"' not in text  # this tab's own answer is left alone
        assert token_values(text, "base") != [elsewhere]

    def test_the_same_question_changed_differently_is_shown_beside_it_and_not_saved(
        self, client, interaction, elsewhere
    ):
        response = score(
            client, interaction, {"consistency": "immediate", "chain_depth": "4"},
            base=elsewhere, **HTMX,
        )  # fmt: skip
        assert response.status_code == 409
        text = response.text
        box = text.split('<div id="errors-consistency"')[1].split('<div id="errors-')[0]
        assert 'role="alert"' in box and "Not saved: olive changed this too." in box
        assert "<dt>Theirs</dt><dd>Eventual</dd><dt>Yours</dt><dd>Immediate</dd>" in box
        assert "Keep mine" in box and "Take theirs" in box
        assert text.count('class="conflict ') == 1  # the chain agrees: only what differs
        assert "Your answers are NOT saved." in text.split("</section>")[0]
        assert "Conflict: not saved" in text
        assert draft(interaction).answers == {"consistency": "eventual", "chain_depth": 4}

    def test_keep_mine_saves_this_tabs_answer_and_keeps_the_others(
        self, client, interaction, elsewhere
    ):
        mine = {"consistency": "immediate", "operation": "query"}
        conflict = score(client, interaction, mine, base=elsewhere, **HTMX)
        keep_mine = token_values(conflict.text, "resolve")[0]
        response = score(client, interaction, {**mine, "resolve": keep_mine},
                         base=token_values(conflict.text, "base")[0], **HTMX)  # fmt: skip
        assert response.status_code == 200
        assert draft(interaction).answers == {
            "consistency": "immediate", "chain_depth": 4, "operation": "query"
        }  # fmt: skip
        assert 'class="conflict ' not in response.text

    def test_take_theirs_keeps_their_answer_and_shows_it(self, client, interaction, elsewhere):
        mine = {"consistency": "immediate", "operation": "query"}
        conflict = score(client, interaction, mine, base=elsewhere, **HTMX)
        take_theirs = token_values(conflict.text, "resolve")[1]
        response = score(client, interaction, {**mine, "resolve": take_theirs},
                         base=token_values(conflict.text, "base")[0], **HTMX)  # fmt: skip
        assert response.status_code == 200
        assert draft(interaction).answers == {
            "consistency": "eventual", "chain_depth": 4, "operation": "query"
        }  # fmt: skip
        assert 'value="eventual" id="id_consistency_2" checked>' in response.text

    def test_a_choice_made_on_an_answer_changed_again_since_asks_again(
        self, client, owner, editor, interaction, elsewhere
    ):
        conflict = score(client, interaction, {"consistency": "immediate"}, base=elsewhere,
                         **HTMX)  # fmt: skip
        client.force_login(owner)
        score(client, interaction, {"consistency": "read_your_writes", "chain_depth": "4"},
              **HTMX)  # fmt: skip
        client.force_login(editor)
        response = score(
            client, interaction,
            {"consistency": "immediate", "resolve": token_values(conflict.text, "resolve")[0]},
            base=token_values(conflict.text, "base")[0], **HTMX,
        )  # fmt: skip
        assert response.status_code == 409
        assert "<dd>Read-your-writes</dd>" in response.text
        assert draft(interaction).answers["consistency"] == "read_your_writes"

    def test_an_altered_choice_is_ignored(self, client, interaction, elsewhere):
        response = score(
            client, interaction, {"consistency": "immediate", "resolve": "consistency:mine"},
            base=elsewhere, **HTMX,
        )  # fmt: skip
        assert response.status_code == 409
        assert draft(interaction).answers["consistency"] == "eventual"

    def test_without_javascript_a_merge_redirects_to_the_scoreboard(
        self, client, interaction, elsewhere
    ):
        response = score(client, interaction, {"operation": "command"}, base=elsewhere)
        assert response.status_code == 302
        assert response.url.endswith("#scoreboard")
        assert draft(interaction).answers["operation"] == "command"

    def test_without_javascript_a_conflict_shows_the_whole_page_with_the_choice(
        self, client, interaction, elsewhere
    ):
        response = score(client, interaction, {"consistency": "immediate"}, base=elsewhere)
        assert response.status_code == 409
        assert "<html" in response.text
        assert 'value="immediate" id="id_consistency_0" checked>' in response.text
        assert '<button class="btn btn-sm btn-warning" type="submit" name="resolve"' in (
            response.text
        )
        assert draft(interaction).answers["consistency"] == "eventual"


class TestExpiredSession:
    def test_answers_posted_after_the_session_ran_out_come_back_after_logging_in(
        self, client, editor, interaction
    ):
        base = started_from(interaction)
        response = score(client, interaction, {"operation": "command"}, base=base, **HTMX)
        assert response["HX-Redirect"] == (
            reverse("login") + "?next=" + reverse("interaction_detail", args=[interaction.pk])
        )
        client.force_login(editor)
        page = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert 'value="command" id="id_operation_1" checked>' in page
        assert "Not saved yet: you were signed out before these answers were saved." in page
        assert token_values(page, "base") == [base]
        assert draft(interaction).answers == {}
        again = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert "Not saved yet" not in again  # offered once

    def test_a_viewer_gets_the_saved_answers_not_the_posted_ones(self, client, viewer, interaction):
        score(client, interaction, {"operation": "command"}, **HTMX)
        client.force_login(viewer)
        page = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert 'value="command" id="id_operation_1" checked>' not in page
        assert "Not saved yet" not in page
