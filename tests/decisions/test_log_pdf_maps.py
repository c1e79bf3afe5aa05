"""The whole-log PDF's system maps: after the contents, the exported system's map, or each
system's that has interactions, by name; listed in the contents and bookmarked, with the
contents' page numbers still pointing at where every decision starts."""

from __future__ import annotations

import io
import re
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from advisor import services
from advisor.models import Style
from tests.decisions.test_log_pdf import _contents, _pages, _render, _words
from tests.factories import ServiceFactory, SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db

MAP_LINE = re.compile(r"^\s*Map\s+(System map.*?)\s*(?:\.\s*)+(\d+)\s*$")


def _map_lines(pages: list[str]) -> dict[str, int]:
    """The contents' map lines: their text -> the page number they give."""
    found = {}
    for line in pages[1].splitlines():
        match = MAP_LINE.match(line)
        if match:
            found[match.group(1)] = int(match.group(2))
    return found


def _system(team, owner, name: str, *services_in_order: str):
    """A system whose services call one another synchronously, in a line, with a decision
    recorded on the first call."""
    system = SystemFactory(team=team, name=name)
    made = [ServiceFactory(system=system, name=service) for service in services_in_order]
    calls = []
    for source, target in pairwise(made):
        call = services.interaction_create(
            system=system, source=source, target=target, name=f"{source.name} asks",
            description="", user=owner, style=Style.SYNC,
        )  # fmt: skip
        calls.append(call)
    record_decision(calls[0], user=owner, title=f"How {name} starts its chain")
    return system


def _starts_match_the_contents(pages: list[str]) -> None:
    for reference, (_, number) in _contents(pages).items():
        assert f"Checkout · {reference} ·" in _words(pages[number - 1])
        assert f"Checkout · {reference} ·" not in _words(pages[number - 2])


def test_a_systems_log_prints_its_map_after_the_contents(team, owner, tmp_path):
    _system(team, owner, "Shop", "Basket", "Checkout", "Inventory", "Warehouse")
    _system(team, owner, "Payments", "Cards", "Bank")
    pdf = _render(team, system="Shop", workers=1)
    pages = _pages(pdf, tmp_path)
    drawn = _words(pages[2])
    assert "Checkout · System map · Shop" in drawn
    assert "4 services · 3 interactions · longest synchronous chain: 3 hops" in drawn
    for name in ("Basket", "Checkout", "Inventory", "Warehouse"):
        assert name in drawn
    assert "Cards" not in " ".join(pages)
    assert _map_lines(pages) == {"System map": 3}
    assert [number for _, number in _contents(pages).values()] == [4]
    _starts_match_the_contents(pages)
    text = " ".join(
        " ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(pdf)).pages
    )
    assert "System map" in text and "Warehouse" in text


def test_a_map_wider_than_tall_is_printed_on_its_side(team, owner, tmp_path):
    _system(team, owner, "Shop", "Basket", "Checkout", "Inventory", "Warehouse")
    reader = PdfReader(io.BytesIO(_render(team, system="Shop", workers=1)))
    drawn, contents = reader.pages[2].mediabox, reader.pages[1].mediabox
    assert drawn.width > drawn.height
    assert contents.width < contents.height


def test_a_teams_log_maps_each_system_with_interactions_by_name(team, owner, tmp_path):
    _system(team, owner, "Shop", "Basket", "Checkout")
    _system(team, owner, "Payments", "Cards", "Bank", "Ledger")
    ServiceFactory(system=SystemFactory(team=team, name="Archive"), name="Tape")
    pdf = _render(team, workers=1)
    pages = _pages(pdf, tmp_path)
    assert "Checkout · System map · Payments" in _words(pages[2])
    assert "3 services · 2 interactions · longest synchronous chain: 2 hops" in _words(pages[2])
    assert "Checkout · System map · Shop" in _words(pages[3])
    assert "Tape" not in " ".join(pages) and "Archive" not in " ".join(pages)
    assert _map_lines(pages) == {"System map: Payments": 3, "System map: Shop": 4}
    assert _contents(pages)["ADR-0001"][1] == 5
    _starts_match_the_contents(pages)
    reader = PdfReader(io.BytesIO(pdf))
    bookmarks = {
        item.title: reader.get_destination_page_number(item) + 1 for item in reader.outline
    }
    assert bookmarks["System map: Payments"] == 3 and bookmarks["System map: Shop"] == 4
    jumps = [  # the contents' lines are links to their pages, the maps' first
        reader.get_page_number(annotation.get_object()["/A"]["/D"][0].get_object()) + 1
        for annotation in reader.pages[1]["/Annots"]
    ]
    assert list(dict.fromkeys(jumps)) == [3, 4, *(n for _, n in _contents(pages).values())]
    assert list(bookmarks).index("System map: Shop") < list(bookmarks).index(
        "ADR-0001 How Shop starts its chain"
    )


def test_page_numbers_run_on_when_parts_render_in_worker_processes(team, owner, tmp_path):
    shop = _system(team, owner, "Shop", "Basket", "Checkout", "Inventory")
    interaction = shop.interactions.order_by("pk").last()
    for number in range(3):
        record_decision(interaction, user=owner, title=f"Decision {number}")
    pages = _pages(_render(team, workers=2, batch_size=1), tmp_path)
    total = len(pages)
    for number, page in enumerate(pages[1:], start=2):
        assert f"Page {number} of {total}" in _words(page)
    assert _map_lines(pages) == {"System map: Shop": 3}
    assert len(_contents(pages)) == 4
    _starts_match_the_contents(pages)


def test_a_log_whose_system_has_no_interactions_left_has_no_map(team, owner, tmp_path):
    interaction = make_interaction(system=SystemFactory(team=team, name="Shop"))
    record_decision(interaction, user=owner, title="Call stock directly")
    interaction.delete()
    pages = _pages(_render(team, system="Shop", workers=1), tmp_path)
    assert _map_lines(pages) == {}
    assert "System map" not in " ".join(pages)
    assert [number for _, number in _contents(pages).values()] == [3]


def test_the_queries_grow_with_the_systems_not_the_decisions(team, owner):
    shop = _system(team, owner, "Shop", "Basket", "Checkout", "Inventory")
    _render(team, workers=1)  # the frameworks are read once per process, then cached
    with CaptureQueriesContext(connection) as one_each:
        _render(team, workers=1)
    interaction = shop.interactions.order_by("pk").last()
    for number in range(4):
        record_decision(interaction, user=owner, title=f"Decision {number}")
    with CaptureQueriesContext(connection) as more_decisions:
        _render(team, workers=1)
    assert len(more_decisions.captured_queries) == len(one_each.captured_queries)
    _system(team, owner, "Payments", "Cards", "Bank")
    with CaptureQueriesContext(connection) as two_systems:
        _render(team, workers=1)
    assert len(two_systems.captured_queries) - len(more_decisions.captured_queries) <= 4
