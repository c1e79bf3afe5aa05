"""The system's map page, the map as a file of its own, and a service's page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.core.cache import caches
from django.urls import reverse

from advisor import services
from advisor.models import Assessment, Style
from advisor.system_map import drawing
from tests.factories import (
    SOMEONE_WAITS,
    ServiceFactory,
    SystemFactory,
    UserFactory,
    record_decision,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_drawn_maps():
    caches["maps"].clear()
    yield
    caches["maps"].clear()


class Shop:
    """A team's system of named services and the interactions between them."""

    def __init__(self, team, *names: str) -> None:
        self.system = SystemFactory(team=team, name="Storefront")
        self.user = UserFactory()
        self.services = {name: ServiceFactory(system=self.system, name=name) for name in names}

    def call(self, source: str, target: str, style: str = Style.SYNC, name: str = ""):
        for service in (source, target):
            if service not in self.services:
                self.services[service] = ServiceFactory(system=self.system, name=service)
        return services.interaction_create(
            system=self.system, source=self.services[source], target=self.services[target],
            name=name or f"{source} to {target}", description="", user=self.user, style=style,
        )  # fmt: skip


@pytest.fixture
def shop(team):
    """Checkout waits on Orders, which waits on Payments and Stock; Stock is also called
    by three more services; Orders tells the Mailer by message; Fraud and Risk wait on
    each other."""
    shop = Shop(team, "Checkout", "Orders", "Payments", "Stock", "Mailer")
    shop.call("Checkout", "Orders", name="Create the order")
    shop.call("Orders", "Payments", name="Authorise the payment")
    shop.call("Orders", "Stock", name="Reserve stock")
    shop.call("Orders", "Mailer", Style.ASYNC, name="Send the receipt")
    for caller in ("Search", "Admin", "Pricing"):
        shop.call(caller, "Stock")
    shop.call("Fraud", "Risk")
    shop.call("Risk", "Fraud")
    return shop


def _url(name: str, obj) -> str:
    return reverse(name, args=[obj.pk])


