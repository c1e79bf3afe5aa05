"""The system report as a PDF: a cover with the system's counts, the map printed without
its links on a page that fits it, the chain analysis, the review queue and the risk register
as numbered steps, in a fixed number of queries. Its lists print their first lines and say
how many more there are, so a large system's report stays a few pages long."""

from __future__ import annotations

import io
import re

import pytest
from django.urls import reverse
from pypdf import PdfReader

from advisor import services
from advisor.frameworks import team_framework
from advisor.models import Style
from advisor.system_map.report_pdf import printable_svg
from tests.advisor.test_system_review_page import Storefront, connect, decide, storefront
from tests.factories import NOBODY_WAITS, ServiceFactory, SystemFactory

pytestmark = pytest.mark.django_db
SVG_HEAD = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'


def url(system) -> str:
    return reverse("system_export_pdf", args=[system.pk])


def pages(response) -> list[str]:
    """Each page's text, its runs of white space made single spaces."""
    reader = PdfReader(io.BytesIO(response.content))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


def chained(shop: Storefront, owner) -> Storefront:
    """The storefront, with Inventory calling the Warehouse synchronously: Checkout waits on
    a chain of two hops when it reserves stock."""
    services.interaction_create(
        system=shop.system, source=shop.reserve.target, target=shop.restock.source,
        name="Hold stock in the warehouse", description="", user=owner, style=Style.SYNC,
    )  # fmt: skip
    return shop


def test_the_report_prints_the_map_chain_queue_and_register(client, viewer, owner, team):
    shop = chained(storefront(team, owner), owner)
    client.force_login(viewer)
    response = client.get(url(shop.system))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="storefront-system-report.pdf"'
    text = pages(response)
    cover, drawing = text[0], text[1]
    assert "SYSTEM REPORT Storefront Checkout" in cover
    assert "Services 5 Interactions 5" in cover
    assert "Stale decisions 1 Contradictions 1" in cover
    assert "Page 1 of" not in cover
    assert "SYSTEM MAP Storefront 5 services · 5 interactions" in drawing
    for name in ("Checkout", "Inventory", "Warehouse", "Fraud", "Mailer"):
        assert name in drawing
    assert "Synchronous request-response (solid arrowhead)" in drawing  # the legend
    assert "Dashed: proposed" in drawing
    assert f"Page 2 of {len(text)}" in drawing

    rest = " ".join(text[2:])
    assert "Checkout → Inventory → Warehouse: 2 synchronous hops." in rest
    assert "Assumed 50 ms (p50) and 250 ms (p99) per hop" in rest
    stale = rest[rest.index("Stale decisions (1)") : rest.index("Contradictions (1)")]
    assert shop.reserve_decision.reference in stale
    assert "How much extra latency can the user path absorb?" in stale
    assert "Conflicting freshness of the same data: Inventory" in rest
    assert "Against the advice (1)" in rest and shop.receipts_decision.reference in rest
    register = rest[rest.index("Risk register") :]
    assert re.search(r"A plan in \d+ steps, widest first", register)
    first = register[register.index("1. Put") : register.index("2. ")]
    assert "Score fraud risk Checkout → Fraud · High · No decision · Practice missing" in first
    assert "more interaction" not in rest  # nothing is left out of a small system's lists
    assert "Each step prints its" not in rest and "Each list prints its" not in rest


def test_no_framework_key_is_printed(client, owner, team):
    shop = chained(storefront(team, owner), owner)
    client.force_login(owner)
    words = set(re.findall(r"\w+", " ".join(pages(client.get(url(shop.system))))))
    framework = team_framework(team)
    keys = {rule.code for rule in framework.warnings} | set(framework.pattern_keys)
    keys |= {p.code for practices in framework.practices.values() for p in practices}
    keys |= {q.key for q in framework.questions} | {
        c.key for q in framework.questions for c in q.choices
    }
    # Plain words ("outbox", "yes") are English too; a key joined by underscores is not.
    assert words & {key for key in keys if "_" in key} == set()
    assert "sync" not in words and "request_reply" not in words


def test_names_are_printed_as_typed(client, owner, team):
    system = SystemFactory(team=team, name="Edge <b>")
    caller = ServiceFactory(system=system, name='<script>alert("x")</script>')
    receiver = ServiceFactory(system=system, name="Stock & Co")
    services.interaction_create(
        system=system, source=caller, target=receiver, name="Ask & wait", description="",
        user=owner, style=Style.SYNC,
    )  # fmt: skip
    client.force_login(owner)
    response = client.get(url(system))
    assert 'filename="edge-b-system-report.pdf"' in response["Content-Disposition"]
    text = " ".join(pages(response))
    assert "Edge <b>" in text and "Stock & Co" in text
    assert '<script>alert("x")</script> → Stock & Co: 1 synchronous hop.' in text


def test_a_system_without_interactions_still_gets_its_report(client, owner, team):
    system = SystemFactory(team=team, name="Greenfield")
    ServiceFactory(system=system, name="Lonely")
    client.force_login(owner)
    text = " ".join(pages(client.get(url(system))))
    assert "1 service · 0 interactions · no synchronous chain" in text
    assert "No interaction is synchronous" in text
    assert "Nothing to put in place" in text


