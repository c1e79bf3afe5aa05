"""Services of a system: created, renamed and deleted inline; interactions follow along."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advisor.models import Interaction, Service
from tests.factories import ServiceFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def system(team):
    return SystemFactory(team=team, name="Shop")


class TestServiceCreate:
    def test_htmx_adds_it_and_refreshes_the_interactions_form_too(self, client, editor, system):
        ServiceFactory(system=system, name="Checkout")
        client.force_login(editor)
        response = client.post(
            reverse("service_create", args=[system.pk]), {"service-name": "Inventory"}, **HTMX
        )
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#services-section"
        assert (
            'id="interactions-section" aria-labelledby="interactions-heading" hx-swap-oob="true"'
            in response.text
        )
        # With two services the interaction form can now be offered.
        assert "Add interaction" in response.text
        assert system.services.count() == 2

    def test_a_plain_post_returns_to_the_system(self, client, editor, system):
        client.force_login(editor)
        response = client.post(reverse("service_create", args=[system.pk]), {"service-name": "A"})
        assert response.url == reverse("system_detail", args=[system.pk])

    def test_a_blank_name_is_explained(self, client, editor, system):
        client.force_login(editor)
        response = client.post(reverse("service_create", args=[system.pk]), {"service-name": ""})
        assert response.status_code == 422
        assert "This field is required." in response.text
        assert not system.services.exists()

    def test_a_viewer_gets_403(self, client, viewer, system):
        client.force_login(viewer)
        response = client.post(reverse("service_create", args=[system.pk]), {"service-name": "A"})
        assert response.status_code == 403

    def test_another_team_gets_404(self, client, outsider, system):
        client.force_login(outsider)
        response = client.post(reverse("service_create", args=[system.pk]), {"service-name": "A"})
        assert response.status_code == 404

    def test_it_refuses_get_with_405(self, client, editor, system):
        client.force_login(editor)
        assert client.get(reverse("service_create", args=[system.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, system):
        response = client.post(reverse("service_create", args=[system.pk]), {"service-name": "A"})
        assert response.url.startswith("/login/")


class TestServiceEdit:
    def test_it_renames_the_service(self, client, editor, system):
        service = ServiceFactory(system=system, name="Old")
        client.force_login(editor)
        response = client.post(
            reverse("service_edit", args=[service.pk]), {f"edit-{service.pk}-name": "New"}
        )
        assert response.url == reverse("system_detail", args=[system.pk])
        service.refresh_from_db()
        assert service.name == "New"

    def test_a_viewer_gets_403(self, client, viewer, system):
        service = ServiceFactory(system=system)
        client.force_login(viewer)
        assert client.get(reverse("service_edit", args=[service.pk])).status_code == 403

    def test_another_team_gets_404(self, client, outsider, system):
        service = ServiceFactory(system=system)
        client.force_login(outsider)
        assert client.get(reverse("service_edit", args=[service.pk])).status_code == 404

    def test_it_refuses_delete_with_405(self, client, editor, system):
        service = ServiceFactory(system=system)
        client.force_login(editor)
        assert client.delete(reverse("service_edit", args=[service.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, system):
        service = ServiceFactory(system=system)
        assert client.get(reverse("service_edit", args=[service.pk])).url.startswith("/login/")


class TestServiceDelete:
    def test_the_confirmation_names_the_interactions_that_go_with_it(self, client, editor, system):
        interaction = make_interaction(system=system, answers={"operation": "query"})
        client.force_login(editor)
        response = client.get(reverse("service_delete", args=[interaction.source_id]), **HTMX)
        assert (
            "This also deletes 1 interaction that calls it or is called by it, with its "
            "questionnaire (answered)." in response.text
        )
        assert response.text.lstrip().startswith("<div")

    def test_confirming_removes_it_and_its_interactions(self, client, editor, system):
        interaction = make_interaction(system=system)
        client.force_login(editor)
        response = client.post(
            reverse("service_delete", args=[interaction.source_id]), {"inline": "1"}, **HTMX
        )
        assert response.status_code == 200
        assert not Service.objects.filter(pk=interaction.source_id).exists()
        assert not Interaction.objects.exists()
        assert "No interactions yet" in response.text

    def test_a_viewer_gets_403(self, client, viewer, system):
        service = ServiceFactory(system=system)
        client.force_login(viewer)
        assert client.post(reverse("service_delete", args=[service.pk])).status_code == 403
        assert Service.objects.filter(pk=service.pk).exists()

    def test_another_team_gets_404(self, client, outsider, system):
        service = ServiceFactory(system=system)
        client.force_login(outsider)
        assert client.post(reverse("service_delete", args=[service.pk])).status_code == 404

    def test_it_refuses_put_with_405(self, client, editor, system):
        service = ServiceFactory(system=system)
        client.force_login(editor)
        assert client.put(reverse("service_delete", args=[service.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, system):
        service = ServiceFactory(system=system)
        assert client.post(reverse("service_delete", args=[service.pk])).url.startswith("/login/")


def test_a_service_of_another_team_cannot_be_reached(client, outsider, team):
    service = ServiceFactory(system=SystemFactory(team=team))
    client.force_login(outsider)
    assert client.get(reverse("service_edit", args=[service.pk])).status_code == 404
    assert client.post(reverse("service_delete", args=[service.pk])).status_code == 404
