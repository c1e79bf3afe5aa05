"""The system's review queue: what waits for a decision, an acceptance or a second look."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from django.urls import reverse

from advisor import services
from advisor.engine import evaluate, parse_answers
from advisor.frameworks import team_framework
from advisor.models import Assessment, Interaction, System
from decisions.models import Decision, Status
from decisions.services import decision_change_status
from tests.factories import NOBODY_WAITS, SOMEONE_WAITS, ServiceFactory, SystemFactory
from tests.factories import record_decision as _record

pytestmark = pytest.mark.django_db


def answer(interaction: Interaction, answers: dict) -> None:
    """Saves `answers` as the interaction's draft, scored as the questionnaire scores it."""
    framework = team_framework(interaction.system.team)
    result = evaluate(framework, parse_answers(framework, answers))
    Assessment.objects.filter(interaction=interaction).update(
        answers=answers, result=result.as_dict(), revision=1
    )


def connect(system: System, source, target, name: str, answers: dict, user) -> Interaction:
    interaction = services.interaction_create(
        system=system, source=source, target=target, name=name, description="", user=user
    )
    answer(interaction, answers)
    return interaction


def decide(interaction: Interaction, user, *, accept: bool = True, **data) -> Decision:
    decision = _record(interaction, user=user, **data)
    if accept:
        decision = decision_change_status(
            decision=decision, user=user, status=Status.ACCEPTED, base_version=decision.version
        )
    return decision


@dataclass
class Storefront:
    system: System
    reserve: Interaction  # accepted, then its answers changed: stale
    restock: Interaction  # proposed; says Inventory's data may lag, unlike `reserve`
    fraud: Interaction  # no decision
    receipts: Interaction  # accepted against the advice
    reserve_decision: Decision
    restock_decision: Decision
    receipts_decision: Decision


def storefront(team, user) -> Storefront:
    """A system with one of each thing the review queue lists."""
    system = SystemFactory(team=team, name="Storefront")
    checkout, inventory, warehouse, fraud, mailer = (
        ServiceFactory(system=system, name=name)
        for name in ("Checkout", "Inventory", "Warehouse", "Fraud", "Mailer")
    )
    reads = {**SOMEONE_WAITS, "operation": "query", "receiver_availability": "always"}
    reserve = connect(system, checkout, inventory, "Reserve stock",
                      {**reads, "consistency": "immediate"}, user)  # fmt: skip
    reserve_decision = decide(reserve, user)
    answer(reserve, {**reads, "consistency": "immediate", "latency_sensitivity": "critical"})
    background = {**NOBODY_WAITS, "operation": "event"}
    restock = connect(system, warehouse, inventory, "Report restocks",
                      {**background, "consistency": "eventual"}, user)  # fmt: skip
    restock_decision = decide(restock, user, accept=False)
    fraud_check = connect(system, checkout, fraud, "Score fraud risk", reads, user)
    receipts = connect(system, checkout, mailer, "Send receipts", background, user)
    receipts_decision = decide(
        receipts, user, chosen_option="sync", justification="The mailer has no broker yet."
    )
    return Storefront(system, reserve, restock, fraud_check, receipts, reserve_decision,
                      restock_decision, receipts_decision)  # fmt: skip


def section(html: str, name: str) -> str:
    """The HTML of one section of the page."""
    match = re.search(rf'<section id="{name}".*?</section>', html, re.DOTALL)
    assert match, name
    return match.group(0)


def url(system: System) -> str:
    return reverse("system_review", args=[system.pk])


def test_each_interaction_is_listed_where_it_needs_attention(client, owner, team):
    shop = storefront(team, owner)
    client.force_login(owner)
    response = client.get(url(shop.system))
    assert response.status_code == 200
    html = response.text

    undecided = section(html, "undecided")
    assert "Score fraud risk" in undecided and "Checkout → Fraud" in undecided
    assert reverse("interaction_detail", args=[shop.fraud.pk]) in undecided
    assert reverse("decision_record", args=[shop.fraud.pk]) in undecided
    assert "Reserve stock" not in undecided

    proposed = section(html, "proposed")
    assert shop.restock_decision.reference in proposed
    assert reverse("decision_detail", args=[shop.restock_decision.pk]) in proposed
    assert shop.reserve_decision.reference not in proposed

    stale = section(html, "stale")
    assert shop.reserve_decision.reference in stale
    assert "How much extra latency can the user path absorb?" in stale
    assert "How fresh must the data be?" not in stale

    against = section(html, "against")
    assert shop.receipts_decision.reference in against
    assert (
        "Chose Synchronous request-response; the advisor recommended Asynchronous messaging"
        in against
    )


