"""Loading the demo over data that is already there: a team's own log, answers someone
changed, a database loaded before the demo shop grew."""

from __future__ import annotations

import json
from collections import defaultdict

import pytest
from django.core.management import call_command

from advisor import demo, services
from advisor.demo_data import DEMO_INTERACTIONS
from advisor.engine import evaluate, parse_answers
from advisor.frameworks import framework_get
from advisor.models import Assessment, Interaction, Membership, Service
from decisions.models import Decision, Revision
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


def test_a_team_whose_log_has_decisions_is_left_alone(capsys):
    team = TeamFactory(name="Checkout Squad", slug="checkout-squad")
    system = SystemFactory(team=team, name="Storefront")
    own = record_decision(make_interaction(system=system, answers={"operation": "query"}))
    call_command("load_demo")
    assert list(Decision.objects.filter(team=team)) == [own]
    assert system.interactions.count() == 23  # the demo's twenty-two and the team's own
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


def test_an_older_demo_database_gains_the_new_services_and_interactions(
    monkeypatch, tmp_path, capsys
):
    """A database loaded before the shop grew: fourteen services without descriptions, ten
    interactions that do not say how they talk, and the thirteen decisions of its log."""
    log = json.loads(demo.DECISION_LOG.read_text())
    log["decisions"] = log["decisions"][:13]
    (tmp_path / "log.json").write_text(json.dumps(log))
    with monkeypatch.context() as old:
        old.setattr(demo, "DECISION_LOG", tmp_path / "log.json")
        old.setattr(demo, "DEMO_INTERACTIONS", DEMO_INTERACTIONS[:10])
        old.setattr(demo, "DEMO_STYLES", defaultdict(str))
        old.setattr(demo, "DEMO_SERVICES", dict.fromkeys([
            "Accounts", "Catalogue", "Checkout", "E-mail", "Fraud", "Inventory", "Ledger",
            "Mobile API", "Orders", "Payments", "Pricing", "Search", "Shipping",
            "Support Dashboard",
        ], ""))  # fmt: skip
        call_command("load_demo")
    revisions = Revision.objects.count()

    call_command("load_demo")

    assert Service.objects.count() == 18
    assert not Service.objects.filter(description="").exists()
    assert Interaction.objects.count() == 22
    assert not Interaction.objects.filter(style="").exists()
    assert squad_decisions().count() == 13
    assert Revision.objects.count() == revisions
    quotes = Assessment.objects.get(interaction__name="Quote delivery options")
    assert quotes.answers["receiver_availability"] == "unreliable"
    assert quotes.result["recommendation"] == "request_reply"
    assert "already has decisions" in capsys.readouterr().out
