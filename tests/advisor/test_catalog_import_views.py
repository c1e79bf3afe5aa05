"""Importing services and interactions from catalogue files: upload, preview, confirm."""

from __future__ import annotations

import importlib
import re
from pathlib import Path
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import NoReverseMatch, reverse

from advisor.catalogs import plan_from_files
from advisor.models import Assessment, Interaction, Role, Service, System
from advisor.views.catalog_import import plan_token
from tests.factories import MembershipFactory, ServiceFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "catalogs"
SHOP = ("asyncapi/orders.yaml", "asyncapi/warehouse.yaml", "asyncapi/payments.json")


def _upload(*paths: str) -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile(Path(p).name, (FIXTURES / p).read_bytes()) for p in paths]


def _upload_url(team) -> str:
    return reverse("catalog_import_upload", args=[team.slug])


def _confirm_url(team) -> str:
    return reverse("catalog_import_confirm", args=[team.slug])


def _token(response) -> str:
    found = re.search(r'name="plan" value="([^"]+)"', response.text)
    assert found, "the preview carries no plan to confirm"
    return found.group(1)


def _preview(client, team, *paths: str, into=""):
    response = client.post(_upload_url(team), {"files": _upload(*paths), "into": into})
    assert response.status_code == 200, response.text
    return response


