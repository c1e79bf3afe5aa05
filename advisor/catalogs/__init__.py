"""Reading the catalogues where teams already describe their services (Backstage, AsyncAPI
3, Structurizr DSL) into a plan of services and interactions to import. Pure parsing: no
database, no request."""

from __future__ import annotations

from advisor.catalogs.common import (
    FORMAT_TITLES,
    CatalogPlan,
    FileProblem,
    PlannedInteraction,
    PlannedService,
    plan_from_data,
    plan_to_data,
)
from advisor.catalogs.files import detect, plan_from_files

__all__ = [
    "FORMAT_TITLES",
    "CatalogPlan",
    "FileProblem",
    "PlannedInteraction",
    "PlannedService",
    "detect",
    "plan_from_data",
    "plan_from_files",
    "plan_to_data",
]
