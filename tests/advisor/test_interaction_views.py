"""Interactions: create, edit, delete, and the questionnaire page with its draft."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advisor.models import Assessment, Interaction
from tests.factories import ServiceFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def system(team):
    return SystemFactory(team=team, name="Shop")


def create_payload(source, target, name="Reserve stock"):
    return {
        "interaction-source": source.pk,
        "interaction-target": target.pk,
        "interaction-name": name,
        "interaction-description": "",
    }


class TestInteractionCreate:
    def test_it_creates_the_interaction_with_an_empty_draft_and_opens_it(
        self, client, editor, system
    ):
        source = ServiceFactory(system=system, name="Checkout")
        target = ServiceFactory(system=system, name="Inventory")
        client.force_login(editor)
        response = client.post(
            reverse("interaction_create", args=[system.pk]), create_payload(source, target)
        )
        interaction = Interaction.objects.get(system=system)
        assert response.url == reverse("interaction_detail", args=[interaction.pk])
        draft = Assessment.objects.get(interaction=interaction)
        assert draft.answers == {} and draft.revision == 0
        assert (draft.framework_name, draft.framework_version) == ("default", 3)
        assert draft.created_by == editor
        assert draft.result["recommendation"] == "sync"

    def test_a_service_cannot_call_itself(self, client, editor, system):
        service = ServiceFactory(system=system)
        ServiceFactory(system=system)
        client.force_login(editor)
        response = client.post(
            reverse("interaction_create", args=[system.pk]), create_payload(service, service),
            **HTMX,
        )  # fmt: skip
        assert response.status_code == 422
        assert "Pick a different service from the caller." in response.text
        assert not Interaction.objects.exists()

    def test_a_service_from_another_system_is_refused(self, client, editor, system, team):
        source = ServiceFactory(system=system)
        ServiceFactory(system=system)
        foreign = ServiceFactory(system=SystemFactory(team=team))
        client.force_login(editor)
        response = client.post(
            reverse("interaction_create", args=[system.pk]), create_payload(source, foreign)
        )
        assert response.status_code == 422
        assert "Select a valid choice." in response.text
        assert not Interaction.objects.exists()

    def test_a_duplicate_name_in_the_system_is_refused(self, client, editor, system):
        existing = make_interaction(system=system, name="Reserve stock")
        client.force_login(editor)
        response = client.post(
            reverse("interaction_create", args=[system.pk]),
            create_payload(existing.source, existing.target, name="reserve stock"),
        )
        assert response.status_code == 422
        assert Interaction.objects.count() == 1

    def test_a_viewer_gets_403(self, client, viewer, system):
        a, b = ServiceFactory(system=system), ServiceFactory(system=system)
        client.force_login(viewer)
        response = client.post(
            reverse("interaction_create", args=[system.pk]), create_payload(a, b)
        )
        assert response.status_code == 403

    def test_another_team_gets_404(self, client, outsider, system):
        a, b = ServiceFactory(system=system), ServiceFactory(system=system)
        client.force_login(outsider)
        response = client.post(
            reverse("interaction_create", args=[system.pk]), create_payload(a, b)
        )
        assert response.status_code == 404

    def test_it_refuses_get_with_405(self, client, editor, system):
        client.force_login(editor)
        assert client.get(reverse("interaction_create", args=[system.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, system):
        response = client.post(reverse("interaction_create", args=[system.pk]))
        assert response.url.startswith("/login/")


class TestInteractionEditAndDelete:
    def test_it_can_be_renamed_and_pointed_elsewhere(self, client, editor, system):
        interaction = make_interaction(system=system)
        other = ServiceFactory(system=system, name="Warehouse")
        client.force_login(editor)
        prefix = f"edit-{interaction.pk}"
        response = client.post(
            reverse("interaction_edit", args=[interaction.pk]),
            {f"{prefix}-source": interaction.source_id, f"{prefix}-target": other.pk,
             f"{prefix}-name": "Reserve at warehouse", f"{prefix}-description": ""},
        )  # fmt: skip
        assert response.url == reverse("interaction_detail", args=[interaction.pk])
        interaction.refresh_from_db()
        assert (interaction.name, interaction.target) == ("Reserve at warehouse", other)

    def test_a_service_of_another_team_cannot_be_swapped_in(self, client, editor, system):
        interaction = make_interaction(system=system)
        foreign = ServiceFactory(name="Elsewhere")
        client.force_login(editor)
        prefix = f"edit-{interaction.pk}"
        response = client.post(
            reverse("interaction_edit", args=[interaction.pk]),
            {f"{prefix}-source": interaction.source_id, f"{prefix}-target": foreign.pk,
             f"{prefix}-name": interaction.name},
        )  # fmt: skip
        assert response.status_code == 422
        interaction.refresh_from_db()
        assert interaction.target != foreign

    def test_a_long_name_of_up_to_160_characters_is_accepted(self, client, editor, system):
        a, b = ServiceFactory(system=system), ServiceFactory(system=system)
        client.force_login(editor)
        name = "x" * 150
        client.post(reverse("interaction_create", args=[system.pk]), create_payload(a, b, name))
        assert Interaction.objects.get().name == name

    def test_deleting_answered_work_says_so_first(self, client, editor, system):
        interaction = make_interaction(system=system, answers={"operation": "event"})
        client.force_login(editor)
        response = client.get(reverse("interaction_delete", args=[interaction.pk]))
        assert "This deletes its questionnaire answers too. This cannot be undone." in response.text
        client.post(reverse("interaction_delete", args=[interaction.pk]))
        assert not Interaction.objects.exists() and not Assessment.objects.exists()

    def test_a_viewer_can_neither_edit_nor_delete(self, client, viewer, system):
        interaction = make_interaction(system=system)
        client.force_login(viewer)
        assert client.get(reverse("interaction_edit", args=[interaction.pk])).status_code == 403
        assert client.post(reverse("interaction_delete", args=[interaction.pk])).status_code == 403

    def test_another_team_gets_404(self, client, outsider, system):
        interaction = make_interaction(system=system)
        client.force_login(outsider)
        assert client.get(reverse("interaction_edit", args=[interaction.pk])).status_code == 404
        assert client.post(reverse("interaction_delete", args=[interaction.pk])).status_code == 404

    def test_they_refuse_put_with_405(self, client, editor, system):
        interaction = make_interaction(system=system)
        client.force_login(editor)
        assert client.put(reverse("interaction_edit", args=[interaction.pk])).status_code == 405
        assert client.put(reverse("interaction_delete", args=[interaction.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, system):
        interaction = make_interaction(system=system)
        for name in ("interaction_edit", "interaction_delete"):
            assert client.get(reverse(name, args=[interaction.pk])).url.startswith("/login/")
