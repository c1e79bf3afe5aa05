"""The invited person: their invitations page, the navigation's count, accepting, declining."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from advisor import services
from advisor.models import Invitation, Membership, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

State = Invitation.State


@pytest.fixture
def nina(db):
    return UserFactory(username="Nina", email="Nina.N@example.com")


def _invitation(team, login: str, role: str = Role.EDITOR, by=None) -> Invitation:
    return Invitation.objects.create(team=team, login=login, role=role, invited_by=by)


class TestInvitationList:
    def test_it_lists_invitations_to_the_users_name_or_email_in_any_case(
        self, client, nina, team, other_team, owner
    ):
        _invitation(team, "nina", Role.VIEWER, by=owner)
        _invitation(other_team, "nina.n@example.com")
        _invitation(team, "nina.other@example.com")  # someone else's
        client.force_login(nina)
        response = client.get(reverse("invitation_list"))
        assert response.status_code == 200
        assert "olive invites you to join as a viewer" in response.text
        assert "Elsewhere" in response.text
        assert response.text.count('action="/invitations/') == 4  # accept and decline, twice

    def test_answered_invitations_and_teams_already_joined_are_not_listed(
        self, client, nina, team, other_team
    ):
        Invitation.objects.filter(pk=_invitation(team, "nina").pk).update(state=State.DECLINED)
        _invitation(other_team, "nina")
        MembershipFactory(team=other_team, user=nina)
        client.force_login(nina)
        response = client.get(reverse("invitation_list"))
        assert "No invitations are waiting for you." in response.text
        assert 'action="/invitations/' not in response.text

    def test_its_query_count_does_not_grow_with_invitations(
        self, client, nina, team, other_team, django_assert_num_queries
    ):
        client.force_login(nina)
        _invitation(team, "nina")
        client.get(reverse("invitation_list"))  # warm the session
        # session, user, the invitations, the navigation's teams (none) and its count
        with django_assert_num_queries(5) as few:
            client.get(reverse("invitation_list"))
        _invitation(other_team, "nina.n@example.com", by=UserFactory())
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(reverse("invitation_list"))

    def test_it_refuses_post_with_405(self, client, nina):
        client.force_login(nina)
        assert client.post(reverse("invitation_list")).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client):
        assert client.get(reverse("invitation_list")).url.startswith(reverse("login"))


class TestNavigationAndHome:
    def test_the_navigation_counts_pending_invitations(self, client, editor, team, other_team):
        client.force_login(editor)
        page = client.get(reverse("team_detail", args=[team.slug])).text
        assert 'href="/invitations/"' not in page
        _invitation(other_team, "EDDIE@example.com".lower())
        _invitation(other_team, "eddie-twin")  # not theirs
        page = client.get(reverse("team_detail", args=[team.slug])).text
        assert 'href="/invitations/">Invitations <span class="badge text-bg-primary">1<' in page

    def test_a_user_without_a_team_sees_the_count_and_the_invitations(
        self, client, nina, team, owner
    ):
        _invitation(team, "nina", by=owner)
        client.force_login(nina)
        response = client.get(reverse("home"), follow=True)
        assert response.redirect_chain[-1][0] == reverse("team_create")
        assert 'Invitations <span class="badge text-bg-primary">1<' in response.text
        assert "Join a team by accepting its invitation" in response.text
        assert reverse("invitation_accept", args=[Invitation.objects.get().pk]) in response.text

    def test_a_user_without_a_team_or_invitation_is_told_how_to_join(self, client, nina):
        client.force_login(nina)
        response = client.get(reverse("team_create"))
        assert "ask a team owner to invite you" in response.text
        assert "Invitations" not in response.text


class TestAccept:
    def _accept(self, client, invitation, **kwargs):
        return client.post(reverse("invitation_accept", args=[invitation.pk]), **kwargs)

    def test_accepting_joins_the_team_with_the_invited_role(self, client, nina, team):
        invitation = _invitation(team, "nina.n@example.com", Role.VIEWER)
        client.force_login(nina)
        response = self._accept(client, invitation, follow=True)
        assert response.redirect_chain[-1][0] == reverse("team_detail", args=[team.slug])
        assert "You joined “Checkout” as a viewer." in response.text
        assert Membership.objects.get(team=team, user=nina).role == Role.VIEWER
        invitation.refresh_from_db()
        assert (invitation.state, invitation.answered_by) == (State.ACCEPTED, nina)
        assert invitation.answered_at is not None

    def test_accepting_closes_the_users_other_invitations_to_that_team(self, client, nina, team):
        by_name = _invitation(team, "nina", Role.OWNER)
        by_email = _invitation(team, "nina.n@example.com", Role.VIEWER)
        client.force_login(nina)
        self._accept(client, by_email)
        assert Invitation.objects.get(pk=by_name.pk).state == State.ACCEPTED
        assert Membership.objects.get(team=team, user=nina).role == Role.VIEWER
        response = self._accept(client, by_name, follow=True)
        assert "You already accepted this invitation to “Checkout”." in response.text
        assert Membership.objects.get(team=team, user=nina).role == Role.VIEWER

    def test_a_withdrawn_invitation_says_so_and_joins_nobody(self, client, nina, team):
        invitation = _invitation(team, "nina")
        Invitation.objects.filter(pk=invitation.pk).update(state=State.WITHDRAWN)
        client.force_login(nina)
        response = self._accept(client, invitation, follow=True)
        assert response.redirect_chain[-1][0] == reverse("invitation_list")
        assert "“Checkout” withdrew this invitation." in response.text
        assert not Membership.objects.filter(user=nina).exists()

    def test_an_invitation_withdrawn_after_it_was_read_cannot_be_accepted(self, nina, owner, team):
        """The page showed the invitation as pending; the owner withdrew it since."""
        invitation = _invitation(team, "nina")
        seen = Invitation.objects.get(pk=invitation.pk)
        services.invitation_withdraw(invitation=invitation, by=Membership.objects.get(user=owner))
        with pytest.raises(ValidationError, match="withdrew this invitation"):
            services.invitation_accept(invitation=seen, user=nina)
        assert not Membership.objects.filter(user=nina).exists()
        assert Invitation.objects.get().state == State.WITHDRAWN

    def test_someone_else_cannot_accept_it(self, client, team, editor):
        invitation = _invitation(team, "nina")
        intruder = UserFactory(username="nino")
        client.force_login(intruder)
        assert self._accept(client, invitation).status_code == 404
        assert client.post(reverse("invitation_decline", args=[invitation.pk])).status_code == 404
        assert Invitation.objects.get().state == State.PENDING
        assert not Membership.objects.filter(user=intruder).exists()

    def test_it_refuses_get_with_405(self, client, nina, team):
        invitation = _invitation(team, "nina")
        client.force_login(nina)
        assert client.get(reverse("invitation_accept", args=[invitation.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        invitation = _invitation(team, "nina")
        assert self._accept(client, invitation).url.startswith(reverse("login"))


class TestDecline:
    def test_declining_joins_nobody_and_closes_the_invitation(self, client, nina, team):
        invitation = _invitation(team, "nina")
        client.force_login(nina)
        response = client.post(reverse("invitation_decline", args=[invitation.pk]), follow=True)
        assert "You declined the invitation to “Checkout”." in response.text
        invitation.refresh_from_db()
        assert (invitation.state, invitation.answered_by) == (State.DECLINED, nina)
        assert not Membership.objects.filter(user=nina).exists()
        again = client.post(reverse("invitation_accept", args=[invitation.pk]), follow=True)
        assert "You declined this invitation to “Checkout”." in again.text
        assert not Membership.objects.filter(user=nina).exists()

    def test_it_refuses_get_with_405(self, client, nina, team):
        invitation = _invitation(team, "nina")
        client.force_login(nina)
        assert client.get(reverse("invitation_decline", args=[invitation.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        invitation = _invitation(team, "nina")
        response = client.post(reverse("invitation_decline", args=[invitation.pk]))
        assert response.url.startswith(reverse("login"))
