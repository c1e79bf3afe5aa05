"""Systems: the team page lists them; create, edit and delete inline or as plain pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advisor.models import Interaction, System
from tests.factories import SystemFactory, make_interaction

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


class TestSystemCreate:
    def url(self, team):
        return reverse("system_create", args=[team.slug])

    def test_a_plain_post_creates_it_and_opens_it(self, client, editor, team):
        client.force_login(editor)
        response = client.post(
            self.url(team), {"system-name": "Checkout", "system-description": "Shop"}
        )
        system = System.objects.get(team=team, name="Checkout")
        assert response.url == reverse("system_detail", args=[system.pk])

    def test_htmx_gets_the_refreshed_list_section(self, client, editor, team):
        client.force_login(editor)
        response = client.post(self.url(team), {"system-name": "Checkout"}, **HTMX)
        assert response.status_code == 200
        assert response.text.lstrip().startswith('<section id="systems-section"')
        assert "Checkout" in response.text and "<html" not in response.text
        assert response["HX-Retarget"] == "#systems-section"

    def test_a_duplicate_name_is_shown_next_to_the_field_and_nothing_is_added(
        self, client, editor, team
    ):
        SystemFactory(team=team, name="Checkout")
        client.force_login(editor)
        response = client.post(self.url(team), {"system-name": "checkout"}, **HTMX)
        assert response.status_code == 422
        assert "There is already a system in this team called “checkout”." in response.text
        assert 'id="error_1_id_system-name"' in response.text
        assert team.systems.count() == 1

    def test_the_same_name_in_another_team_is_fine(self, client, editor, team, other_team):
        SystemFactory(team=other_team, name="Checkout")
        client.force_login(editor)
        client.post(self.url(team), {"system-name": "Checkout"})
        assert team.systems.filter(name="Checkout").exists()

    def test_a_viewer_gets_403(self, client, viewer, team):
        client.force_login(viewer)
        assert client.post(self.url(team), {"system-name": "X"}).status_code == 403
        assert not team.systems.exists()

    def test_another_team_gets_404(self, client, outsider, team):
        client.force_login(outsider)
        assert client.post(self.url(team), {"system-name": "X"}).status_code == 404

    def test_it_refuses_get_with_405(self, client, editor, team):
        client.force_login(editor)
        assert client.get(self.url(team)).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        assert client.post(self.url(team), {"system-name": "X"}).url.startswith("/login/")


class TestSystemDetail:
    def test_it_lists_services_and_interactions(self, client, viewer, team):
        system = SystemFactory(team=team, name="Checkout")
        make_interaction(system=system, name="Reserve stock")
        client.force_login(viewer)
        response = client.get(reverse("system_detail", args=[system.pk]))
        assert response.status_code == 200
        assert "Reserve stock caller" in response.text
        assert "Reserve stock caller → Reserve stock receiver" in response.text
        assert "Add a service" not in response.text  # viewers cannot write

    def test_its_query_count_does_not_grow_with_rows(
        self, client, editor, team, django_assert_num_queries
    ):
        system = SystemFactory(team=team)
        make_interaction(system=system, name="One")
        client.force_login(editor)
        url = reverse("system_detail", args=[system.pk])
        client.get(url)
        with django_assert_num_queries(8) as baseline:
            client.get(url)
        for name in ("Two", "Three", "Four"):
            make_interaction(system=system, name=name)
        with django_assert_num_queries(len(baseline.captured_queries)):
            client.get(url)

    def test_another_team_gets_404(self, client, outsider, team):
        system = SystemFactory(team=team)
        client.force_login(outsider)
        assert client.get(reverse("system_detail", args=[system.pk])).status_code == 404

    def test_it_refuses_post_with_405(self, client, editor, team):
        system = SystemFactory(team=team)
        client.force_login(editor)
        assert client.post(reverse("system_detail", args=[system.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        system = SystemFactory(team=team)
        response = client.get(reverse("system_detail", args=[system.pk]))
        assert response.url.startswith("/login/")


class TestSystemEdit:
    def test_a_plain_post_renames_it(self, client, editor, team):
        system = SystemFactory(team=team, name="Old")
        client.force_login(editor)
        url = reverse("system_edit", args=[system.pk])
        response = client.post(
            url, {f"edit-{system.pk}-name": "New", f"edit-{system.pk}-description": ""}
        )
        system.refresh_from_db()
        assert system.name == "New"
        assert response.url == reverse("system_detail", args=[system.pk])

    def test_htmx_get_returns_the_inline_form_only(self, client, editor, team):
        system = SystemFactory(team=team, name="Old")
        client.force_login(editor)
        response = client.get(reverse("system_edit", args=[system.pk]), **HTMX)
        assert response.text.lstrip().startswith("<form")
        assert 'value="Old"' in response.text
        assert '<input type="hidden" name="inline" value="1">' in response.text

    def test_the_inline_form_answers_with_the_refreshed_list(self, client, editor, team):
        system = SystemFactory(team=team, name="Old")
        client.force_login(editor)
        response = client.post(
            reverse("system_edit", args=[system.pk]),
            {f"edit-{system.pk}-name": "Renamed", "inline": "1"}, **HTMX,
        )  # fmt: skip
        assert response["HX-Retarget"] == "#systems-section"
        assert "Renamed" in response.text

    def test_the_edit_page_is_a_plain_form_that_redirects(self, client, editor, team):
        system = SystemFactory(team=team, name="Old")
        client.force_login(editor)
        page = client.get(reverse("system_edit", args=[system.pk]))
        assert "hx-post" not in page.text.split("<main")[1]
        response = client.post(
            reverse("system_edit", args=[system.pk]), {f"edit-{system.pk}-name": "Renamed"}
        )
        assert response.url == reverse("system_detail", args=[system.pk])

    def test_a_name_taken_by_a_sibling_is_refused(self, client, editor, team):
        SystemFactory(team=team, name="Taken")
        system = SystemFactory(team=team, name="Mine")
        client.force_login(editor)
        response = client.post(
            reverse("system_edit", args=[system.pk]), {f"edit-{system.pk}-name": "Taken"}, **HTMX
        )
        assert response.status_code == 422
        assert "already a system in this team called “Taken”" in response.text
        system.refresh_from_db()
        assert system.name == "Mine"

    def test_a_viewer_gets_403(self, client, viewer, team):
        system = SystemFactory(team=team)
        client.force_login(viewer)
        assert client.get(reverse("system_edit", args=[system.pk])).status_code == 403

    def test_another_team_gets_404(self, client, outsider, team):
        system = SystemFactory(team=team)
        client.force_login(outsider)
        assert client.get(reverse("system_edit", args=[system.pk])).status_code == 404

    def test_it_refuses_put_with_405(self, client, editor, team):
        system = SystemFactory(team=team)
        client.force_login(editor)
        assert client.put(reverse("system_edit", args=[system.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        system = SystemFactory(team=team)
        assert client.get(reverse("system_edit", args=[system.pk])).url.startswith("/login/")


class TestSystemDelete:
    def test_it_asks_first_and_says_what_goes_with_it(self, client, editor, team):
        system = SystemFactory(team=team, name="Shop")
        make_interaction(system=system, answers={"operation": "query"})
        client.force_login(editor)
        response = client.get(reverse("system_delete", args=[system.pk]))
        assert response.status_code == 200
        assert (
            "This deletes 2 services and 1 interaction with its questionnaire (answered)."
            in response.text
        )
        assert System.objects.filter(pk=system.pk).exists()

    def test_confirming_deletes_it_with_everything_in_it(self, client, editor, team):
        system = SystemFactory(team=team)
        make_interaction(system=system)
        client.force_login(editor)
        response = client.post(reverse("system_delete", args=[system.pk]))
        assert response.url == reverse("team_detail", args=[team.slug])
        assert not System.objects.filter(pk=system.pk).exists()
        assert not Interaction.objects.exists()

    def test_htmx_confirmation_refreshes_the_list(self, client, editor, team):
        system = SystemFactory(team=team, name="Doomed")
        client.force_login(editor)
        response = client.post(reverse("system_delete", args=[system.pk]), {"inline": "1"}, **HTMX)
        assert response["HX-Retarget"] == "#systems-section"
        assert "Doomed" not in response.text

    def test_a_viewer_gets_403(self, client, viewer, team):
        system = SystemFactory(team=team)
        client.force_login(viewer)
        assert client.post(reverse("system_delete", args=[system.pk])).status_code == 403
        assert System.objects.filter(pk=system.pk).exists()

    def test_another_team_gets_404(self, client, outsider, team):
        system = SystemFactory(team=team)
        client.force_login(outsider)
        assert client.post(reverse("system_delete", args=[system.pk])).status_code == 404

    def test_it_refuses_put_with_405(self, client, editor, team):
        system = SystemFactory(team=team)
        client.force_login(editor)
        assert client.put(reverse("system_delete", args=[system.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        system = SystemFactory(team=team)
        assert client.post(reverse("system_delete", args=[system.pk])).url.startswith("/login/")