class TestUpload:
    def test_the_page_offers_a_new_system_or_the_teams_own(self, client, editor, team):
        SystemFactory(team=team, name="Checkout")
        SystemFactory(name="Someone else's")
        client.force_login(editor)
        response = client.get(_upload_url(team))
        assert response.status_code == 200
        assert '<option value="" selected>A new system</option>' in response.text
        assert ">Checkout</option>" in response.text
        assert "Someone else" not in response.text

    def test_a_system_can_be_chosen_in_the_address(self, client, editor, team):
        system = SystemFactory(team=team, name="Checkout")
        client.force_login(editor)
        response = client.get(_upload_url(team) + f"?into={system.pk}")
        assert f'<option value="{system.pk}" selected>' in response.text

    def test_the_preview_shows_what_would_be_created_and_creates_nothing(
        self, client, editor, team
    ):
        client.force_login(editor)
        response = _preview(client, team, *SHOP)
        text = response.text
        assert "Create a system with 3 services and 2 interactions" in text
        assert "Orders → Warehouse: orders.created" in text
        assert "Asynchronous message" in text
        assert "Request and reply over queues" in text
        assert "request_reply" not in text.replace('value="', "")  # titles, never keys
        assert "payments.json" in text and "read as AsyncAPI 3" in text
        assert "Nothing has been created yet." in text
        assert not System.objects.filter(team=team).exists()

    def test_the_new_system_is_named_from_the_files(self, client, editor, team):
        client.force_login(editor)
        response = _preview(client, team, "structurizr/workspace.dsl")
        assert 'name="system-name" value="Shop"' in response.text

    def test_a_bad_file_shows_its_message_and_the_others_are_still_previewed(
        self, client, editor, team
    ):
        client.force_login(editor)
        response = _preview(client, team, "asyncapi/orders.yaml", "malformed/broken.yaml")
        assert "Files that cannot be read" in response.text
        assert "Line 6: mapping values are not allowed" in response.text
        assert "broken.yaml</span>: could not be read" in response.text
        assert "Create a system with 1 service and 0 interactions" in response.text

    def test_only_bad_files_offer_nothing_to_confirm(self, client, editor, team):
        client.force_login(editor)
        response = _preview(client, team, "malformed/list.yaml", "malformed/unclosed.dsl")
        assert "Nothing to import" in response.text
        assert "None of the files could be read" in response.text
        assert 'name="plan"' not in response.text

    def test_files_describing_too_much_say_so_rather_than_that_none_could_be_read(
        self, client, editor, team
    ):
        client.force_login(editor)
        components = "\n---\n".join(
            "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
            f"metadata: {{name: s{n}}}\nspec: {{type: service}}"
            for n in range(501)
        )
        files = [SimpleUploadedFile("catalog-info.yaml", components.encode())]
        response = client.post(_upload_url(team), {"files": files, "into": ""})
        assert response.status_code == 200
        assert "These files describe more than one import takes" in response.text
        assert "501 services (at most 500)" in response.text
        assert "None of the files could be read" not in response.text

    def test_no_file_is_refused_next_to_the_field(self, client, editor, team):
        client.force_login(editor)
        response = client.post(_upload_url(team), {"into": ""})
        assert response.status_code == 422
        assert "Choose one or more catalogue files." in response.text
        assert 'aria-invalid="true"' in response.text

    @override_settings(IMPORT_MAX_UPLOAD_BYTES=1000)
    def test_files_over_the_upload_limit_are_refused(self, client, editor, team):
        client.force_login(editor)
        response = client.post(_upload_url(team), {"files": _upload(*SHOP)})
        assert response.status_code == 422
        assert "at most 1000\xa0bytes can be uploaded at once" in response.text

    @override_settings(IMPORT_MAX_FILE_BYTES=1000)
    def test_a_file_over_the_file_limit_is_a_problem_of_its_own(self, client, editor, team):
        client.force_login(editor)
        response = _preview(client, team, "asyncapi/orders.yaml")
        assert "Larger than 1,000 bytes, the most Crossroads reads in one file" in response.text

    def test_another_teams_system_cannot_be_chosen(self, client, editor, team):
        foreign = SystemFactory(name="Theirs")
        client.force_login(editor)
        response = client.post(_upload_url(team), {"files": _upload(*SHOP), "into": foreign.pk})
        assert response.status_code == 422
        assert "Select a valid choice" in response.text

    def test_a_viewer_gets_403(self, client, viewer, team):
        client.force_login(viewer)
        assert client.get(_upload_url(team)).status_code == 403
        assert client.post(_upload_url(team), {"files": _upload(*SHOP)}).status_code == 403

    def test_another_team_gets_404(self, client, outsider, team):
        client.force_login(outsider)
        assert client.get(_upload_url(team)).status_code == 404

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        assert client.get(_upload_url(team)).url.startswith("/login/")

    def test_other_methods_get_405(self, client, editor, team):
        client.force_login(editor)
        assert client.put(_upload_url(team)).status_code == 405

    def test_the_pages_query_count_does_not_grow_with_the_teams_systems(
        self, client, editor, team, django_assert_max_num_queries
    ):
        client.force_login(editor)
        client.get(_upload_url(team))
        for number in range(15):
            SystemFactory(team=team, name=f"System {number}")
        with django_assert_max_num_queries(6):
            assert client.get(_upload_url(team)).status_code == 200

    def test_the_team_page_links_to_the_import(self, client, editor, team):
        client.force_login(editor)
        response = client.get(reverse("team_detail", args=[team.slug]))
        assert f'href="{_upload_url(team)}"' in response.text