def test_a_contradiction_names_the_service_the_question_and_each_side(client, owner, team):
    shop = storefront(team, owner)
    client.force_login(owner)
    contradictions = section(client.get(url(shop.system)).text, "contradictions")
    assert "Conflicting freshness of the same data: Inventory" in contradictions
    assert "How fresh must the data be?" in contradictions
    assert "High" in contradictions
    immediate, eventual = contradictions.index("Immediate"), contradictions.index("Eventual")
    reserve = contradictions.index(reverse("interaction_detail", args=[shop.reserve.pk]))
    restock = contradictions.index(reverse("interaction_detail", args=[shop.restock.pk]))
    assert immediate < reserve < eventual < restock
    assert "consistency_conflict" not in contradictions and "immediate" not in contradictions


def test_the_headline_counts_each_list(client, owner, team):
    shop = storefront(team, owner)
    client.force_login(owner)
    html = client.get(url(shop.system)).text
    counts = re.findall(r'fs-4 fw-semibold">(\d+)</span><span class="small">([^<]+)<', html)
    assert counts == [
        ("1", "No decision yet"), ("1", "Awaiting acceptance"), ("1", "Stale decisions"),
        ("1", "Contradicting answers"), ("1", "Against the advice"),
    ]  # fmt: skip
    assert "3 of 4 interactions have a decision." in html


def test_a_settled_system_says_nothing_waits(client, owner, team):
    system = SystemFactory(team=team)
    source, target = ServiceFactory(system=system), ServiceFactory(system=system)
    decide(connect(system, source, target, "Look up prices", {**SOMEONE_WAITS,
                   "operation": "query"}, owner), owner)  # fmt: skip
    client.force_login(owner)
    html = client.get(url(system)).text
    assert "Nothing waits for review" in html
    assert "Every interaction has a proposed or accepted decision." in html


def test_a_system_without_interactions_says_how_to_start(client, viewer, team):
    system = SystemFactory(team=team)
    client.force_login(viewer)
    html = client.get(url(system)).text
    assert "This system has no interactions yet." in html
    assert reverse("system_detail", args=[system.pk]) in html


def test_the_tabs_mark_the_review_queue_as_the_page_shown(client, viewer, team):
    system = SystemFactory(team=team)
    client.force_login(viewer)
    html = client.get(url(system)).text
    assert re.search(r'active" aria-current="page" href="[^"]+/review/">Review queue<', html)


def test_its_query_count_does_not_grow_with_interactions(
    client, owner, team, django_assert_num_queries
):
    shop = storefront(team, owner)
    client.force_login(owner)
    client.get(url(shop.system))
    with django_assert_num_queries(7) as baseline:
        client.get(url(shop.system))
    inventory = shop.reserve.target
    for number in range(4):
        source = ServiceFactory(system=shop.system, name=f"Store {number}")
        interaction = connect(shop.system, source, inventory, f"Count stock {number}",
                              {**NOBODY_WAITS, "consistency": "eventual"}, owner)  # fmt: skip
        decide(interaction, owner, accept=number % 2 == 0)
    with django_assert_num_queries(len(baseline.captured_queries)):
        response = client.get(url(shop.system))
    assert "Count stock 3" in response.text


def framework_keys(interaction: Interaction) -> set[str]:
    """Every key of the team's framework that no person would write: questions, inputs,
    choices, practices, warnings and patterns made of words joined by underscores (as
    tests/test_no_keys_visible.py collects them)."""
    framework = team_framework(interaction.system.team)
    keys = {rule.code for rule in framework.warnings}
    keys |= {p.code for practices in framework.practices.values() for p in practices}
    keys |= {q.key for q in framework.questions} | {i.key for i in framework.inputs}
    keys |= {c.key for q in framework.questions for c in q.choices}
    keys |= set(framework.pattern_keys)
    return {key for key in keys if "_" in key}


def test_no_framework_key_reaches_the_page(client, owner, team):
    shop = storefront(team, owner)
    # Since the decision, the team also gave a latency budget (an estimator's input) and
    # the draft kept an answer to a question the framework no longer asks.
    draft = Assessment.objects.get(interaction=shop.reserve)
    Assessment.objects.filter(pk=draft.pk).update(
        answers={**draft.answers, "latency_budget_ms": 300, "retired_question": "yes"}
    )
    client.force_login(owner)
    html = client.get(url(shop.system)).text
    text = re.sub(r"<[^>]+>", " ", html)
    words = set(re.findall(r"[a-z0-9]+(?:_[a-z0-9]+)+", text))
    assert words & (framework_keys(shop.reserve) | {"retired_question"}) == set()
    stale = section(html, "stale")
    assert "End-to-end latency budget" in stale
    assert "Retired question" in stale


def test_no_page_of_it_is_kept_by_the_browser_or_a_cache(client, viewer, team):
    system = SystemFactory(team=team)
    client.force_login(viewer)
    cache_control = client.get(url(system))["Cache-Control"]
    assert "no-store" in cache_control and "max-age=0" in cache_control


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
