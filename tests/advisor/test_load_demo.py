from __future__ import annotations

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from advisor import services
from advisor.engine import evaluate, parse_answers
from advisor.frameworks import framework_get
from advisor.models import Assessment, Interaction, Membership, Team
from decisions.models import Decision, Revision, Status
from tests.factories import (
    ServiceFactory,
    SystemFactory,
    TeamFactory,
    UserFactory,
    make_interaction,
    record_decision,
)

pytestmark = pytest.mark.django_db


def squad_decisions():
    return Decision.objects.filter(team__slug="checkout-squad")


def test_loading_the_demo_twice_duplicates_nothing(capsys):
    call_command("load_demo")
    revisions = Revision.objects.count()
    call_command("load_demo")
    assert get_user_model().objects.filter(username="demo").count() == 1
    assert Team.objects.count() == 2
    # demo in both teams, the guild's own owner, and two colleagues in the squad
    assert Membership.objects.count() == 5
    assert Interaction.objects.count() == 10
    assert Assessment.objects.count() == 10
    assert squad_decisions().count() == 13
    assert Revision.objects.count() == revisions
    out = capsys.readouterr().out
    assert "Recorded 13 demo decisions." in out
    assert "already has decisions" in out
    assert "Demo login: demo / crossroads-demo" in out


def test_the_printed_demo_login_works(client):
    call_command("load_demo")
    assert client.login(username="demo", password="crossroads-demo")


def test_the_demo_colleagues_cannot_log_in():
    call_command("load_demo")
    assert not get_user_model().objects.get(username="ana").has_usable_password()


def test_the_demo_interactions_end_with_their_scenarios_answers():
    call_command("load_demo")
    fraud = Assessment.objects.get(interaction__name="Score fraud risk")
    assert fraud.answers["temporal_decoupling"] == "required"
    assert fraud.answers["broker_experience"] == "strong"
    assert fraud.result["recommendation"] == "request_reply"
    dashboard = Assessment.objects.get(interaction__name="Show order status on the dashboard")
    assert dashboard.result["recommendation"] == "cqrs_lite"


def test_every_demo_team_has_an_owner():
    call_command("load_demo")
    for team in Team.objects.all():
        assert team.memberships.filter(role="owner").exists(), team


def test_the_demo_log_has_every_status():
    call_command("load_demo")
    statuses = set(squad_decisions().values_list("status", flat=True))
    assert statuses == set(Status.values)
    assert squad_decisions().filter(status=Status.ACCEPTED).count() >= 5


def test_the_demo_log_has_a_supersede_chain():
    call_command("load_demo")
    successor = squad_decisions().get(title__startswith="Ask the fraud scorer by request-reply")
    (replaced,) = successor.supersedes.all()
    assert successor.status == Status.ACCEPTED
    assert replaced.status == Status.SUPERSEDED
    assert replaced.title.startswith("Call the fraud scorer synchronously")
    assert replaced.revisions.last().note == f"Superseded by {successor.reference}."
    assert replaced.reference in successor.context


def test_the_demo_log_has_an_amendment_with_its_reason():
    call_command("load_demo")
    amendment = Revision.objects.get(kind=Revision.Kind.AMENDED)
    assert "outbox" in amendment.note
    assert amendment.decision.status == Status.ACCEPTED
    assert "outbox" in amendment.decision.links
    first = amendment.decision.revisions.first()
    assert "outbox" not in first.data["links"]


def test_decisions_against_the_advice_say_why():
    call_command("load_demo")
    against = [d for d in squad_decisions() if d.against_advice]
    assert len(against) == 2
    for decision in against:
        assert "broker" in decision.justification, decision
    # The first fraud decision froze the answers of a team without a broker.
    stopgap = squad_decisions().get(title__startswith="Call the fraud scorer synchronously")
    assert stopgap.answers["broker_experience"] == "none"


def test_the_rejected_decision_says_why():
    call_command("load_demo")
    rejected = squad_decisions().get(status=Status.REJECTED)
    note = rejected.revisions.filter(kind=Revision.Kind.STATUS).get().note
    assert "architecture review" in note


def test_decisions_are_made_by_more_than_the_demo_user():
    call_command("load_demo")
    demo = get_user_model().objects.get(username="demo")
    ana = get_user_model().objects.get(username="ana")
    assert all(d.created_by == demo for d in squad_decisions())
    assert squad_decisions().filter(deciders=ana).count() >= 3
    assert squad_decisions().exclude(deciders=demo).exists()
    assert squad_decisions().exclude(consulted="").count() >= 10
    assert squad_decisions().filter(links__contains="https://").count() >= 8


def test_the_demo_history_spreads_over_months():
    call_command("load_demo")
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


def test_a_team_whose_log_has_decisions_is_left_alone(capsys):
    team = TeamFactory(name="Checkout Squad", slug="checkout-squad")
    system = SystemFactory(team=team, name="Storefront")
    own = record_decision(make_interaction(system=system, answers={"operation": "query"}))
    call_command("load_demo")
    assert list(Decision.objects.filter(team=team)) == [own]
    assert system.interactions.count() == 11  # the demo's ten and the team's own
    assert "already has decisions" in capsys.readouterr().out


def test_changed_answers_on_a_demo_interaction_keep_the_log_empty(capsys):
    team = TeamFactory(name="Checkout Squad", slug="checkout-squad")
    user = UserFactory(username="demo")
    Membership.objects.create(team=team, user=user, role="owner")
    system = SystemFactory(team=team, name="Storefront")
    interaction = services.interaction_create(
        system=system, source=ServiceFactory(system=system, name="Payments"),
        target=ServiceFactory(system=system, name="Fraud"), name="Score fraud risk",
        description="", user=user,
    )  # fmt: skip
    framework = framework_get("default", 3)
    answers = parse_answers(framework, {"operation": "query", "user_waiting": "yes"})
    services.assessment_save_draft(
        interaction_id=interaction.pk, user=user, answers=answers,
        result=evaluate(framework, answers), base_revision=0, base_answers={},
    )  # fmt: skip
    call_command("load_demo")
    assert not Decision.objects.exists()
    assert Assessment.objects.get(interaction=interaction).answers == {
        "operation": "query", "user_waiting": "yes"
    }  # fmt: skip
    assert "answers were changed" in capsys.readouterr().out


def test_the_demo_log_page_lists_the_decisions(client):
    call_command("load_demo")
    client.login(username="demo", password="crossroads-demo")
    response = client.get(reverse("decision_log", args=["checkout-squad"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "13 decisions." in page
    for decision in squad_decisions():
        assert decision.reference in page
    for month in {d.created_at.strftime("%B %Y") for d in squad_decisions()}:
        assert month in page
