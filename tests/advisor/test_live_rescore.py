"""A live re-score sends the scoreboard and only the parts of the form that must change."""

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
ANSWERS = {"operation": "command", "caller_needs_result": "yes", "user_waiting": "yes"}


@pytest.fixture
def interaction(team):
    return make_interaction(system=SystemFactory(team=team), name="Reserve stock")


def rescore(client, interaction, data):
    saved = Assessment.objects.get(interaction=interaction)
    base = base_token(interaction.pk, saved.revision, saved.answers, new_team_framework())
    return client.post(reverse("interaction_detail", args=[interaction.pk]),
                       {**data, "base": base}, **HTMX)  # fmt: skip


def boxes(text: str) -> dict[str, str]:
    """The message boxes a response swaps in, by question key, with what they hold."""
    found = re.findall(r'<div id="errors-(\w+)" class="field-errors" hx-swap-oob="true" '
                       r'aria-live="polite">(.*?)</div>(?=<div id="errors-|\s*$)', text,
                       re.S)  # fmt: skip
    return dict(found)


class TestMessageBoxes:
    def test_with_nothing_to_say_no_message_box_is_sent(self, client, editor, interaction):
        client.force_login(editor)
        response = rescore(client, interaction, ANSWERS)
        assert response.status_code == 200
        assert boxes(response.text) == {}
        assert 'id="question-' not in response.text  # no question is sent again either

    def test_a_problem_is_sent_in_its_box_which_says_it_shows_something(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = rescore(client, interaction, {**ANSWERS, "chain_depth": "0"})
        assert response.status_code == 422
        sent = boxes(response.text)
        assert list(sent) == ["chain_depth"]
        assert "Expected a number from 1 to 50." in sent["chain_depth"]
        assert '<input type="hidden" name="flagged" value="chain_depth">' in sent["chain_depth"]

    def test_a_box_that_showed_a_problem_is_cleared_once_it_is_put_right(
        self, client, editor, interaction
    ):
        client.force_login(editor)
        response = rescore(client, interaction,
                           {**ANSWERS, "chain_depth": "3", "flagged": "chain_depth"})  # fmt: skip
        assert response.status_code == 200
        assert boxes(response.text) == {"chain_depth": ""}

    def test_flags_naming_no_question_are_ignored(self, client, editor, interaction):
        client.force_login(editor)
        response = rescore(client, interaction, {**ANSWERS, "flagged": ["<b>", "nope"]})
        assert response.status_code == 200
        assert boxes(response.text) == {} and "<b>" not in response.text

    def test_the_whole_page_marks_the_boxes_that_show_a_problem(self, client, editor, interaction):
        client.force_login(editor)
        url = reverse("interaction_detail", args=[interaction.pk])
        saved = Assessment.objects.get(interaction=interaction)
        base = base_token(interaction.pk, saved.revision, saved.answers, new_team_framework())
        page = client.post(url, {**ANSWERS, "chain_depth": "0", "base": base}).text
        assert page.count('name="flagged"') == 1
        assert '<input type="hidden" name="flagged" value="chain_depth">' in page


def test_the_form_re_scores_without_evaluated_code(client, editor, interaction):
    """htmx runs a bracketed event filter as code, which the Content-Security-Policy
    refuses: the live re-score would silently stop. The form filters by target instead."""
    client.force_login(editor)
    page = client.get(reverse("interaction_detail", args=[interaction.pk])).text
    trigger = re.search(r'<form id="questionnaire"[^>]*hx-trigger="([^"]+)"', page).group(1)
    assert trigger == "change, input delay:600ms target:(input[type=number]), submit"