def test_the_printed_map_has_no_links_and_fits_its_page():
    wide = (
        f'{SVG_HEAD} width="800pt" viewBox="0.00 0.00 800.00 200.00" id="system-map">'
        "<title>Map of the system Shop</title>"
        '<g class="node"><title>Orders</title><a xlink:href="/services/1/" xlink:title="Orders">'
        '<path stroke="#5a6270" d="M0,0L10,10"/><text>Orders</text></a></g>'
        '<g class="edge"><a xlink:href="/interactions/2/"><path d="M0,0L9,9" fill="none" '
        'stroke="#000000" stroke-opacity="0" stroke-width="12" class="hit-area" />'
        '<path stroke="#0072b2" d="M0,0L9,9"/></a></g></svg>'
    )
    printed, landscape = printable_svg(wide)
    assert landscape
    assert "<a" not in printed and "href" not in printed and "</a>" not in printed
    assert "<title" not in printed and "hit-area" not in printed
    assert '<g class="node"><path stroke="#5a6270" d="M0,0L10,10"/><text>Orders</text></g>' in (
        printed
    )
    assert '<g class="edge"><path stroke="#0072b2" d="M0,0L9,9"/></g>' in printed
    assert 'width="261.0mm" height="65.2mm"' in printed and "800pt" not in printed
    assert 'id="system-map"' not in printed
    tall, landscape = printable_svg(f'{SVG_HEAD} viewBox="0 0 100 300"><g/></svg>')
    assert not landscape and 'width="62.0mm" height="186.0mm"' in tall
    assert printable_svg("") == ("", False)


def test_the_queries_do_not_grow_with_the_system(client, owner, team, django_assert_num_queries):
    shop = chained(storefront(team, owner), owner)
    client.force_login(owner)
    client.get(url(shop.system))  # the framework is read once per process, then cached
    # Who is signed in (two), the system, then its facts: services, decisions, interactions.
    with django_assert_num_queries(6):
        client.get(url(shop.system))
    for number in range(6):
        source = ServiceFactory(system=shop.system, name=f"Store {number}")
        interaction = connect(shop.system, source, shop.reserve.target, f"Count stock {number}",
                              {**NOBODY_WAITS, "operation": "event"}, owner)  # fmt: skip
        decide(interaction, owner, accept=number % 2 == 0)
    with django_assert_num_queries(6):
        response = client.get(url(shop.system))
    assert "Count stock 5" in " ".join(pages(response))


def fan_in(team, owner, callers: int, decided: tuple[int, ...] = ()):
    """A system where `callers` stores each send the ledger a message, all answered alike
    (so each lacks the same practices), "Tally stock 01" to "Tally stock NN"; the numbers in
    `decided` have an accepted decision."""
    system = SystemFactory(team=team, name="Stores")
    ledger = ServiceFactory(system=system, name="Ledger")
    for number in range(1, callers + 1):
        store = ServiceFactory(system=system, name=f"Store {number:02}")
        interaction = connect(system, store, ledger, f"Tally stock {number:02}",
                              {**NOBODY_WAITS, "operation": "event"}, owner)  # fmt: skip
        if number in decided:
            decide(interaction, owner)
    return system


def printed_names(text: str) -> list[str]:
    return re.findall(r"Tally stock \d\d", text)


def test_a_step_prints_its_worst_twelve_and_counts_the_rest(client, owner, team):
    system = fan_in(team, owner, 25, decided=(23, 24, 25))
    client.force_login(owner)
    rest = " ".join(pages(client.get(url(system)))[2:])
    register = rest[rest.index("Risk register") :]
    assert "Each step prints its 12 worst interactions" in register
    assert f"/systems/{system.pk}/risks/" in register
    assert f"/systems/{system.pk}/risks.csv" in register
    first = register[register.index("1. Put") : register.index("2. ")]
    assert "missing on 25 interactions" in first  # the count is the whole step's
    # Decided before undecided, then by name: a team has already chosen there.
    expected = [f"Tally stock {number:02}" for number in (23, 24, 25, *range(1, 10))]
    assert printed_names(first) == expected
    assert first.rstrip().endswith(
        "And 13 more interactions: the register's CSV and its page list them all."
    )


def test_the_review_queue_prints_twenty_of_each_list_and_keeps_its_counts(client, owner, team):
    system = fan_in(team, owner, 25, decided=(23, 24, 25))
    client.force_login(owner)
    text = pages(client.get(url(system)))
    assert "Interactions 25 Decided (accepted or proposed) 3 No decision yet 22" in text[0]
    rest = " ".join(text[2:])
    queue = rest[rest.index("Review queue") : rest.index("Risk register")]
    assert "3 of 25 interactions have a proposed or accepted decision" in queue
    assert f"the review queue's page in Crossroads (/systems/{system.pk}/review/)" in queue
    undecided = queue[queue.index("No decision yet (22)") :]
    assert printed_names(undecided) == [f"Tally stock {number:02}" for number in range(1, 21)]
    assert "And 2 more interactions: the review queue's page lists them all." in undecided


def test_the_queries_stay_the_same_when_lists_are_cut(
    client, owner, team, django_assert_num_queries
):
    system = fan_in(team, owner, 25, decided=(1, 2))
    client.force_login(owner)
    client.get(url(system))
    with django_assert_num_queries(6):
        response = client.get(url(system))
    assert "And 3 more interactions" in " ".join(pages(response))


def test_another_team_gets_404(client, outsider, team):
    system = SystemFactory(team=team)
    client.force_login(outsider)
    assert client.get(url(system)).status_code == 404


def test_it_refuses_post_with_405(client, owner, team):
    system = SystemFactory(team=team)
    client.force_login(owner)
    assert client.post(url(system)).status_code == 405


def test_anonymous_users_are_sent_to_log_in(client, team):
    system = SystemFactory(team=team)
    assert client.get(url(system)).url.startswith("/login/")
