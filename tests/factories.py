"""factory_boy factories shared by the test suite."""

from __future__ import annotations

import factory
from django.contrib.auth import get_user_model

from advisor.models import Membership, Role, Service, System, Team

PASSWORD = "correct-horse-battery"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save(update_fields=["password"])


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.EDITOR


class SystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = System

    team = factory.SubFactory(TeamFactory)
    name = factory.Sequence(lambda n: f"System {n}")


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service

    system = factory.SubFactory(SystemFactory)
    name = factory.Sequence(lambda n: f"Service {n}")


# Enough answers for the advisor to recommend (the framework's `advice_requires`), with
# nobody waiting (batch work leans async) or with a user waiting on the answer (leans sync).
NOBODY_WAITS = {"dominant_constraint": "unsure", "caller_needs_result": "no",
                "user_waiting": "no", "duration": "longer"}  # fmt: skip
SOMEONE_WAITS = {"dominant_constraint": "unsure", "caller_needs_result": "yes",
                 "user_waiting": "yes", "duration": "under_100ms"}  # fmt: skip


def make_interaction(*, system=None, user=None, name="Reserve stock", answers=None):
    """An interaction with its draft, made the way the app makes them (through services)."""
    from advisor import services

    system = system or SystemFactory()
    source = ServiceFactory(system=system, name=f"{name} caller")
    target = ServiceFactory(system=system, name=f"{name} receiver")
    user = user or UserFactory()
    interaction = services.interaction_create(
        system=system, source=source, target=target, name=name, description="", user=user
    )
    if answers:
        from advisor.engine import evaluate, parse_answers
        from advisor.frameworks import team_framework
        from advisor.models import Assessment

        framework = team_framework(system.team)
        result = evaluate(framework, parse_answers(framework, answers))
        Assessment.objects.filter(interaction=interaction).update(
            answers=answers, result=result.as_dict(), revision=1
        )
    return interaction


def record_decision(interaction=None, *, user=None, **data):
    """A decision recorded the way the app records them, from an interaction's draft."""
    from decisions import services as decision_services

    if interaction is None:
        interaction = make_interaction(answers={**SOMEONE_WAITS, "operation": "query"})
    if user is None:
        user = MembershipFactory(team=interaction.system.team, role=Role.OWNER).user
    from advisor.selectors import draft_for_interaction

    defaults = decision_services.decision_defaults(
        interaction=interaction, draft=draft_for_interaction(interaction)
    )
    supersedes = data.pop("supersedes", ())
    deciders = data.pop("deciders", (user,))
    return decision_services.decision_record(
        interaction=interaction, user=user, data={**defaults, **data},
        deciders=deciders, supersedes=supersedes,
    )  # fmt: skip
