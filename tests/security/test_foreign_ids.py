"""Another team's ids smuggled into a form or an address that team A's own people may use:
none of them is accepted, and nothing changes.

Each case takes a request the sweep's registry knows to succeed (see test_access's
positive control) and swaps one id for one of team B's (or of another system's).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.urls import reverse

from advisor import services
from tests.security.probe import Requester
from tests.security.registry import ROUTES
from tests.security.world import World

pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Smuggle:
    name: str  # the registry route whose valid request is altered
    body: Callable[[World], dict] = lambda world: {}  # fields replaced in the valid body
    args: Callable[[World], dict] | None = None  # address arguments replacing the valid ones
    user: str = "owner_a"


def _other_system_services(world: World) -> tuple:
    """Two services of another system of team A itself."""
    other = services.system_create(team=world.team_a, name="Warehouse", description="")
    return (services.service_create(system=other, name="Picker"),
            services.service_create(system=other, name="Packer"))  # fmt: skip


def _team_b_services(world: World) -> tuple:
    return world.interaction_b.source, world.interaction_b.target


def _interaction_fields(prefix: str, pair: Callable[[World], tuple]) -> Callable:
    def body(world: World) -> dict:
        source, target = pair(world)
        return {f"{prefix}source": source.pk, f"{prefix}target": target.pk}

    return body


def _edit_prefix(world: World) -> str:
    return f"edit-{world.interaction_a.pk}-"


SMUGGLES = {
    "a new record superseding team B's decision": Smuggle(
        "decision_record", body=lambda w: {"supersedes": [w.accepted_b.pk]}
    ),
    "a new record with team B's owner as decision-maker": Smuggle(
        "decision_record", body=lambda w: {"deciders": [w.outsider.pk]}
    ),
    "an edit with team B's owner as decision-maker": Smuggle(
        "decision_edit", body=lambda w: {"deciders": [w.outsider.pk]}
    ),
    "a new interaction between team B's services": Smuggle(
        "interaction_create", body=_interaction_fields("interaction-", _team_b_services)
    ),
    "a new interaction between another system's services": Smuggle(
        "interaction_create", body=_interaction_fields("interaction-", _other_system_services)
    ),
    "an interaction edited to call team B's services": Smuggle(
        "interaction_edit",
        body=lambda w: _interaction_fields(_edit_prefix(w), _team_b_services)(w),
    ),
    "an interaction edited to call another system's services": Smuggle(
        "interaction_edit",
        body=lambda w: _interaction_fields(_edit_prefix(w), _other_system_services)(w),
    ),
    "a record linked to team B's interaction": Smuggle(
        "decision_interaction_link", body=lambda w: {"interaction": w.interaction_b.pk}
    ),
    "an export of team B's system": Smuggle(
        "decision_log_exports", body=lambda w: {"system": w.system_b.name}
    ),
    "a switch to team B by a viewer of team A only": Smuggle(
        "team_switch", body=lambda w: {"team": w.team_b.slug}, user="viewer_a"
    ),
    "questionnaire answers based on team B's questionnaire": Smuggle(
        "interaction_detail", body=lambda w: _base_of(w.interaction_b)
    ),
    "a role change for team B's owner": Smuggle(
        "membership_role", args=lambda w: {"slug": w.team_a.slug, "member_id": _b_owner(w)}
    ),
    "a removal of team B's owner": Smuggle(
        "membership_remove", args=lambda w: {"slug": w.team_a.slug, "member_id": _b_owner(w)}
    ),
    "a withdrawal of team B's invitation": Smuggle(
        "invitation_withdraw", args=lambda w: {"slug": w.team_a.slug, "pk": _b_invitation(w)}
    ),
    "an import of team B's upload": Smuggle(
        "decision_import_preview", args=lambda w: {"slug": w.team_a.slug, "pk": w.upload_b.pk}
    ),
}


def _b_owner(world: World) -> int:
    return world.team_b.memberships.get(user=world.outsider).pk


def _b_invitation(world: World) -> int:
    membership = world.team_b.memberships.get(user=world.outsider)
    return services.invitation_create(by=membership, login="bea@example.com", role="viewer").pk


def _base_of(interaction) -> dict:
    from advisor.models import Assessment
    from advisor.questionnaire import base_token

    draft = Assessment.objects.get(interaction=interaction)
    return {"base": base_token(interaction.pk, draft.revision, draft.answers)}


@pytest.mark.parametrize("case", SMUGGLES, ids=list(SMUGGLES))
def test_no_foreign_id_is_accepted(world, case):
    smuggle = SMUGGLES[case]
    route = ROUTES[smuggle.name]
    args = (smuggle.args or route.args)(world)
    body = {**route.data(world), **smuggle.body(world)}
    requester = Requester(getattr(world, smuggle.user))

    response, wrote = requester.send("POST", reverse(smuggle.name, kwargs=args), body)

    assert response.status_code < 500
    assert wrote == set(), f"{case}: accepted, changing {', '.join(sorted(wrote))}"


@pytest.mark.parametrize(
    "name",
    ["decision_log_export", "decision_log_export_download"],
)
def test_team_b_export_is_not_found_under_team_a(world, name):
    requester = Requester(world.owner_a)
    url = reverse(name, kwargs={"slug": world.team_a.slug, "pk": world.export_b.pk})
    response, _ = requester.send("GET", url)
    assert response.status_code == 404


OWN = {
    "a new record superseding team A's own decision": (
        Smuggle("decision_record", body=lambda w: {"supersedes": [w.accepted_a.pk]}),
        "decisions_decision_supersedes",
    ),
    "a new interaction between the system's own services": (
        Smuggle("interaction_create", body=_interaction_fields("interaction-", lambda w: (
            w.service_a, w.service_a2))),
        "advisor_interaction",
    ),
    "a record linked to team A's own interaction": (
        Smuggle("decision_interaction_link", body=lambda w: {"interaction": w.interaction_a.pk}),
        "decisions_decision",
    ),
}  # fmt: skip


@pytest.mark.parametrize("case", OWN, ids=list(OWN))
def test_the_same_field_with_an_id_of_the_team_is_taken(world, case):
    """The control: the cases above are refused for the id they carry."""
    smuggle, table = OWN[case]
    route = ROUTES[smuggle.name]
    body = {**route.data(world), **smuggle.body(world)}
    url = reverse(smuggle.name, kwargs=route.args(world))
    response, wrote = Requester(world.owner_a).send("POST", url, body)
    assert response.status_code == 302
    assert table in wrote
