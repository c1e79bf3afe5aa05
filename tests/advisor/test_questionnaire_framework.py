"""The questionnaire scores with the team's framework: never one a request names."""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlencode

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from advisor.frameworks import framework_get
from advisor.models import Assessment, Team
from advisor.questionnaire import base_token
from tests.factories import SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
ANSWERS = {"operation": "command", "caller_needs_result": "yes", "user_waiting": "yes"}
CALLER_KIND = escape(framework_get("default", 3).questions_by_key["caller_kind"].text)
# What a form field named `framework` has been made to say: paths, folders, other names.
FRAMEWORK_FIELDS = ["../fixtures/frameworks/default.json", "/etc/passwd", "history",
                    "fixtures/frameworks", "default/", "default-2", "nope"]  # fmt: skip
# Input no view reads: refused whole before any view runs (400), or else ignored like any.
UNREADABLE = ["default\x00", "\x00"]


@pytest.fixture
def interaction(team):
    return make_interaction(system=SystemFactory(team=team), name="Reserve stock")


def draft(interaction) -> Assessment:
    return Assessment.objects.get(interaction=interaction)


def page_base(client, interaction) -> str:
    """The base the questionnaire page gives its form now."""
    text = client.get(reverse("interaction_detail", args=[interaction.pk])).text
    return re.search(r'name="base" id="id_base" value="([^"]+)"', text).group(1)


def use_framework(team: Team, version: int) -> None:
    """The team's configuration now names `version` of the default framework."""
    team.framework_version = version
    team.save(update_fields=["framework_version"])


def post_raw(client, interaction, body: bytes, **headers):
    return client.post(
        reverse("interaction_detail", args=[interaction.pk]), body,
        content_type="application/x-www-form-urlencoded", **headers,
    )  # fmt: skip