class TestSystemMap:
    def test_it_shows_the_map_its_legend_the_chain_analysis_and_the_list(
        self, client, viewer, shop
    ):
        client.force_login(viewer)
        response = client.get(_url("system_map", shop.system))
        assert response.status_code == 200
        page = response.text
        svg = page[page.index("<svg ") : page.index("</svg>", page.index('id="system-map"'))]
        assert 'id="system-map"' in svg
        assert f'xlink:href="{_url("service_detail", shop.services["Stock"])}"' in page
        assert "How to read the map" in page and "Synchronous request-response" in page
        # The longest chain, its estimate, the cycle, the hot spot and the breaker.
        assert "2 hops: the first service waits" in page
        assert "Assumed 50 ms typical" in page
        assert "No latency budget answered on this chain" in page
        assert page.count('<span class="badge text-bg-danger">High</span>') == 1  # the cycle
        assert "Stock</a>: 4 services call it synchronously; 5 depend on it." in page
        assert "Send the receipt</a> (Orders → Mailer, Asynchronous messaging" in page
        assert "as a call it would make a chain of 2 hops." in page
        assert "The map as a list" in page and "No decision yet" in page
        # Tabs, and the link to the map on its own.
        assert 'aria-current="page" href="' + _url("system_map", shop.system) in page
        assert _url("system_map_svg", shop.system) in page

    def test_no_key_of_the_framework_shows(self, client, viewer, shop):
        client.force_login(viewer)
        page = client.get(_url("system_map", shop.system)).text
        visible = page.replace(page[page.index("<svg ") : page.rindex("</svg>")], "")
        for key in ("request_reply", "cqrs_lite", "chain_depth", ">sync<", ">async<"):
            assert key not in visible

    def test_long_lists_of_the_analysis_show_the_first_few_and_disclose_the_rest(
        self, client, viewer, team
    ):
        shop = Shop(team, "Web", "Orders")
        shop.call("Web", "Orders")
        for number in range(9):
            shop.call("Orders", f"Listener {number}", Style.ASYNC, name=f"Tell listener {number}")
        client.force_login(viewer)
        page = client.get(_url("system_map", shop.system)).text
        shown, rest = page.split('<summary class="small">1 more</summary>')
        assert shown.count("as a call it would make a chain of 2 hops.") == 8
        assert rest.count("as a call it would make a chain of 2 hops.") == 1

    def test_an_empty_system_says_what_to_add(self, client, viewer, team):
        system = SystemFactory(team=team)
        client.force_login(viewer)
        page = client.get(_url("system_map", system)).text
        assert "This system has no services yet, so there is nothing to draw." in page
        assert 'id="system-map"' not in page and "Chains of calls" not in page

    def test_services_without_interactions_are_drawn_alone(self, client, viewer, team):
        shop = Shop(team, "Checkout", "Orders")
        client.force_login(viewer)
        page = client.get(_url("system_map", shop.system)).text
        assert 'id="system-map"' in page
        assert "No interactions yet, so the services stand alone." in page
        assert "No synchronous calls: no request waits on a chain of calls." in page
        assert "The map as a list" not in page

    def test_a_budget_answered_on_the_chain_is_compared_with_its_estimate(
        self, client, viewer, team
    ):
        shop = Shop(team, "Web", "Orders", "Stock")
        first = shop.call("Web", "Orders")
        shop.call("Orders", "Stock")
        Assessment.objects.filter(interaction=first).update(
            answers={"latency_budget_ms": 100, "per_hop_p50_ms": 80, "per_hop_p99_ms": 400}
        )
        client.force_login(viewer)
        page = client.get(_url("system_map", shop.system)).text
        assert "Over the latency budget of 100 ms." in page
        assert "Per hop: 80 ms typical, 400 ms for the slowest 1%" in page

    def test_a_map_graphviz_cannot_draw_still_shows_the_analysis(
        self, client, viewer, shop, monkeypatch
    ):
        def fails(source: str) -> str:
            raise drawing.LayoutFailed("no layout within 20 s")

        monkeypatch.setattr(drawing, "_run_graphviz", fails)
        client.force_login(viewer)
        page = client.get(_url("system_map", shop.system)).text
        assert "The map could not be drawn just now" in page
        assert 'id="system-map"' not in page and "Open the map on its own" not in page
        assert "Chains of calls" in page and "The map as a list" in page

    def test_its_query_count_does_not_grow_with_the_system(
        self, client, viewer, team, django_assert_max_num_queries
    ):
        shop = Shop(team, "Hub")
        for number in range(3):
            shop.call("Hub", f"Leaf {number}")
        client.force_login(viewer)
        url = _url("system_map", shop.system)
        client.get(url)
        with django_assert_max_num_queries(12) as small:
            client.get(url)
        for number in range(3, 30):
            shop.call(f"Leaf {number - 1}", f"Leaf {number}")
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200

    def test_another_team_gets_404(self, client, outsider, shop):
        client.force_login(outsider)
        assert client.get(_url("system_map", shop.system)).status_code == 404

    def test_it_refuses_post_with_405(self, client, editor, shop):
        client.force_login(editor)
        assert client.post(_url("system_map", shop.system)).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, shop):
        assert client.get(_url("system_map", shop.system)).url.startswith("/login/")


class TestSystemMapSvg:
    def test_it_is_an_svg_file_to_open_in_a_tab(self, client, viewer, shop):
        client.force_login(viewer)
        response = client.get(_url("system_map_svg", shop.system))
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
        assert "Content-Disposition" not in response
        assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
        root = ET.fromstring(response.content)
        assert root.get("aria-label") == "Map of the system Storefront"
        assert len(root.findall(".//{http://www.w3.org/2000/svg}g[@class='edge']")) == 9

    def test_a_system_without_services_has_no_map_file(self, client, viewer, team):
        client.force_login(viewer)
        assert client.get(_url("system_map_svg", SystemFactory(team=team))).status_code == 404

    def test_a_map_graphviz_cannot_draw_answers_503(self, client, viewer, shop, monkeypatch):
        def fails(source: str) -> str:
            raise drawing.LayoutFailed("Graphviz failed")

        monkeypatch.setattr(drawing, "_run_graphviz", fails)
        client.force_login(viewer)
        assert client.get(_url("system_map_svg", shop.system)).status_code == 503

    def test_its_query_count_does_not_grow_with_the_system(
        self, client, viewer, team, django_assert_max_num_queries
    ):
        shop = Shop(team, "Hub")
        for number in range(3):
            shop.call("Hub", f"Leaf {number}")
        client.force_login(viewer)
        url = _url("system_map_svg", shop.system)
        client.get(url)
        with django_assert_max_num_queries(10) as small:
            client.get(url)
        for number in range(3, 30):
            shop.call(f"Leaf {number - 1}", f"Leaf {number}")
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200

    def test_another_team_gets_404(self, client, outsider, shop):
        client.force_login(outsider)
        assert client.get(_url("system_map_svg", shop.system)).status_code == 404

    def test_it_refuses_post_with_405(self, client, editor, shop):
        client.force_login(editor)
        assert client.post(_url("system_map_svg", shop.system)).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, shop):
        assert client.get(_url("system_map_svg", shop.system)).url.startswith("/login/")