class TestConfirm:
    def test_it_creates_the_new_system_with_what_the_preview_showed(self, client, editor, team):
        client.force_login(editor)
        token = _token(_preview(client, team, *SHOP))
        response = client.post(
            _confirm_url(team),
            {"plan": token, "system-name": "Order flow", "system-description": "From files."},
        )
        system = System.objects.get(team=team, name="Order flow")
        assert response.status_code == 302
        assert response.url in (
            reverse("system_detail", args=[system.pk]), _map_url(system),
        )  # fmt: skip
        assert system.description == "From files."
        assert sorted(system.services.values_list("name", flat=True)) == [
            "Orders", "Payments", "Warehouse",
        ]  # fmt: skip
        styles = dict(system.interactions.values_list("name", "style"))
        assert styles == {
            "Orders → Payments: payments.authorize": "request_reply",
            "Orders → Warehouse: orders.created": "async",
        }
        assert Assessment.objects.filter(interaction__system=system).count() == 2
        page = client.get(response.url)
        assert "Imported into “Order flow”: 3 services and 2 interactions created." in page.text

    def test_it_adds_to_an_existing_system_leaving_what_is_already_there(
        self, client, editor, team
    ):
        system = SystemFactory(team=team, name="Shop")
        ServiceFactory(system=system, name="orders", description="Ours.")
        interaction = make_interaction(system=system, name="Orders → Warehouse: Orders.Created")
        client.force_login(editor)
        preview = _preview(client, team, *SHOP, into=system.pk)
        assert "Add 2 services and 1 interaction to Shop" in preview.text
        assert "Already there" in preview.text
        response = client.post(_confirm_url(team), {"plan": _token(preview)})
        assert response.status_code == 302
        names = set(system.services.values_list("name", flat=True))
        assert {"orders", "Payments", "Warehouse"} <= names and "Orders" not in names
        assert Service.objects.get(system=system, name="orders").description == "Ours."
        assert system.interactions.count() == 2
        interaction.refresh_from_db()
        assert interaction.name == "Orders → Warehouse: Orders.Created"
        (created,) = system.interactions.exclude(pk=interaction.pk)
        assert (created.source.name, created.target.name) == ("orders", "Payments")
        page = client.get(response.url)
        assert "1 service and 1 interaction with names the system already had" in page.text

    def test_a_changed_plan_is_refused_with_400_and_nothing_is_created(self, client, editor, team):
        client.force_login(editor)
        token = _token(_preview(client, team, *SHOP))
        tampered = token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB")
        response = client.post(_confirm_url(team), {"plan": tampered, "system-name": "X"})
        assert response.status_code == 400
        assert "This preview was changed after Crossroads made it." in response.text
        assert not System.objects.filter(team=team).exists()

    def test_a_plan_made_for_another_team_is_refused(self, client, editor, team, other_team):
        MembershipFactory(team=other_team, user=editor, role=Role.EDITOR)
        client.force_login(editor)
        token = _token(_preview(client, other_team, *SHOP))
        response = client.post(_confirm_url(team), {"plan": token, "system-name": "X"})
        assert response.status_code == 400
        assert "made for another team or person" in response.text
        assert not System.objects.exists()

    def test_a_plan_made_for_someone_else_is_refused(self, client, editor, owner, team):
        plan = plan_from_files([(p, (FIXTURES / p).read_bytes()) for p in SHOP])
        token = plan_token(team=team, user=owner, system=None, plan=plan)
        client.force_login(editor)
        response = client.post(_confirm_url(team), {"plan": token, "system-name": "X"})
        assert response.status_code == 400

    def test_an_old_preview_is_refused(self, client, editor, team):
        plan = plan_from_files([(p, (FIXTURES / p).read_bytes()) for p in SHOP])
        with mock.patch("django.core.signing.time.time", return_value=1_000_000):
            token = plan_token(team=team, user=editor, system=None, plan=plan)
        client.force_login(editor)
        response = client.post(_confirm_url(team), {"plan": token, "system-name": "X"})
        assert response.status_code == 400
        assert "This preview is more than 12 hours old." in response.text

    def test_a_taken_name_is_shown_next_to_the_field_and_nothing_is_created(
        self, client, editor, team
    ):
        SystemFactory(team=team, name="Shop")
        client.force_login(editor)
        token = _token(_preview(client, team, *SHOP))
        response = client.post(_confirm_url(team), {"plan": token, "system-name": "shop"})
        assert response.status_code == 422
        assert "There is already a system in this team called “shop”." in response.text
        assert _token(response) == token  # the preview stays confirmable
        assert not Service.objects.exists()

    def test_an_error_half_way_leaves_nothing_behind(self, client, editor, team):
        # The package exports the function under the module's name: reach the module.
        importing = importlib.import_module("advisor.services.catalog_import")
        calls = []

        def fail_the_second(**kwargs):
            calls.append(kwargs["name"])
            if len(calls) == 2:
                raise ValidationError("There is already an interaction in this system called …")
            return real(**kwargs)

        real = importing.interaction_create
        client.force_login(editor)
        token = _token(_preview(client, team, *SHOP))
        with mock.patch.object(importing, "interaction_create", side_effect=fail_the_second):
            response = client.post(_confirm_url(team), {"plan": token, "system-name": "Shop"})
        assert response.status_code == 409
        assert "Nothing was imported." in response.text
        assert len(calls) == 2
        assert not System.objects.exists() and not Interaction.objects.exists()

    def test_a_system_deleted_since_the_preview_stops_the_import(self, client, editor, team):
        system = SystemFactory(team=team, name="Shop")
        client.force_login(editor)
        token = _token(_preview(client, team, *SHOP, into=system.pk))
        system.delete()
        response = client.post(_confirm_url(team), {"plan": token})
        assert response.status_code == 409
        assert "has been deleted since the preview" in response.text
        assert not Service.objects.exists()

    def test_names_from_files_are_shown_as_text(self, client, editor, team):
        text = (
            "asyncapi: 3.0.0\ninfo: {title: '<script>alert(1)</script>', version: '1'}\n"
            "channels: {c: {address: x}}\n"
            "operations: {o: {action: send, channel: {$ref: '#/channels/c'}}}\n"
        )
        client.force_login(editor)
        upload = SimpleUploadedFile("x.yaml", text.encode())
        preview = client.post(_upload_url(team), {"files": [upload]})
        assert "<script>alert" not in preview.text
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in preview.text
        response = client.post(_confirm_url(team), {"plan": _token(preview), "system-name": "S"})
        page = client.get(reverse("system_detail", args=[System.objects.get(name="S").pk]))
        assert response.status_code == 302
        assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text

    def test_a_viewer_gets_403_and_nothing_is_created(self, client, viewer, owner, team):
        plan = plan_from_files([(p, (FIXTURES / p).read_bytes()) for p in SHOP])
        token = plan_token(team=team, user=viewer, system=None, plan=plan)
        client.force_login(viewer)
        response = client.post(_confirm_url(team), {"plan": token, "system-name": "X"})
        assert response.status_code == 403
        assert not System.objects.exists()

    def test_another_team_gets_404(self, client, outsider, team):
        client.force_login(outsider)
        assert client.post(_confirm_url(team), {"plan": "x"}).status_code == 404

    def test_it_refuses_get_with_405(self, client, editor, team):
        client.force_login(editor)
        assert client.get(_confirm_url(team)).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        assert client.post(_confirm_url(team), {"plan": "x"}).url.startswith("/login/")

    @pytest.mark.parametrize("size", [2, 8])
    def test_its_query_count_grows_only_by_a_few_queries_per_row(
        self, client, editor, team, size, django_assert_max_num_queries
    ):
        """Each service is its insert in a savepoint, each interaction its row and its
        draft in two; everything else is a fixed cost."""
        plan = plan_from_files([("catalog-info.yaml", _chain(size))])
        assert (len(plan.services), len(plan.interactions)) == (size + 1, size)
        token = plan_token(team=team, user=editor, system=None, plan=plan)
        client.force_login(editor)
        services, interactions = len(plan.services), len(plan.interactions)
        with django_assert_max_num_queries(12 + 3 * services + 6 * interactions):
            response = client.post(_confirm_url(team), {"plan": token, "system-name": "Big"})
        assert response.status_code == 302
        assert Interaction.objects.filter(system__name="Big").count() == size


def _chain(size: int) -> bytes:
    """Components s0 → s1 → … → s<size>, each depending on the next."""
    documents = [
        f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {{name: s{n}}}\n"
        f"spec: {{type: service, dependsOn: [component:s{n + 1}]}}\n"
        for n in range(size + 1)
    ]
    return "---\n".join(documents).encode()


def _map_url(system) -> str:
    try:
        return reverse("system_map", args=[system.pk])
    except NoReverseMatch:  # the map page is not there
        return ""
