"""The questionnaire's question on synchronous hops, pre-filled from the system's map."""

from __future__ import annotations

import json
import re
import shutil

import pytest
from django.urls import reverse

from advisor import frameworks, services
from advisor.engine import framework_files
from advisor.frameworks import new_team_framework
from advisor.models import Assessment, Style
from advisor.questionnaire import base_token
from tests.factories import ServiceFactory, SystemFactory, UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}
LABEL = "It counts once you save; change it if the map misses a call."


class Map:
    """A system of named services and the interactions between them."""

    def __init__(self, team, *names: str) -> None:
        self.system = SystemFactory(team=team)
        self.user = UserFactory()
        self.services = {name: ServiceFactory(system=self.system, name=name) for name in names}

    def call(self, source: str, target: str, style: str = Style.SYNC, answers=None):
        interaction = services.interaction_create(
            system=self.system, source=self.services[source], target=self.services[target],
            name=f"{source} to {target}", description="", user=self.user, style=style,
        )  # fmt: skip
        if answers:
            Assessment.objects.filter(interaction=interaction).update(answers=answers)
        return interaction

    @property
    def url(self) -> str:
        return reverse("system_map", args=[self.system.pk])


def page(client, interaction) -> str:
    response = client.get(reverse("interaction_detail", args=[interaction.pk]))
    assert response.status_code == 200
    return response.text


def field_value(text: str) -> str:
    return re.search(r'name="chain_depth" id="id_chain_depth" value="([^"]*)"', text)[1]


def note(text: str) -> str:
    """The note next to the field, as a person reads it."""
    found = re.search(r'<p class="form-text map-note[^"]*" id="map-note-chain_depth">(.*?)</p>',
                      text)  # fmt: skip
    return re.sub(r"<[^>]+>", "", found[1]) if found else ""


@pytest.fixture
def checkout(team):
    """Checkout calls Orders (how, nobody has said yet); below Orders, two synchronous hops."""
    shop = Map(team, "Checkout", "Orders", "Inventory", "Warehouse")
    shop.interaction = shop.call("Checkout", "Orders", Style.UNKNOWN)
    shop.call("Orders", "Inventory")
    shop.call("Inventory", "Warehouse")
    shop.call("Warehouse", "Orders", Style.ASYNC)  # a queue: no hop, and no cycle
    return shop


def test_an_unanswered_depth_is_pre_filled_from_the_map_and_labelled(client, editor, checkout):
    client.force_login(editor)
    text = page(client, checkout.interaction)
    assert field_value(text) == "3"
    assert note(text) == (
        "Computed from the map: 3 synchronous hops (Checkout → Orders → Inventory → "
        f"Warehouse). {LABEL}"
    )
    assert f'<a href="{checkout.url}">Checkout → Orders → Inventory → Warehouse</a>' in text
    assert 'aria-describedby="map-note-chain_depth errors-chain_depth"' in text


def test_nothing_is_saved_or_scored_on_the_page_load(client, editor, checkout):
    drafts = Assessment.objects.filter(interaction=checkout.interaction)
    drafts.update(answers={"operation": "query"})
    client.force_login(editor)
    text = page(client, checkout.interaction)
    assert field_value(text) == "3"
    assert "1 of 16 questions answered" in text  # the scores count the saved answer only
    assert (drafts.get().revision, drafts.get().answers) == (0, {"operation": "query"})


def test_the_pre_filled_depth_is_saved_only_when_the_form_is_posted(client, editor, checkout):
    client.force_login(editor)
    url = reverse("interaction_detail", args=[checkout.interaction.pk])
    base = base_token(checkout.interaction.pk, 0, {}, new_team_framework())
    client.post(url, {"operation": "query", "chain_depth": "3", "base": base}, **HTMX)
    assert Assessment.objects.get(interaction=checkout.interaction).answers == {
        "operation": "query", "chain_depth": 3,
    }  # fmt: skip


def test_a_person_who_clears_the_pre_filled_depth_saves_no_depth(client, editor, checkout):
    client.force_login(editor)
    url = reverse("interaction_detail", args=[checkout.interaction.pk])
    base = base_token(checkout.interaction.pk, 0, {}, new_team_framework())
    client.post(url, {"operation": "query", "chain_depth": "", "base": base}, **HTMX)
    assert Assessment.objects.get(interaction=checkout.interaction).answers == {
        "operation": "query"
    }


def test_an_answered_depth_wins_and_a_different_map_count_shows_as_a_quiet_note(
    client, editor, team
):
    shop = Map(team, "Checkout", "Orders", "Inventory", "Warehouse")
    interaction = shop.call("Checkout", "Orders", answers={"chain_depth": 2})
    shop.call("Orders", "Inventory")
    shop.call("Inventory", "Warehouse")
    client.force_login(editor)
    text = page(client, interaction)
    assert field_value(text) == "2"
    assert note(text) == (
        "The map counts 3 synchronous hops below this call "
        "(Checkout → Orders → Inventory → Warehouse)."
    )
    assert "Computed from the map" not in text


def test_an_answer_that_matches_the_map_needs_no_note(client, editor, team):
    shop = Map(team, "Checkout", "Orders", "Inventory")
    interaction = shop.call("Checkout", "Orders", answers={"chain_depth": 2})
    shop.call("Orders", "Inventory")
    client.force_login(editor)
    text = page(client, interaction)
    assert field_value(text) == "2"
    assert 'id="map-note-chain_depth"' not in text
    assert 'aria-describedby="errors-chain_depth"' in text


