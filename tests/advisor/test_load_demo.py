from __future__ import annotations

import io
import json
from collections import defaultdict
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from advisor import demo
from advisor.engine import evaluate, parse_answers
from advisor.frameworks import framework_get, new_team_framework
from advisor.models import Assessment, Interaction, Membership, Service, Team
from decisions.models import Decision, Revision, Status

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module", autouse=True)
def demo_loaded(django_db_setup, django_db_blocker):
    """The demo, loaded once for this module: its tests only read it (each runs in a
    transaction that is rolled back), and loading takes seconds. Emptied afterwards."""
    with django_db_blocker.unblock():
        call_command("load_demo", stdout=io.StringIO())
    yield
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def squad_decisions():
    return Decision.objects.filter(team__slug="checkout-squad")


def demo_interactions() -> list[Interaction]:
    return list(
        Interaction.objects.filter(system__team__slug="checkout-squad")
        .select_related("source", "target", "assessment")
        .prefetch_related("decisions")
    )


def pattern_of(interaction: Interaction) -> str:
    """How the map draws the interaction: its latest accepted decision's option, else its
    latest proposed one's, else how it talks today."""
    decisions = sorted(interaction.decisions.all(), key=lambda decision: decision.number)
    for status in (Status.ACCEPTED, Status.PROPOSED):
        current = [decision for decision in decisions if decision.status == status]
        if current:
            return current[-1].chosen_option
    return interaction.style


def longest_sync_chain(interactions: list[Interaction]) -> list[Interaction]:
    """The longest path of synchronous interactions that visits no service twice."""
    calls = defaultdict(list)
    for interaction in interactions:
        if pattern_of(interaction) == "sync":
            calls[interaction.source.name].append(interaction)

    def longest_from(service: str, seen: frozenset[str]) -> list[Interaction]:
        best: list[Interaction] = []
        for call in calls[service]:
            if call.target.name not in seen:
                path = [call, *longest_from(call.target.name, seen | {call.target.name})]
                best = max(best, path, key=len)
        return best

    return max((longest_from(service, frozenset([service])) for service in list(calls)), key=len)


def test_loading_the_demo_twice_duplicates_nothing(capsys):
    revisions = Revision.objects.count()
    call_command("load_demo")
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert Team.objects.count() == 2
    # demo in both teams, the guild's own owner, and two colleagues in the squad
    assert Membership.objects.count() == 5
    assert Service.objects.count() == 18
    assert Interaction.objects.count() == 22
    assert Assessment.objects.count() == 22
    assert squad_decisions().count() == 20
    assert Revision.objects.count() == revisions
    out = capsys.readouterr().out
    assert "Recorded" not in out  # the module's first load recorded the twenty
    assert "already has decisions" in out
    assert "Demo login: demo / crossroads-demo" in out


def test_the_printed_demo_login_works(client):
    assert client.login(username="demo", password="crossroads-demo")


def test_the_demo_colleagues_cannot_log_in():
    assert not get_user_model().objects.get(username="ana").has_usable_password()


def test_the_demo_interactions_end_with_their_scenarios_answers():
    fraud = Assessment.objects.get(interaction__name="Score fraud risk")
    assert fraud.answers["temporal_decoupling"] == "required"
    assert fraud.answers["broker_experience"] == "strong"
    assert fraud.result["recommendation"] == "request_reply"
    dashboard = Assessment.objects.get(interaction__name="Show order status on the dashboard")
    assert dashboard.result["recommendation"] == "cqrs_lite"


def test_every_demo_team_has_an_owner():
    for team in Team.objects.all():
        assert team.memberships.filter(role="owner").exists(), team


