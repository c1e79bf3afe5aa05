"""The system map as Graphviz draws it: a well-formed SVG for a page, every service and
interaction linked, names shown as typed, patterns and states told apart, redrawn from the
cache, and drawn another way when `dot` takes too long."""

from __future__ import annotations

import subprocess
import xml.etree.ElementTree as ET

import pytest
from django.core.cache import caches

from advisor import services
from advisor.models import Assessment, Style
from advisor.system_map import drawing
from advisor.system_map.analysis import analyse_system
from advisor.system_map.drawing import map_dot, map_svg, map_svg_document
from advisor.system_map.facts import system_facts
from decisions import services as decision_services
from decisions.models import Status
from tests.factories import (
    SOMEONE_WAITS,
    ServiceFactory,
    SystemFactory,
    UserFactory,
    record_decision,
)

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
XLINK_HREF = "{http://www.w3.org/1999/xlink}href"
QUERY = {**SOMEONE_WAITS, "operation": "query"}


@pytest.fixture(autouse=True)
def _no_drawn_maps():
    caches["maps"].clear()
    yield
    caches["maps"].clear()


class Shop:
    """A system of named services, and interactions between them made the app's way."""

    def __init__(self, *names: str, system_name: str = "Storefront") -> None:
        self.system = SystemFactory(name=system_name)
        self.user = UserFactory()
        self.services = {name: ServiceFactory(system=self.system, name=name) for name in names}

    def call(self, source: str, target: str, style: str = Style.SYNC, name: str = "", answers=None):
        interaction = services.interaction_create(
            system=self.system, source=self.services[source], target=self.services[target],
            name=name or f"{source} to {target}", description="", user=self.user, style=style,
        )  # fmt: skip
        if answers:
            Assessment.objects.filter(interaction=interaction).update(answers=answers)
        return interaction

    def facts(self):
        return system_facts(self.system)

    def svg(self) -> str:
        facts = self.facts()
        return map_svg(facts, analyse_system(facts))

    def drawing(self) -> ET.Element:
        return ET.fromstring(self.svg())


def _accept(decision):
    decision_services.decision_change_status(
        decision=decision, user=decision.deciders.first(), status=Status.ACCEPTED,
        base_version=decision.version,
    )  # fmt: skip
    decision.refresh_from_db()
    return decision


def _shape(root: ET.Element, element_id: str) -> ET.Element:
    """The first line or box drawn for a service or an interaction."""
    group = root.find(f".//{SVG}g[@id='{element_id}']")
    assert group is not None, element_id
    return next(path for path in group.iter(f"{SVG}path") if path.get("class") != "hit-area")


def _texts(root: ET.Element, element_id: str) -> list[str]:
    group = root.find(f".//{SVG}g[@id='{element_id}']")
    return [text.text or "" for text in group.iter(f"{SVG}text")]


def test_every_service_and_interaction_is_in_the_svg_with_a_link_to_its_page():
    shop = Shop("Checkout", "Orders", "Payments")
    first = shop.call("Checkout", "Orders", name="Create the order")
    second = shop.call("Orders", "Payments", Style.ASYNC, name="Capture the payment")
    root = shop.drawing()
    for service in shop.services.values():
        link = root.find(f".//{SVG}g[@id='map-service-{service.pk}']//{SVG}a")
        assert link.get(XLINK_HREF) == f"/services/{service.pk}/"
        assert _texts(root, f"map-service-{service.pk}") == [service.name]
    for interaction in (first, second):
        link = root.find(f".//{SVG}g[@id='map-interaction-{interaction.pk}']//{SVG}a")
        assert link.get(XLINK_HREF) == f"/interactions/{interaction.pk}/"
    edge = root.find(f".//{SVG}g[@id='map-interaction-{first.pk}']")
    # A wide, invisible line along the arrow takes the clicks that miss the thin one.
    hit_area = edge.find(f".//{SVG}a/{SVG}path[@class='hit-area']")
    assert hit_area.get("d") == _shape(root, f"map-interaction-{first.pk}").get("d")
    assert hit_area.get("stroke-opacity") == "0" and hit_area.get("stroke-width") == "12"
    assert edge.find(f"{SVG}title").text == (
        "Checkout → Orders: Create the order — Synchronous request-response "
        "(as it works today), no decision yet"
    )