def test_without_synchronous_calls_below_the_depth_is_this_call_alone(client, editor, team):
    shop = Map(team, "Checkout", "Orders", "Mailer")
    interaction = shop.call("Checkout", "Orders", Style.ASYNC)
    shop.call("Orders", "Mailer", Style.ASYNC)
    client.force_login(editor)
    text = page(client, interaction)
    assert field_value(text) == "1"
    assert note(text) == f"Computed from the map: 1 synchronous hop (Checkout → Orders). {LABEL}"


def test_a_path_through_a_synchronous_cycle_counts_at_least(client, editor, team):
    shop = Map(team, "Checkout", "Orders", "Inventory")
    interaction = shop.call("Checkout", "Orders")
    shop.call("Orders", "Inventory")
    shop.call("Inventory", "Orders")
    client.force_login(editor)
    text = page(client, interaction)
    assert field_value(text) == "2"
    assert note(text) == (
        "Computed from the map: at least 2 synchronous hops (the path runs through a "
        f"synchronous cycle: Checkout → Orders → Inventory). {LABEL}"
    )


def test_a_viewer_sees_what_the_map_counts_without_a_pre_filled_answer(client, viewer, checkout):
    client.force_login(viewer)
    text = page(client, checkout.interaction)
    assert field_value(text) == ""
    assert note(text).startswith("The map counts 3 synchronous hops below this call")


def test_service_names_are_shown_as_text(client, editor, team):
    shop = Map(team, "<b>Edge</b>", "Orders")
    interaction = shop.call("<b>Edge</b>", "Orders")
    client.force_login(editor)
    text = page(client, interaction)
    assert "&lt;b&gt;Edge&lt;/b&gt; → Orders" in text
    assert "<b>Edge</b>" not in text


def test_a_live_re_score_that_sends_the_question_again_keeps_the_note(client, editor, checkout):
    client.force_login(editor)
    interaction = checkout.interaction
    # Another tab saved a depth of 5 since this page loaded with nothing saved.
    Assessment.objects.filter(interaction=interaction).update(
        answers={"chain_depth": 5}, revision=1
    )
    base = base_token(interaction.pk, 0, {}, new_team_framework())
    response = client.post(
        reverse("interaction_detail", args=[interaction.pk]),
        {"operation": "query", "base": base}, **HTMX,
    )  # fmt: skip
    assert response.status_code == 200
    block = response.text.split('id="question-chain_depth" hx-swap-oob="true"')[1]
    assert field_value(block) == "5"
    assert note(block).startswith("The map counts 3 synchronous hops below this call")


def test_the_page_reads_the_map_in_a_fixed_number_of_queries(
    client, editor, team, django_assert_num_queries
):
    shop = Map(team, *(f"Service {number}" for number in range(40)))
    interaction = shop.call("Service 0", "Service 1")
    for number in range(1, 39):
        shop.call(f"Service {number}", f"Service {number + 1}")
        shop.call(f"Service {number}", "Service 0", Style.ASYNC)
    client.force_login(editor)
    page(client, interaction)
    # session, user, interaction, draft, decisions, nav; the map: services, interactions,
    # decisions
    with django_assert_num_queries(9):
        text = page(client, interaction)
    assert field_value(text) == "39"


@pytest.fixture
def asked_of_changes_only(tmp_path, monkeypatch, team):
    """The team scores with a framework that asks for the chain's depth only of commands,
    events and batches (the shipped frameworks always ask it)."""
    shutil.copytree(framework_files.FRAMEWORKS_DIR, tmp_path, dirs_exist_ok=True)
    document = json.loads((tmp_path / "default.json").read_text())
    (depth,) = [q for q in document["questions"] if q["key"] == "chain_depth"]
    depth["applies_when"] = "not operation == query"
    depth["applies_note"] = "Asked only of changes: a query is answered where it is asked."
    document.update(name="changes", version=1, title="Changes framework")
    (tmp_path / "changes.json").write_text(json.dumps(document))
    monkeypatch.setattr(framework_files, "FRAMEWORKS_DIR", tmp_path)
    frameworks.clear_caches()
    team.framework_name, team.framework_version = "changes", 1
    team.save(update_fields=["framework_name", "framework_version"])
    yield team
    frameworks.clear_caches()


def test_a_depth_question_folded_away_reads_nothing_of_the_map(
    client, editor, asked_of_changes_only, django_assert_num_queries
):
    shop = Map(asked_of_changes_only, "Checkout", "Orders", "Inventory")
    interaction = shop.call("Checkout", "Orders", answers={"operation": "query"})
    shop.call("Orders", "Inventory")
    client.force_login(editor)
    page(client, interaction)
    # session, user, interaction, draft, decisions, nav; nothing of the map
    with django_assert_num_queries(6):
        text = page(client, interaction)
    assert "Asked only of changes: a query is answered where it is asked." in text
    assert 'id="map-note-chain_depth"' not in text and "Computed from the map" not in text


def test_a_depth_question_that_applies_again_is_pre_filled_from_the_map(
    client, editor, asked_of_changes_only
):
    shop = Map(asked_of_changes_only, "Checkout", "Orders", "Inventory")
    interaction = shop.call("Checkout", "Orders", answers={"operation": "command"})
    shop.call("Orders", "Inventory")
    client.force_login(editor)
    text = page(client, interaction)
    assert field_value(text) == "2"
    assert note(text).startswith("Computed from the map: 2 synchronous hops")