class TestNoFrameworkFromTheRequest:
    @pytest.mark.parametrize("named", FRAMEWORK_FIELDS)
    @pytest.mark.parametrize("headers", [HTMX, {}], ids=["htmx", "plain"])
    def test_a_member_posting_a_framework_field_saves_with_the_teams(
        self, client, editor, team, interaction, named, headers
    ):
        use_framework(team, 2)  # so that a posted name could only make things worse
        client.force_login(editor)
        data = {**ANSWERS, "framework": named, "base": page_base(client, interaction)}
        response = client.post(reverse("interaction_detail", args=[interaction.pk]), data,
                               **headers)  # fmt: skip
        assert response.status_code == (200 if headers else 302)
        saved = draft(interaction)
        assert saved.revision == 1 and saved.answers["operation"] == "command"
        assert (saved.framework_name, saved.framework_version) == ("default", 2)

    @pytest.mark.parametrize("named", UNREADABLE)
    def test_a_nul_byte_in_the_framework_field_changes_nothing(
        self, client, editor, interaction, named
    ):
        client.force_login(editor)
        data = {**ANSWERS, "framework": named, "base": page_base(client, interaction)}
        response = client.post(reverse("interaction_detail", args=[interaction.pk]), data,
                               **HTMX)  # fmt: skip
        assert response.status_code in (200, 400)
        saved = draft(interaction)
        assert saved.revision == (1 if response.status_code == 200 else 0)
        assert (saved.framework_name, saved.framework_version) == ("default", 3)

    def test_undecodable_bytes_in_the_framework_field_change_nothing(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        body = urlencode({**ANSWERS, "base": page_base(client, interaction)}).encode()
        response = post_raw(client, interaction, body + b"&framework=%FF%FE%00\xff", **HTMX)
        assert response.status_code in (200, 400)
        assert (draft(interaction).framework_name, draft(interaction).framework_version) == (
            "default", 3,
        )  # fmt: skip

    @pytest.mark.parametrize("named", FRAMEWORK_FIELDS + UNREADABLE)
    @pytest.mark.parametrize("with_base", [True, False])
    def test_another_team_gets_404_whatever_the_form_says(
        self, client, outsider, interaction, named, with_base
    ):
        client.force_login(outsider)
        data = {**ANSWERS, "framework": named}
        if with_base:
            data["base"] = base_token(interaction.pk, 0, {}, ("default", 3))
        for headers in (HTMX, {}):
            response = client.post(reverse("interaction_detail", args=[interaction.pk]), data,
                                   **headers)  # fmt: skip
            # Unreadable input may be refused whole before any view runs; never more.
            assert response.status_code in ({400, 404} if named in UNREADABLE else {404})
        assert draft(interaction).revision == 0

    def test_another_team_gets_404_even_for_undecodable_bytes(self, client, outsider, interaction):
        client.force_login(outsider)
        response = post_raw(client, interaction, b"framework=\xff\xfe%00&base=%FF", **HTMX)
        assert response.status_code in (404, 400)
        assert response.status_code != 400 or b"base" not in response.content
        assert draft(interaction).revision == 0

    def test_a_member_missing_the_base_gets_400_and_an_outsider_404(
        self, client, editor, outsider, interaction
    ):
        url = reverse("interaction_detail", args=[interaction.pk])
        client.force_login(editor)
        assert client.post(url, ANSWERS, **HTMX).status_code == 400
        client.force_login(outsider)
        assert client.post(url, ANSWERS, **HTMX).status_code == 404

    def test_the_page_sends_no_framework_field(self, client, editor, interaction):
        client.force_login(editor)
        text = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert 'name="framework"' not in text

    def test_a_lapsed_session_keeps_the_answers_but_no_framework_field(self, client, interaction):
        data = {**ANSWERS, "framework": "/etc/passwd", "base": base_token(interaction.pk, 0, {})}
        client.post(reverse("interaction_detail", args=[interaction.pk]), data, **HTMX)
        fields = client.session["unsaved_answers"]["fields"]
        assert fields["operation"] == ["command"] and "framework" not in fields


class TestTheTeamsFramework:
    def test_the_teams_framework_drives_the_page(self, client, editor, team, interaction):
        client.force_login(editor)
        url = reverse("interaction_detail", args=[interaction.pk])
        assert 'name="caller_kind"' in client.get(url).text  # v3 asks who calls
        use_framework(team, 2)
        other = make_interaction(system=interaction.system, name="Ship order")
        assert draft(other).framework_version == 2  # a new draft starts with the team's
        page = client.get(reverse("interaction_detail", args=[other.pk])).text
        assert 'name="caller_kind"' not in page and 'name="operation"' in page
        assert "saved with" not in page

    def test_a_re_score_saves_with_the_teams_framework(
        self, client, editor, team, django_assert_num_queries
    ):
        use_framework(team, 2)
        interaction = make_interaction(system=SystemFactory(team=team), name="Ship order")
        client.force_login(editor)
        base = page_base(client, interaction)
        url = reverse("interaction_detail", args=[interaction.pk])
        with django_assert_num_queries(3):  # session, user, the conditional save
            response = client.post(url, {**ANSWERS, "base": base}, **HTMX)
        assert response.status_code == 200
        saved = draft(interaction)
        assert (saved.revision, saved.framework_version) == (1, 2)
        assert saved.result["framework"] == {"name": "default", "version": 2}
        # The next change, from the base this response gave the page, saves the same way.
        base = re.search(r'name="base" id="id_base" value="([^"]+)"', response.text).group(1)
        again = client.post(url, {**ANSWERS, "operation": "query", "base": base}, **HTMX)
        assert again.status_code == 200 and "Draft saved at" in again.text
        assert (draft(interaction).revision, draft(interaction).framework_version) == (2, 2)

    def test_a_page_of_the_previous_framework_saves_nothing_and_comes_back(
        self, client, editor, team, interaction
    ):
        client.force_login(editor)
        base = page_base(client, interaction)  # a page of v3, still open
        use_framework(team, 2)
        url = reverse("interaction_detail", args=[interaction.pk])
        answers = {**ANSWERS, "caller_kind": "service"}
        response = client.post(url, {**answers, "base": base}, **HTMX)
        assert response.status_code == 200 and response["HX-Redirect"] == url
        assert draft(interaction).revision == 0
        page = client.get(url).text
        assert "This team now answers with Crossroads default framework v2." in page
        assert "opened with Crossroads default framework v3" in page
        assert f"“{CALLER_KIND}” (was “A service inside the system”)" in page
        assert 'value="command" id="id_operation_1" checked>' in page
        assert "Not saved yet" in page
        response = client.post(url, {**ANSWERS, "base": page_base(client, interaction)}, **HTMX)
        assert response.status_code == 200
        assert (draft(interaction).revision, draft(interaction).framework_version) == (1, 2)

    def test_without_javascript_a_page_of_the_previous_framework_comes_back_too(
        self, client, editor, team, interaction
    ):
        client.force_login(editor)
        base = page_base(client, interaction)
        use_framework(team, 2)
        url = reverse("interaction_detail", args=[interaction.pk])
        response = client.post(url, {**ANSWERS, "base": base})
        assert response.status_code == 302 and response.url == url
        assert draft(interaction).revision == 0
        assert "Not saved yet" in client.get(url).text

    def test_a_viewer_on_a_page_of_the_previous_framework_still_cannot_save(
        self, client, viewer, team, interaction
    ):
        client.force_login(viewer)
        base = page_base(client, interaction)
        use_framework(team, 2)
        url = reverse("interaction_detail", args=[interaction.pk])
        assert client.post(url, {**ANSWERS, "base": base}, **HTMX).status_code == 403
        assert draft(interaction).revision == 0


class TestADraftOfAnotherFramework:
    def test_answers_that_fit_are_carried_over_and_the_rest_named(
        self, client, editor, team, interaction
    ):
        client.force_login(editor)
        url = reverse("interaction_detail", args=[interaction.pk])
        client.post(url, {**ANSWERS, "caller_kind": "service",
                          "base": page_base(client, interaction)}, **HTMX)  # fmt: skip
        use_framework(team, 2)
        page = client.get(url).text
        assert ("These answers were saved with Crossroads default framework v3; this team now "
                "answers with Crossroads default framework v2.") in page  # fmt: skip
        assert f"“{CALLER_KIND}” (was “A service inside the system”)" in page
        assert 'value="command" id="id_operation_1" checked>' in page
        assert "a decision recorded before then uses the saved answers" in page
        assert draft(interaction).framework_version == 3  # reading the page saves nothing
        response = client.post(url, {**ANSWERS, "base": page_base(client, interaction)}, **HTMX)
        assert response.status_code == 200
        assert "Draft saved at" in response.text and "saved with" not in response.text
        saved = draft(interaction)
        assert saved.framework_version == 2 and "caller_kind" not in saved.answers
        assert saved.answers["operation"] == "command"
        assert "saved with" not in client.get(url).text

    def test_a_framework_with_a_new_question_says_so(self, client, editor, team):
        use_framework(team, 2)
        interaction = make_interaction(system=SystemFactory(team=team), answers=ANSWERS)
        use_framework(team, 3)
        client.force_login(editor)
        page = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert "saved with Crossroads default framework v2" in page
        assert f"New question: “{CALLER_KIND}”." in page
        assert "Left out" not in page
        assert 'name="caller_kind"' in page

    def test_a_draft_of_a_framework_no_longer_known_still_opens(self, client, editor, interaction):
        Assessment.objects.filter(interaction=interaction).update(
            framework_version=99, answers={**ANSWERS, "gone": "away", "operation": "nope"}
        )
        client.force_login(editor)
        response = client.get(reverse("interaction_detail", args=[interaction.pk]))
        assert response.status_code == 200
        page = response.text
        assert "These answers were saved with an earlier framework" in page
        operation = escape(framework_get("default", 3).questions_by_key["operation"].text)
        assert f"“{operation}” (an answer it does not offer)" in page
        assert "gone" not in page and "nope" not in page  # keys never reach the page
        assert 'value="yes" id="id_caller_needs_result_0" checked>' in page

    def test_a_page_naming_a_framework_no_longer_known_comes_back_unsaved(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        url = reverse("interaction_detail", args=[interaction.pk])
        base = base_token(interaction.pk, 0, {}, ("default", 99))
        response = client.post(url, {**ANSWERS, "base": base}, **HTMX)
        assert response.status_code == 200 and response["HX-Redirect"] == url
        assert draft(interaction).revision == 0
        page = client.get(url).text
        assert "Not saved yet" in page and "opened with an earlier framework" in page
        assert 'value="command" id="id_operation_1" checked>' in page

    def test_a_viewer_is_told_who_can_save_them(self, client, viewer, team):
        use_framework(team, 2)
        interaction = make_interaction(system=SystemFactory(team=team), answers=ANSWERS)
        use_framework(team, 3)
        client.force_login(viewer)
        page = client.get(reverse("interaction_detail", args=[interaction.pk])).text
        assert "until an editor saves these answers" in page

    def test_recording_freezes_the_framework_the_draft_was_scored_with(self, team, editor):
        use_framework(team, 2)
        interaction = make_interaction(
            system=SystemFactory(team=team),
            answers={"dominant_constraint": "unsure", "caller_needs_result": "no",
                     "user_waiting": "no", "duration": "longer"},
        )  # fmt: skip
        use_framework(team, 3)
        decision = record_decision(interaction, user=editor)
        assert (decision.framework_name, decision.framework_version) == ("default", 2)
        assert decision.framework_frozen.version == 2
        assert "caller_kind" not in {q["key"] for q in decision.framework_frozen.document[
            "questions"]}  # fmt: skip


def test_the_team_page_names_its_framework_by_title_and_version(team, owner):
    from advisor.frameworks import team_framework

    membership = team.memberships.get(user=owner)
    html = render_to_string("advisor/team_detail.html", {
        "team": team, "membership": membership, "team_framework": team_framework(team),
    })  # fmt: skip
    assert "Framework: Crossroads default framework v3" in html
