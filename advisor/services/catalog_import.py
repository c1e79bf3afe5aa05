"""Importing a catalogue plan (advisor.catalogs) into a team: a new system, or more services
and interactions in one of its systems.

What a system already has is matched by name, case aside, as the database keeps names
unique: a service or an interaction of that name is left as it is and reported. The
preview and the import ask the same question (`catalog_compare`), so the import does what
the preview showed, unless someone changed the system in between.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction

from advisor.catalogs import CatalogPlan, PlannedInteraction, PlannedService
from advisor.models import Service, System, Team
from advisor.services.systems import interaction_create, service_create, system_create


@dataclass(frozen=True)
class CatalogComparison:
    """A plan set against a system as it is: what is new and what is already there."""

    new_services: tuple[PlannedService, ...]
    existing_services: tuple[PlannedService, ...]
    new_interactions: tuple[PlannedInteraction, ...]
    existing_interactions: tuple[PlannedInteraction, ...]

    @property
    def creates_anything(self) -> bool:
        return bool(self.new_services or self.new_interactions)


@dataclass(frozen=True)
class ImportOutcome:
    system: System
    system_created: bool
    services_created: tuple[str, ...]
    services_existing: tuple[str, ...]
    interactions_created: tuple[str, ...]
    interactions_existing: tuple[str, ...]


def catalog_compare(*, plan: CatalogPlan, system: System | None) -> CatalogComparison:
    """What importing `plan` into `system` (None: a new one) would create and what it
    would leave as it is. Two queries for an existing system, none for a new one."""
    services: set[str] = set()
    interactions: set[str] = set()
    if system is not None:
        services = {name.lower() for name in system.services.values_list("name", flat=True)}
        interactions = {name.lower() for name in system.interactions.values_list("name", flat=True)}
    return CatalogComparison(
        new_services=tuple(s for s in plan.services if s.name.lower() not in services),
        existing_services=tuple(s for s in plan.services if s.name.lower() in services),
        new_interactions=tuple(i for i in plan.interactions if i.name.lower() not in interactions),
        existing_interactions=tuple(i for i in plan.interactions if i.name.lower() in interactions),
    )


@transaction.atomic
def catalog_import(
    *,
    team: Team,
    plan: CatalogPlan,
    system: System | None = None,
    system_name: str | None = None,
    system_description: str = "",
    user,
) -> ImportOutcome:
    """Create what `plan` describes in `system`, or in a new system named `system_name`,
    all of it or (on any error) nothing. Every interaction gets its empty draft, as one
    made by hand does. Raises ValidationError for a name already taken by a concurrent
    change, and for a system of another team."""
    created = system is None
    if system is None:
        if not (system_name or "").strip():
            raise ValidationError("Name the new system.")
        system = system_create(
            team=team, name=system_name.strip(), description=system_description.strip()
        )
    else:
        if system.team_id != team.pk:
            raise ValidationError("That system belongs to another team.")
        # One import into a system at a time: the second sees what the first created.
        system = (
            System.objects.select_for_update(of=("self",)).select_related("team").get(pk=system.pk)
        )
    comparison = catalog_compare(plan=plan, system=None if created else system)
    by_name: dict[str, Service] = {}
    if not created:
        by_name = {service.name.lower(): service for service in system.services.all()}
    for planned in comparison.new_services:
        by_name[planned.name.lower()] = service_create(
            system=system, name=planned.name, description=planned.description
        )
    for planned in comparison.new_interactions:
        interaction_create(
            system=system,
            source=_service(by_name, planned.source, system),
            target=_service(by_name, planned.target, system),
            name=planned.name,
            description=planned.description,
            style=planned.style,
            user=user,
        )
    return ImportOutcome(
        system=system,
        system_created=created,
        services_created=tuple(s.name for s in comparison.new_services),
        services_existing=tuple(s.name for s in comparison.existing_services),
        interactions_created=tuple(i.name for i in comparison.new_interactions),
        interactions_existing=tuple(i.name for i in comparison.existing_interactions),
    )


def _service(by_name: dict[str, Service], name: str, system: System) -> Service:
    """The service an interaction names: one of the plan's, or one the system had. A plan
    always lists the services its interactions name; this covers one that does not."""
    found = by_name.get(name.lower())
    if found is None:
        found = by_name[name.lower()] = service_create(system=system, name=name)
    return found
