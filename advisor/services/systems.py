"""Writes for systems, their services and the interactions between them."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from advisor.engine import evaluate, parse_answers
from advisor.frameworks import team_framework
from advisor.models import Assessment, Interaction, Service, System, Team


def _name_taken(what: str, name: str) -> ValidationError:
    return ValidationError({"name": f"There is already {what} called “{name}”."})


def system_create(*, team: Team, name: str, description: str = "") -> System:
    try:
        with transaction.atomic():
            return System.objects.create(team=team, name=name, description=description)
    except IntegrityError:  # a concurrent create took the name after the form checked it
        raise _name_taken("a system in this team", name) from None


def system_update(*, system: System, name: str, description: str) -> System:
    system.name, system.description = name, description
    try:
        with transaction.atomic():
            system.save(update_fields=["name", "description", "updated_at"])
    except IntegrityError:
        raise _name_taken("a system in this team", name) from None
    return system


def system_delete(*, system: System) -> None:
    system.delete()


def service_create(*, system: System, name: str, description: str = "") -> Service:
    try:
        with transaction.atomic():
            return Service.objects.create(system=system, name=name, description=description)
    except IntegrityError:
        raise _name_taken("a service in this system", name) from None


def service_update(*, service: Service, name: str, description: str) -> Service:
    service.name, service.description = name, description
    try:
        with transaction.atomic():
            service.save(update_fields=["name", "description"])
    except IntegrityError:
        raise _name_taken("a service in this system", name) from None
    return service


def service_delete(*, service: Service) -> None:
    service.delete()


@transaction.atomic
def interaction_create(
    *,
    system: System,
    source: Service,
    target: Service,
    name: str,
    description: str,
    user,
    style: str = "",
) -> Interaction:
    """Create the interaction with its (empty) draft assessment."""
    if source.system_id != system.pk or target.system_id != system.pk:
        raise ValidationError("Both services must belong to the interaction's system.")
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(
                system=system, source=source, target=target, name=name,
                description=description, style=style,
            )  # fmt: skip
    except IntegrityError:
        raise _name_taken("an interaction in this system", name) from None
    framework = team_framework(system.team)
    empty = evaluate(framework, parse_answers(framework, {}))
    Assessment.objects.create(
        interaction=interaction,
        framework_name=framework.name,
        framework_version=framework.version,
        answers={},
        result=empty.as_dict(),
        created_by=user,
        updated_by=user,
    )
    return interaction


def interaction_update(
    *,
    interaction: Interaction,
    source: Service,
    target: Service,
    name: str,
    description: str,
    style: str | None = None,
) -> Interaction:
    if source.system_id != interaction.system_id or target.system_id != interaction.system_id:
        raise ValidationError("Both services must belong to the interaction's system.")
    interaction.source, interaction.target = source, target
    interaction.name, interaction.description = name, description
    fields = ["source", "target", "name", "description", "updated_at"]
    if style is not None:
        interaction.style = style
        fields.append("style")
    try:
        with transaction.atomic():
            interaction.save(update_fields=fields)
    except IntegrityError:
        raise _name_taken("an interaction in this system", name) from None
    return interaction


def interaction_delete(*, interaction: Interaction) -> None:
    interaction.delete()