class TestServiceDetail:
    def test_it_lists_callers_and_callees_with_their_pattern_and_state(self, client, viewer, shop):
        client.force_login(viewer)
        response = client.get(_url("service_detail", shop.services["Orders"]))
        assert response.status_code == 200
        page = response.text
        callers = page[page.index("Who calls it") : page.index("What it calls")]
        callees = page[page.index("What it calls") :]
        assert "Create the order" in callers and "Reserve stock" not in callers
        for name in ("Authorise the payment", "Reserve stock", "Send the receipt"):
            assert name in callees
        assert "Asynchronous messaging" in callees and "No decision yet" in callees
        assert "It is on the system's longest synchronous chain (2 hops)" in page
        assert "Edit service" not in page  # a viewer cannot

    def test_a_hot_spot_and_a_cycle_are_pointed_out(self, client, editor, shop):
        client.force_login(editor)
        page = client.get(_url("service_detail", shop.services["Stock"])).text
        assert "Hot spot</span> 4 services call it synchronously; 5 depend on it." in page
        assert "Edit service" in page
        page = client.get(_url("service_detail", shop.services["Fraud"])).text
        assert "It waits on services that wait on it in turn" in page

    def test_a_decision_is_linked_from_the_interaction_it_settles(self, client, viewer, team):
        shop = Shop(team, "Web", "Orders")
        interaction = shop.call("Web", "Orders")
        Assessment.objects.filter(interaction=interaction).update(
            answers={**SOMEONE_WAITS, "operation": "query"}
        )
        decision = record_decision(interaction)
        client.force_login(viewer)
        page = client.get(_url("service_detail", shop.services["Web"])).text
        assert f'<a href="{_url("decision_detail", decision)}">{decision.reference}</a>' in page
        assert "Proposed" in page

    def test_a_lone_service_says_nobody_calls_it(self, client, viewer, team):
        shop = Shop(team, "Lonely")
        client.force_login(viewer)
        page = client.get(_url("service_detail", shop.services["Lonely"])).text
        assert "No service calls or messages it." in page
        assert "It calls or messages no other service." in page

    def test_its_query_count_does_not_grow_with_the_system(
        self, client, viewer, team, django_assert_max_num_queries
    ):
        shop = Shop(team, "Hub")
        for number in range(3):
            shop.call("Hub", f"Leaf {number}")
        client.force_login(viewer)
        url = _url("service_detail", shop.services["Hub"])
        client.get(url)
        with django_assert_max_num_queries(12) as small:
            client.get(url)
        for number in range(3, 30):
            shop.call("Hub", f"Leaf {number}")
        with django_assert_max_num_queries(len(small.captured_queries)):
            assert client.get(url).status_code == 200

    def test_another_team_gets_404(self, client, outsider, shop):
        client.force_login(outsider)
        assert client.get(_url("service_detail", shop.services["Orders"])).status_code == 404

    def test_it_refuses_post_with_405(self, client, editor, shop):
        client.force_login(editor)
        assert client.post(_url("service_detail", shop.services["Orders"])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, shop):
        response = client.get(_url("service_detail", shop.services["Orders"]))
        assert response.url.startswith("/login/")


def test_the_system_page_has_the_tabs_and_links_each_service_to_its_page(client, viewer, shop):
    client.force_login(viewer)
    page = client.get(_url("system_detail", shop.system)).text
    assert f'href="{_url("system_map", shop.system)}">Map</a>' in page
    stock = shop.services["Stock"]
    assert f'<a class="fw-semibold" href="{_url("service_detail", stock)}">Stock</a>' in page