def test_the_svg_is_ready_for_a_page_and_scales_to_its_width():
    shop = Shop("Checkout", "Orders")
    shop.call("Checkout", "Orders")
    svg = shop.svg()
    assert svg.startswith("<svg ")
    for absent in ("<?xml", "<!DOCTYPE", "<!--", "style=", "<script"):
        assert absent not in svg
    root = ET.fromstring(svg)
    assert root.get("id") == "system-map" and root.get("role") == "img"
    assert root.get("aria-label") == "Map of the system Storefront"
    assert root.find(f"{SVG}title").text == "Map of the system Storefront"
    assert root.get("viewBox") and root.get("height") is None
    # Graphviz's own node names never show as tooltips.
    titles = {title.text for title in root.iter(f"{SVG}title")}
    assert not any(title.startswith("s") and title[1:].isdigit() for title in titles)


def test_the_file_for_its_own_tab_keeps_its_natural_size_and_its_prolog():
    shop = Shop("Checkout", "Orders")
    shop.call("Checkout", "Orders")
    facts = shop.facts()
    document = map_svg_document(facts, analyse_system(facts))
    assert document.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<svg ')
    root = ET.fromstring(document.encode())
    assert root.get("width").endswith("pt") and root.get("height").endswith("pt")


@pytest.mark.parametrize(
    "name",
    ['<script>alert("boo")</script>', "Quotes \" and ' and \\N \\l & &amp; <b>bold</b>"],
)
def test_hostile_names_are_shown_exactly_as_typed_and_never_as_markup(name):
    shop = Shop(name, "Orders", system_name=name)
    interaction = shop.call(name, "Orders", name=f"{name} call")
    svg = shop.svg()
    assert "<script" not in svg and "<b>" not in svg
    root = ET.fromstring(svg)
    service = shop.services[name]
    node = root.find(f".//{SVG}g[@id='map-service-{service.pk}']")
    assert node.find(f"{SVG}title").text == name
    shown = "".join(_texts(root, f"map-service-{service.pk}"))
    assert shown.replace(" ", "") == name.replace(" ", "")  # wrapped, never rewritten
    edge = root.find(f".//{SVG}g[@id='map-interaction-{interaction.pk}']")
    assert edge.find(f"{SVG}title").text.startswith(f"{name} → Orders: {name} call — ")
    assert root.get("aria-label") == f"Map of the system {name}"


def test_a_long_name_is_wrapped_over_several_lines_and_a_very_long_one_shortened():
    long, longer = "Customer notification preferences service", "Very long name " * 8
    shop = Shop(long, longer.strip())
    root = shop.drawing()
    lines = _texts(root, f"map-service-{shop.services[long].pk}")
    assert lines == ["Customer", "notification", "preferences service"]
    lines = _texts(root, f"map-service-{shop.services[longer.strip()].pk}")
    assert len(lines) == 4 and lines[-1].endswith("…")


def test_the_line_shows_the_pattern_by_colour_and_the_state_by_its_style():
    shop = Shop("Web", "Orders", "Mailer", "Stock", "Ledger", "Search")
    undecided = shop.call("Web", "Orders", Style.SYNC)
    unknown = shop.call("Orders", "Search", Style.UNKNOWN)
    proposed = shop.call("Orders", "Stock", Style.ASYNC, answers=QUERY)
    record_decision(proposed, chosen_option="sync")
    accepted = shop.call("Orders", "Ledger", answers=QUERY)
    _accept(record_decision(accepted, chosen_option="request_reply",
                            justification="The ledger restarts nightly."))  # fmt: skip
    stale = shop.call("Web", "Mailer", answers=QUERY)
    _accept(record_decision(stale))
    Assessment.objects.filter(interaction=stale).update(
        answers={**QUERY, "consistency": "eventual"}
    )
    root = shop.drawing()

    line = _shape(root, f"map-interaction-{undecided.pk}")
    assert line.get("stroke") == "#0072b2" and line.get("stroke-dasharray") == "1,5"
    assert float(line.get("stroke-opacity")) < 1
    line = _shape(root, f"map-interaction-{unknown.pk}")
    assert line.get("stroke") == "#6e6e6e"
    line = _shape(root, f"map-interaction-{proposed.pk}")
    assert line.get("stroke") == "#0072b2" and line.get("stroke-dasharray") == "5,2"
    assert line.get("stroke-opacity") is None
    line = _shape(root, f"map-interaction-{accepted.pk}")
    assert line.get("stroke") == "#e69f00" and line.get("stroke-dasharray") is None
    # Against the advice, and stale: a marker that reads without colour.
    assert _texts(root, f"map-interaction-{accepted.pk}") == ["≠ advice"]
    assert _texts(root, f"map-interaction-{stale.pk}") == ["stale"]
    assert _texts(root, f"map-interaction-{undecided.pk}") == []


