"""A small log with every kind of relation an ADR file can hold, for the exchange tests:
ADR-0001 accepted then superseded by ADR-0002 and ADR-0003 (accepted), ADR-0004 proposed,
a named link (ADR-0003 amends ADR-0001, "Amended by" back) and an amendment."""

from __future__ import annotations

import io
import zipfile

import pytest

from decisions import services
from decisions.models import DecisionLink
from decisions.selectors import decisions_for_export
from tests.factories import MembershipFactory, SystemFactory, make_interaction, record_decision


def accept(decision, user):
    return services.decision_change_status(
        decision=decision, user=user, status="accepted", base_version=decision.version
    )


@pytest.fixture
def log(team, owner):
    sam = MembershipFactory(team=team, user__username="sam").user
    system = SystemFactory(team=team, name="Storefront")
    first = record_decision(
        make_interaction(system=system, name="Reserve stock"), user=owner,
        title="Call Inventory synchronously", consulted="Platform guild",
        good_consequences="- One reservation wins\n- Nothing new to run",
        bad_consequences="- Checkout waits on Inventory", deciders=[owner, sam],
    )  # fmt: skip
    accept(first, owner)
    second = record_decision(
        make_interaction(system=system, name="Reserve stock later"), user=owner,
        title="Reserve stock with a lease", supersedes=[first],
    )  # fmt: skip
    third = record_decision(
        make_interaction(system=system, name="Cancel reservation"), user=owner,
        title="Release stock on cancel", supersedes=[first],
    )  # fmt: skip
    accept(second, owner)
    accept(third, owner)
    proposed = record_decision(
        make_interaction(system=system, name="Show stock"), user=owner, title="Show stock: 1/2"
    )
    DecisionLink.objects.create(
        source=third, target=first, label="Amends", reverse_label="Amended by"
    )
    return [first, second, third, proposed]


def loaded(team):
    return list(decisions_for_export(team))


def unzip(data: bytes) -> dict[str, str]:
    archive = zipfile.ZipFile(io.BytesIO(data))
    return {name: archive.read(name).decode("utf-8") for name in archive.namelist()}
