"""The system report as a PDF: a cover with the system's counts, the map printed without
its links on a page that fits it, the chain analysis, the review queue and the risk register
as numbered steps, in a fixed number of queries."""

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
    first = register[register.index("1. Put") :]
    assert "Interaction Decision Severity What it closes there" in first
    assert first.index("1. Put") < first.index("2. ")


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
        '<g class="node"><a xlink:href="/services/1/" xlink:title="Orders">'
        '<path stroke="#5a6270" d="M0,0L10,10"/><text>Orders</text></a></g></svg>'
    )
    printed, landscape = printable_svg(wide)
    assert landscape
    assert "<a" not in printed and "href" not in printed and "</a>" not in printed
    assert '<g><path stroke="#5a6270" d="M0,0L10,10"/><text>Orders</text></g>' in printed
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