def test_the_longest_chain_is_thicker_cycles_are_flagged_and_hot_spots_stand_out():
    shop = Shop("Edge", "Orders", "Stock", "Ping", "Pong", "Web", "App", "Admin", "Auth")
    first, second = shop.call("Edge", "Orders"), shop.call("Orders", "Stock")
    ping, pong = shop.call("Ping", "Pong"), shop.call("Pong", "Ping")
    for caller in ("Web", "App", "Admin"):
        shop.call(caller, "Auth")
    root = shop.drawing()
    for edge in (first, second):
        assert _shape(root, f"map-interaction-{edge.pk}").get("stroke-width") == "4"
    for edge in (ping, pong):
        assert _shape(root, f"map-interaction-{edge.pk}").get("stroke") == "#d55e00"
        assert _texts(root, f"map-interaction-{edge.pk}") == ["cycle"]
    box = _shape(root, f"map-service-{shop.services['Auth'].pk}")
    assert box.get("stroke-width") == "3" and box.get("fill") == "#fcefc7"
    plain = _shape(root, f"map-service-{shop.services['Web'].pk}")
    assert plain.get("stroke-width") is None and plain.get("fill") == "#f4f6f8"


def test_an_unchanged_map_is_drawn_once_and_a_change_draws_it_again(monkeypatch):
    shop = Shop("Checkout", "Orders")
    shop.call("Checkout", "Orders")
    runs = []
    real_run = subprocess.run

    def counting_run(*args, **kwargs):
        runs.append(kwargs["input"])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(drawing.subprocess, "run", counting_run)
    first = shop.svg()
    assert shop.svg() == first
    assert len(runs) == 1
    ServiceFactory(system=shop.system, name="Payments")
    assert "Payments" in shop.svg()
    assert len(runs) == 2


def test_when_dot_takes_too_long_the_map_is_laid_out_by_sfdp(monkeypatch):
    shop = Shop("Checkout", "Orders", "Payments")
    shop.call("Checkout", "Orders")
    shop.call("Orders", "Payments")
    layouts = []
    real_run = subprocess.run

    def slow_dot(*args, **kwargs):
        layout = "sfdp" if b"layout=sfdp" in kwargs["input"] else "dot"
        layouts.append(layout)
        if layout == "dot":
            raise subprocess.TimeoutExpired("dot", kwargs["timeout"])
        return real_run(*args, **kwargs)

    monkeypatch.setattr(drawing.subprocess, "run", slow_dot)
    root = shop.drawing()
    assert layouts == ["dot", "sfdp"]
    assert all(
        root.find(f".//{SVG}g[@id='map-service-{service.pk}']") is not None
        for service in shop.services.values()
    )
    shop.svg()
    assert layouts == ["dot", "sfdp"]  # the fallback's drawing is kept for the next view


def test_when_graphviz_fails_there_is_no_map_and_it_is_not_retried_at_once(monkeypatch):
    shop = Shop("Checkout", "Orders")
    shop.call("Checkout", "Orders")
    attempts = []

    def broken(*args, **kwargs):
        attempts.append(1)
        raise subprocess.CalledProcessError(1, "dot", stderr=b"Error: syntax")

    monkeypatch.setattr(drawing.subprocess, "run", broken)
    assert shop.svg() == ""
    assert shop.svg() == ""
    assert len(attempts) == 2  # dot, then sfdp, once


def test_a_large_system_goes_straight_to_sfdp(monkeypatch):
    monkeypatch.setattr(drawing, "DOT_SERVICE_LIMIT", 5)
    small, large = Shop("A", "B", "C", "D", "E"), Shop(*"ABCDEF")
    assert "layout=dot" in map_dot(small.facts(), None)
    assert "layout=sfdp" in map_dot(large.facts(), None)
    assert ET.fromstring(large.svg()).get("id") == "system-map"
