"""The system's risk register: a plan of practices to put in place, and its CSV."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.urls import reverse

from advisor.models import System
from decisions.models import Decision
from tests.advisor.test_system_review_page import connect, decide, storefront
from tests.factories import NOBODY_WAITS, ServiceFactory, SystemFactory

pytestmark = pytest.mark.django_db
DLQ_STEP = "Put dead-letter queue with replay in place"


def url(system: System) -> str:
    return reverse("system_risks", args=[system.pk])


def csv_url(system: System) -> str:
    return reverse("system_risks_csv", args=[system.pk])


def step(html: str, headline: str) -> str:
    """The HTML of the step whose heading ends with `headline`."""
    (found,) = [
        chunk for chunk in html.split('<li class="card mb-3"') if f"{headline}</h2>" in chunk
    ]
    return found


def rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_register_reads_as_numbered_steps_with_their_interactions(client, owner, team):
    shop = storefront(team, owner)
    client.force_login(owner)
    response = client.get(url(shop.system))
    assert response.status_code == 200
    html = response.text
    headings = re.findall(r'<h2 class="h5 mb-0">(\d+)\. ([^<]+)</h2>', html)
    assert [int(rank) for rank, _ in headings] == list(range(1, len(headings) + 1))
    assert "Put timeouts and bounded retries in place" in [title for _, title in headings]

    dlq = step(html, DLQ_STEP)
    assert "Missing on 1 interaction; closes 1 high warning." in dlq
    assert reverse("interaction_detail", args=[shop.restock.pk]) in dlq
    assert reverse("decision_detail", args=[shop.restock_decision.pk]) in dlq
    assert "Queue without a dead-letter queue" in dlq
    assert "Score fraud risk" not in dlq

    timeouts = step(html, "Put timeouts and bounded retries in place")
    assert "Missing on 3 interactions." in timeouts
    assert "no decision yet" in timeouts  # the fraud check
    assert "High" in timeouts


def test_a_warning_no_single_practice_closes_is_its_own_step(client, owner, team):
    shop = storefront(team, owner)
    client.force_login(owner)
    waiting = step(
        client.get(url(shop.system)).text, "Resolve “Waiting without timeouts or circuit breakers”"
    )
    assert "High warning on 3 interactions; no single practice closes it." in waiting


def test_no_framework_key_reaches_the_page(client, owner, team):
    shop = storefront(team, owner)
    client.force_login(owner)
    text = re.sub(r"<[^>]+>", " ", client.get(url(shop.system)).text)
    for key in ("dlq_replay", "queue_no_dlq", "timeouts_retries", "sync_no_timeouts", "async"):
        assert key not in text.split()


def test_an_empty_register_says_what_to_do(client, viewer, team):
    system = SystemFactory(team=team)
    client.force_login(viewer)
    assert "This system has no interactions yet." in client.get(url(system)).text


def test_the_tabs_mark_risks_as_the_page_shown(client, viewer, team):
    system = SystemFactory(team=team)
    client.force_login(viewer)
    html = client.get(url(system)).text
    assert re.search(r'active" aria-current="page" href="[^"]+/risks/">Risks<', html)


def test_the_csv_has_a_row_per_step_and_interaction(client, owner, team):
    shop = storefront(team, owner)
    client.force_login(owner)
    response = client.get(csv_url(shop.system))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="storefront-risk-register.csv"'
    header, *body = rows(response)
    assert header[:4] == ["Step", "Practice or warning", "Kind", "Severity"]
    (dlq,) = [row for row in body if row[1] == "Dead-letter queue with replay"]
    assert dlq[2:] == [
        "Practice", "High", "1", "Report restocks", "Warehouse", "Inventory",
        shop.restock_decision.reference, "Proposed", "Asynchronous messaging (fire-and-forget)",
        "High", "yes", "Queue without a dead-letter queue",
        "http://testserver" + reverse("interaction_detail", args=[shop.restock.pk]),
    ]  # fmt: skip
    fraud = [row for row in body if row[5] == "Score fraud risk"]
    assert fraud and all(row[8] == "no decision" for row in fraud)
    steps = [int(row[0]) for row in body]
    assert steps == sorted(steps)


def test_the_csv_defuses_cells_a_spreadsheet_would_run_as_formulas(client, owner, team):
    system = SystemFactory(team=team, name="Ops")
    source = ServiceFactory(system=system, name="+Caller")
    target = ServiceFactory(system=system, name="@Receiver")
    connect(system, source, target, '=HYPERLINK("http://x.test")', NOBODY_WAITS, owner)
    client.force_login(owner)
    (_, *body) = rows(client.get(csv_url(system)))
    assert body
    for row in body:
        assert row[5:8] == ['\'=HYPERLINK("http://x.test")', "'+Caller", "'@Receiver"]
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)


def test_the_query_counts_do_not_grow_with_interactions(
    client, owner, team, django_assert_num_queries
):
    shop = storefront(team, owner)
    client.force_login(owner)
    client.get(url(shop.system))
    with django_assert_num_queries(7) as page:
        client.get(url(shop.system))
    with django_assert_num_queries(6) as spreadsheet:
        client.get(csv_url(shop.system))
    for number in range(4):
        source = ServiceFactory(system=shop.system, name=f"Store {number}")
        interaction = connect(shop.system, source, shop.reserve.target, f"Count stock {number}",
                              {**NOBODY_WAITS, "operation": "event"}, owner)  # fmt: skip
        decide(interaction, owner, accept=number % 2 == 0)
    with django_assert_num_queries(len(page.captured_queries)):
        response = client.get(url(shop.system))
    assert "Count stock 3" in response.text
    with django_assert_num_queries(len(spreadsheet.captured_queries)):
        response = client.get(csv_url(shop.system))
    assert "Count stock 3" in response.content.decode()


@pytest.mark.parametrize("name", ["system_risks", "system_risks_csv"])
def test_another_team_gets_404(client, outsider, team, name):
    system = SystemFactory(team=team)
    client.force_login(outsider)
    assert client.get(reverse(name, args=[system.pk])).status_code == 404


@pytest.mark.parametrize("name", ["system_risks", "system_risks_csv"])
def test_it_refuses_post_with_405(client, owner, team, name):
    system = SystemFactory(team=team)
    client.force_login(owner)
    assert client.post(reverse(name, args=[system.pk])).status_code == 405


@pytest.mark.parametrize("name", ["system_risks", "system_risks_csv"])
def test_anonymous_users_are_sent_to_log_in(client, team, name):
    system = SystemFactory(team=team)
    assert client.get(reverse(name, args=[system.pk])).url.startswith("/login/")


def test_a_frozen_result_of_the_wrong_shape_does_not_break_the_register(client, owner, team):
    """A record imported from Crossroads JSON may freeze any JSON as its result; what does
    not have the shape the app writes is left out of the register and its spreadsheet."""
    shop = storefront(team, owner)
    Decision.objects.filter(pk=shop.reserve_decision.pk).update(
        result={"warnings": "abc", "mitigations": [{"code": ["x"], "status": "missing"}]}
    )
    Decision.objects.filter(pk=shop.receipts_decision.pk).update(
        result={"warnings": [{"code": "w", "severity": {"high": 1}}, None], "mitigations": 3}
    )
    client.force_login(owner)
    response = client.get(url(shop.system))
    assert response.status_code == 200
    assert DLQ_STEP in response.text
    spreadsheet = client.get(csv_url(shop.system))
    assert spreadsheet.status_code == 200
    assert any(row[1] == "Dead-letter queue with replay" for row in rows(spreadsheet)[1:])


def test_neither_the_page_nor_the_spreadsheet_is_cached(client, viewer, team):
    system = SystemFactory(team=team)
    client.force_login(viewer)
    for address in (url(system), csv_url(system)):
        cache_control = client.get(address)["Cache-Control"]
        assert "no-store" in cache_control and "max-age=0" in cache_control, address
