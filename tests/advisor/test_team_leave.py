"""Anyone can leave a team; its last owner hands over first."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from advisor import services
from advisor.models import Invitation, Membership, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _leave(client, team, **kwargs):
    return client.post(reverse("team_leave", args=[team.slug]), **kwargs)


@pytest.mark.parametrize("role_fixture", ["editor", "viewer"])
def test_a_member_leaves_and_lands_on_their_home(client, team, role_fixture, request):
    user = request.getfixturevalue(role_fixture)
    client.force_login(user)
    response = _leave(client, team, follow=True)
    assert not Membership.objects.filter(team=team, user=user).exists()
    assert response.redirect_chain[0] == (reverse("home"), 302)
    assert "You left “Checkout”." in response.text


def test_an_owner_leaves_when_another_owner_remains(client, owner, team):
    MembershipFactory(team=team, role=Role.OWNER)
    client.force_login(owner)
    _leave(client, team)
    assert not Membership.objects.filter(team=team, user=owner).exists()


def test_the_last_owner_is_asked_to_hand_over_first(client, owner, editor, team):
    client.force_login(owner)
    response = _leave(client, team, follow=True)
    assert response.redirect_chain == [(reverse("team_members", args=[team.slug]), 302)]
    assert (
        "You are the only owner of “Checkout”: make someone else owner before you leave."
        in response.text
    )
    assert Membership.objects.filter(team=team, user=owner, role=Role.OWNER).exists()


def test_an_owner_who_leaves_withdraws_the_invitations_they_sent(client, owner, team):
    MembershipFactory(team=team, role=Role.OWNER, user__username="oscar")
    client.force_login(owner)
    client.post(reverse("team_members", args=[team.slug]), {"login": "ghost", "role": "editor"})
    _leave(client, team)
    assert Invitation.objects.get().state == Invitation.State.WITHDRAWN


def test_two_owners_leaving_from_pages_loaded_at_once_leave_one_owner(owner, team):
    """Each page showed two owners; the second to arrive finds the first gone."""
    second = MembershipFactory(team=team, role=Role.OWNER)
    pages = [Membership.objects.select_related("team").get(user=owner), second]
    services.membership_leave(membership=pages[0])
    with pytest.raises(PermissionDenied):  # already gone: a page cannot bring them back
        services.membership_leave(membership=pages[0])
    with pytest.raises(ValidationError, match="You are the only owner"):
        services.membership_leave(membership=pages[1])
    assert list(Membership.objects.values_list("role", flat=True)) == [Role.OWNER]


def test_a_member_promoted_to_only_owner_since_the_page_loaded_cannot_leave(owner, editor, team):
    """The page showed eddie as an editor; he has since become the team's only owner."""
    stale = Membership.objects.select_related("team").get(user=editor)
    Membership.objects.filter(pk=stale.pk).update(role=Role.OWNER)
    Membership.objects.filter(user=owner).update(role=Role.VIEWER)
    with pytest.raises(ValidationError, match="You are the only owner"):
        services.membership_leave(membership=stale)
    assert Membership.objects.filter(pk=stale.pk, role=Role.OWNER).exists()


def test_the_members_page_offers_leaving_with_a_confirmation(client, editor, team):
    client.force_login(editor)
    page = client.get(reverse("team_members", args=[team.slug])).text
    assert "<summary" in page and "Leave “Checkout”…" in page
    assert f'action="{reverse("team_leave", args=[team.slug])}"' in page
    assert "You will no longer see its systems and decisions." in page


def test_the_members_page_tells_the_only_owner_to_hand_over(client, owner, editor, team):
    client.force_login(owner)
    page = client.get(reverse("team_members", args=[team.slug])).text
    assert "You are the only owner of “Checkout”. Before you leave, make another member" in page
    assert reverse("team_leave", args=[team.slug]) not in page


def test_another_team_gets_404(client, outsider, team):
    client.force_login(outsider)
    assert _leave(client, team).status_code == 404
    assert Membership.objects.filter(user=outsider).exists()


def test_it_refuses_get_with_405(client, editor, team):
    client.force_login(editor)
    assert client.get(reverse("team_leave", args=[team.slug])).status_code == 405
    assert Membership.objects.filter(user=editor).exists()


def test_anonymous_users_are_sent_to_log_in(client, team):
    assert _leave(client, team).url.startswith(reverse("login"))
