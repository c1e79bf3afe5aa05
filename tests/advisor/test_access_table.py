"""One table says who may do what (advisor.access.PERMISSIONS), and everything obeys it:
the views, the pages' buttons and forms, and the hand-written SQL that saves drafts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from django.urls import reverse

from advisor import access, services
from advisor.engine import check_answers, evaluate
from advisor.frameworks import team_framework
from advisor.models import Assessment, Invitation, Membership, Role, System
from advisor.services import SaveOutcome
from tests.factories import MembershipFactory, SystemFactory, make_interaction

pytestmark = pytest.mark.django_db


@pytest.fixture
def members(team):
    """A member of each role, a second owner (so an owner may leave) and a member whose
    role an owner may change."""
    MembershipFactory(team=team, role=Role.OWNER, user__username="oscar")
    target = MembershipFactory(team=team, role=Role.VIEWER, user__username="tess")
    by_role = {
        role: MembershipFactory(team=team, role=role, user__username=f"{role}-member").user
        for role in Role
    }
    return by_role, target


# One request per action, made by a member: what it answers when the role may not.
PROBES = {
    access.READ: lambda client, team, target: client.get(reverse("team_detail", args=[team.slug])),
    access.WRITE: lambda client, team, target: client.post(
        reverse("system_create", args=[team.slug]), {"system-name": "Ledger"}
    ),
    access.INVITE: lambda client, team, target: client.post(
        reverse("team_members", args=[team.slug]), {"login": "ghost", "role": Role.EDITOR}
    ),
    access.MANAGE: lambda client, team, target: client.post(
        reverse("membership_role", args=[team.slug, target.pk]), {"role": Role.EDITOR}
    ),
    access.LEAVE: lambda client, team, target: client.post(reverse("team_leave", args=[team.slug])),
}


# Whether the probe's action took place: a refusal can also answer 302 (with a message),
# so the status alone proves nothing.
EFFECTS = {
    access.READ: lambda response, team, target, user: (
        response.status_code == 200 and "Checkout" in response.text
    ),
    access.WRITE: lambda response, team, target, user: System.objects.filter(
        team=team, name="Ledger"
    ).exists(),
    access.INVITE: lambda response, team, target, user: (
        Invitation.objects.pending().filter(team=team, login="ghost").exists()
    ),
    access.MANAGE: lambda response, team, target, user: Membership.objects.filter(
        pk=target.pk, role=Role.EDITOR
    ).exists(),
    access.LEAVE: lambda response, team, target, user: (
        not Membership.objects.filter(team=team, user=user).exists()
    ),
}


def test_every_action_in_the_table_has_a_probe_and_an_effect():
    assert set(PROBES) == set(EFFECTS) == set(access.PERMISSIONS)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("action", list(PROBES))
def test_each_view_allows_exactly_the_roles_the_table_names(client, team, members, action, role):
    by_role, target = members
    user = by_role[role]
    client.force_login(user)
    response = PROBES[action](client, team, target)
    happened = EFFECTS[action](response, team, target, user)
    if access.can(role, action):
        assert response.status_code in (200, 302)
        assert happened
    else:
        assert response.status_code == 403
        assert not happened


@pytest.mark.parametrize("action", list(PROBES))
def test_taking_an_action_from_every_role_in_the_table_closes_its_view(
    client, team, members, action, monkeypatch
):
    """The views read the table: they hard-code no role."""
    nobody = replace(access.PERMISSIONS[action], roles=frozenset())
    monkeypatch.setitem(access.PERMISSIONS, action, nobody)
    by_role, target = members
    for role in Role:
        client.force_login(by_role[role])
        response = PROBES[action](client, team, target)
        assert response.status_code == 403, role
        assert not EFFECTS[action](response, team, target, by_role[role]), role


def test_the_members_page_shows_what_the_table_allows(client, team, members, monkeypatch):
    by_role, _target = members
    client.force_login(by_role[Role.VIEWER])
    url = reverse("team_members", args=[team.slug])
    page = client.get(url).text
    assert "Invite someone" not in page and 'name="role"' not in page
    for action in (access.INVITE, access.MANAGE):
        grown = access.PERMISSIONS[action].roles | {Role.VIEWER}
        monkeypatch.setitem(
            access.PERMISSIONS, action, replace(access.PERMISSIONS[action], roles=grown)
        )
    page = client.get(url).text
    assert "Invite someone" in page
    assert reverse("membership_role", args=[team.slug, Membership.objects.get(
        user__username="tess").pk]) in page  # fmt: skip


def test_the_members_page_explains_the_table(client, viewer, team):
    client.force_login(viewer)
    page = client.get(reverse("team_members", args=[team.slug])).text
    for permission in access.PERMISSIONS.values():
        assert permission.summary.replace("'", "&#x27;") in page
    # Invite: owners only.
    row = page.split("Invite people and withdraw invitations", 1)[1].split("</tr>", 1)[0]
    assert row.count("Yes</span>") == 1 and row.count("No</span>") == 2


def test_the_draft_save_sql_takes_its_roles_from_the_table(editor, owner, team, monkeypatch):
    interaction = make_interaction(system=SystemFactory(team=team))
    framework = team_framework(team)
    answers, _problems = check_answers(framework, {"operation": "command"})

    def save_as(user):
        return services.assessment_save_draft(
            interaction_id=interaction.pk, user=user, answers=answers,
            result=evaluate(framework, answers), base_revision=0, base_answers={},
        )  # fmt: skip

    owners_only = replace(access.PERMISSIONS[access.WRITE], roles=frozenset({Role.OWNER}))
    monkeypatch.setitem(access.PERMISSIONS, access.WRITE, owners_only)
    assert save_as(editor).outcome == SaveOutcome.NOT_ALLOWED
    assert Assessment.objects.get(interaction=interaction).revision == 0
    assert save_as(owner).outcome == SaveOutcome.SAVED
    assert Assessment.objects.get(interaction=interaction).answers == {"operation": "command"}


def test_membership_properties_read_the_table(team, editor, monkeypatch):
    membership = Membership.objects.get(user=editor)
    assert membership.can_write and not membership.can_manage
    assert membership.may == {access.READ: True, access.WRITE: True, access.INVITE: False,
                              access.MANAGE: False, access.LEAVE: True}  # fmt: skip
    for action in (access.WRITE, access.MANAGE):
        flipped = access.PERMISSIONS[action].roles ^ {Role.EDITOR}
        monkeypatch.setitem(
            access.PERMISSIONS, action, replace(access.PERMISSIONS[action], roles=flipped)
        )
    assert membership.can_manage and not membership.can_write