def test_the_demo_log_has_every_status():
    statuses = set(squad_decisions().values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert squad_decisions().filter(status=Status.ACCEPTED).count() >= 5


def test_the_demo_log_has_a_supersede_chain():
    successor = squad_decisions().get(title__startswith="Ask the fraud scorer by request-reply")
    (replaced,) = successor.supersedes.all()
    assert successor.status == Status.ACCEPTED
    assert replaced.status == Status.SUPERSEDED
    assert replaced.title.startswith("Call the fraud scorer synchronously")
    assert replaced.revisions.last().note == f"Superseded by {successor.reference}."
    assert replaced.reference in successor.context


def test_the_demo_log_has_an_amendment_with_its_reason():
    amendment = Revision.objects.get(kind=Revision.Kind.AMENDED)
    assert "outbox" in amendment.note
    assert amendment.decision.status == Status.ACCEPTED
    assert "outbox" in amendment.decision.links
    first = amendment.decision.revisions.first()
    assert "outbox" not in first.data["links"]


def test_decisions_against_the_advice_say_why():
    against = [d for d in squad_decisions() if d.against_advice]
    assert len(against) == 3
    for decision in against:
        assert "broker" in decision.justification, decision
    # The first fraud decision froze the answers of a team without a broker.
    stopgap = squad_decisions().get(title__startswith="Call the fraud scorer synchronously")
    assert stopgap.answers["broker_experience"] == "none"


def test_the_rejected_decision_says_why():
    rejected = squad_decisions().get(status=Status.REJECTED)
    note = rejected.revisions.filter(kind=Revision.Kind.STATUS).get().note
    assert "architecture review" in note


def test_decisions_are_made_by_more_than_the_demo_user():
    demo = get_user_model().objects.get(username="demo")
    ana = get_user_model().objects.get(username="ana")
    assert all(d.created_by == demo for d in squad_decisions())
    assert squad_decisions().filter(deciders=ana).count() >= 3
    assert squad_decisions().exclude(deciders=demo).exists()
    assert squad_decisions().exclude(consulted="").count() >= 10
    assert squad_decisions().filter(links__contains="https://").count() >= 8


def test_the_demo_history_spreads_over_months():
    now = timezone.now()
    created = list(squad_decisions().order_by("number").values_list("created_at", flat=True))
    assert created == sorted(created)
    assert len({(when.year, when.month) for when in created}) >= 8
    assert now - created[0] > timedelta(days=240)
    assert all(when < now - timedelta(days=7) for when in created)
    for decision in squad_decisions():
        dates = [revision.created_at for revision in decision.revisions.all()]
        assert dates == sorted(dates) and dates[0] == decision.created_at, decision
        assert dates[-1] == decision.updated_at, decision
        if decision.status == Status.ACCEPTED:
            assert (
                decision.decided_on
                == decision.revisions.get(kind=Revision.Kind.STATUS).created_at.date()
            )


def test_the_demo_log_page_lists_the_decisions(client):
    client.login(username="demo", password="crossroads-demo")
    response = client.get(reverse("decision_log", args=["checkout-squad"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "20 decisions." in page
    for decision in squad_decisions():
        assert decision.reference in page
    for month in {d.created_at.strftime("%B %Y") for d in squad_decisions()}:
        assert month in page


def test_every_demo_interaction_says_how_it_talks_today():
    styles = {interaction.name: interaction.style for interaction in demo_interactions()}
    assert "" not in styles.values()
    assert styles["Export the ledger nightly"] == "async"
    assert styles["Reserve the last item"] == "sync"
    assert styles["Score fraud risk"] == "request_reply"
    # Goods-in calls Inventory today; the decision proposed on the log would change that.
    assert styles["Report goods received"] == "sync"


def test_the_demo_shop_shows_every_pattern_and_undecided_interactions():
    interactions = demo_interactions()
    patterns = {pattern_of(interaction) for interaction in interactions}
    assert patterns == {"sync", "async", "request_reply", "cqrs_lite"}
    undecided = {i.name: i.style for i in interactions if not i.decisions.all()}
    assert undecided == {
        "Create the order at checkout": "sync",
        "Check the shelf before allocating": "sync",
        "Confirm the carrier's rate for the label": "sync",
        "Collect page views for analytics": "async",
        "Show availability on product pages": "sync",
    }
    assert squad_decisions().filter(status=Status.PROPOSED).count() == 2


def test_the_demo_checkout_path_is_a_deep_synchronous_chain_over_its_budget():
    chain = longest_sync_chain(demo_interactions())
    services_on_chain = [chain[0].source.name] + [call.target.name for call in chain]
    assert services_on_chain == ["Gateway", "Checkout", "Orders", "Inventory", "Warehouse"]
    head = chain[0].assessment
    assert head.answers["chain_depth"] == len(chain)
    assert head.result["estimates"]["tail_latency"]["p99_ms"] > head.answers["latency_budget_ms"]
    depths = [call.assessment.answers["chain_depth"] for call in chain]
    assert depths == [4, 3, 2, 1]


def test_asynchronous_calls_break_the_demo_chains():
    patterns = {(i.source.name, i.target.name): pattern_of(i) for i in demo_interactions()}
    for receiver in ("E-mail", "Analytics", "Warehouse", "Payments"):
        assert patterns["Orders", receiver] == "async", receiver
    assert patterns["Inventory", "Search"] == "async"


def test_three_services_call_the_demo_inventory_synchronously():
    callers = {
        interaction.source.name
        for interaction in demo_interactions()
        if interaction.target.name == "Inventory" and pattern_of(interaction) == "sync"
    }
    assert callers == {"Checkout", "Orders", "Catalogue"}


def test_the_demo_answers_contradict_each_other_into_one_receiver():
    answered = defaultdict(lambda: defaultdict(dict))
    for interaction in demo_interactions():
        for question in ("consistency", "receiver_availability"):
            value = interaction.assessment.answers.get(question)
            answered[interaction.target.name][question][interaction.name] = value
    into_inventory = answered["Inventory"]["consistency"]
    assert into_inventory["Reserve the last item"] == "immediate"
    assert into_inventory["Report goods received"] == "eventual"
    into_quotes = answered["Shipping Quotes"]["receiver_availability"]
    assert into_quotes == {
        "Quote delivery options": "unreliable",
        "Confirm the carrier's rate for the label": "always",
    }


def test_the_demo_has_accepted_decisions_whose_answers_changed_since():
    stale = {
        decision.interaction_name: decision
        for decision in squad_decisions().filter(status=Status.ACCEPTED)
        if decision.answers != decision.interaction.assessment.answers
    }
    assert set(stale) == {"Send the welcome e-mail", "Send the order confirmation"}
    confirmation = stale["Send the order confirmation"]
    assert confirmation.answers["consumers"] == "one"
    assert confirmation.interaction.assessment.answers["consumers"] == "several"


def test_every_demo_scenario_gets_the_advice_it_expects():
    framework = framework_get(*new_team_framework())
    for path in sorted(demo.SCENARIOS.glob("*.json")):
        scenario = json.loads(path.read_text())
        result = evaluate(framework, parse_answers(framework, scenario["answers"]))
        assert result.recommendation == scenario["expect"], path.name
