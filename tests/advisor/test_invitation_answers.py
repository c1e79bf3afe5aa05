"""The invited person: their invitations page, the navigation's count, accepting, declining.

An invitation reaches only the account it names: a user name exactly (as signing in
matches it), an e-mail in any case but only when one account alone has that address.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from advisor import services
from advisor.models import Invitation, Membership, Role, is_email_login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

State = Invitation.State


@pytest.fixture
def nina(db):
    return UserFactory(username="Nina", email="Nina.N@example.com")


def _invitation(team, login: str, role: str = Role.EDITOR, by=None, **fields) -> Invitation:
    return Invitation.objects.create(
        team=team, login=login, by_email=is_email_login(login), role=role, invited_by=by, **fields
    )


def _accept(client, invitation, **kwargs):
    return client.post(reverse("invitation_accept", args=[invitation.pk]), **kwargs)


class TestWhoAnInvitationReaches:
    def test_a_user_name_reaches_only_the_account_of_exactly_that_name(self, client, owner, team):
        """(a) The owner invites "kim"; "Kim" is another account."""
        client.force_login(owner)
        client.post(reverse("team_members", args=[team.slug]), {"login": "kim", "role": "owner"})
        invitation = Invitation.objects.get()
        other_kim = UserFactory(username="Kim", email="")
        client.force_login(other_kim)
        assert "No invitations are waiting" in client.get(reverse("invitation_list")).text
        assert _accept(client, invitation).status_code == 404
        assert not Membership.objects.filter(user=other_kim).exists()
        kim = UserFactory(username="kim", email="")
        client.force_login(kim)
        _accept(client, invitation)
        assert Membership.objects.get(team=team, user=kim).role == Role.OWNER

    def test_an_e_mail_two_accounts_share_reaches_neither(self, client, team):
        """(b) Nobody can tell which of the two the owner meant."""
        invitation = _invitation(team, "shared@example.com", Role.OWNER)
        first = UserFactory(username="first", email="shared@example.com")
        second = UserFactory(username="second", email="Shared@Example.com")
        for user in (first, second):
            client.force_login(user)
            assert 'action="/invitations/' not in client.get(reverse("invitation_list")).text
            assert _accept(client, invitation).status_code == 404
        assert not Membership.objects.filter(team=team).exists()
        assert Invitation.objects.get().state == State.PENDING

    def test_an_e_mail_reaches_its_account_in_any_case_once_no_other_shares_it(self, client, team):
        invitation = _invitation(team, "shared@example.com")
        first = UserFactory(username="first", email="Shared@Example.com")
        second = UserFactory(username="second", email="shared@example.com")
        second.email = "second@example.com"
        second.save(update_fields=["email"])
        client.force_login(first)
        _accept(client, invitation)
        assert Membership.objects.filter(team=team, user=first).exists()

    def test_an_e_mail_is_never_matched_against_user_names(self, client, team):
        """(c) An account may be called "nina@example.com" and have another address."""
        invitation = _invitation(team, "nina@example.com", Role.OWNER)
        impostor = UserFactory(username="nina@example.com", email="imp@example.com")
        client.force_login(impostor)
        assert 'action="/invitations/' not in client.get(reverse("invitation_list")).text
        assert _accept(client, invitation).status_code == 404
        assert not Membership.objects.filter(user=impostor).exists()
        nina = UserFactory(username="nina", email="nina@example.com")
        client.force_login(nina)
        _accept(client, invitation)
        assert Membership.objects.filter(team=team, user=nina).exists()

    def test_a_user_name_is_never_matched_against_e_mails(self, client, team):
        invitation = _invitation(team, "nina")
        lookalike = UserFactory(username="someone", email="nina")  # not an address, stored
        client.force_login(lookalike)
        assert _accept(client, invitation).status_code == 404


class TestInvitationList:
    def test_it_lists_invitations_to_the_users_name_or_their_email_in_any_case(
        self, client, nina, team, other_team, owner
    ):
        _invitation(team, "Nina", Role.VIEWER, by=owner)
        _invitation(other_team, "nina.n@example.com")
        _invitation(team, "nina.other@example.com")  # someone else's
        _invitation(other_team, "nina")  # another account's user name
        client.force_login(nina)
        response = client.get(reverse("invitation_list"))
        assert response.status_code == 200
        assert "olive invites you to join as a viewer" in response.text
        assert "Elsewhere" in response.text
        assert response.text.count('action="/invitations/') == 4  # accept and decline, twice

    def test_it_says_when_each_invitation_expires_and_hides_expired_ones(
        self, client, nina, team, other_team
    ):
        _invitation(team, "Nina", expires_at=datetime(2031, 12, 7, 12, tzinfo=UTC))
        _invitation(other_team, "Nina", expires_at=timezone.now())
        client.force_login(nina)
        page = client.get(reverse("invitation_list")).text
        assert "It expires on 7 December." in page
        assert "Checkout" in page and "Elsewhere" not in page

    def test_answered_invitations_and_teams_already_joined_are_not_listed(
        self, client, nina, team, other_team
    ):
        Invitation.objects.filter(pk=_invitation(team, "Nina").pk).update(state=State.DECLINED)
        _invitation(other_team, "Nina")
        MembershipFactory(team=other_team, user=nina)
        client.force_login(nina)
        response = client.get(reverse("invitation_list"))
        assert "No invitations are waiting for you." in response.text
        assert 'action="/invitations/' not in response.text

    def test_its_query_count_does_not_grow_with_invitations(
        self, client, nina, team, other_team, django_assert_num_queries
    ):
        client.force_login(nina)
        _invitation(team, "Nina")
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
        _invitation(team, "Nina", by=owner)
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
    def test_accepting_joins_the_team_with_the_invited_role(self, client, nina, team):
        invitation = _invitation(team, "nina.n@example.com", Role.VIEWER)
        client.force_login(nina)
        response = _accept(client, invitation, follow=True)
        assert response.redirect_chain[-1][0] == reverse("team_detail", args=[team.slug])
        assert "You joined “Checkout” as a viewer." in response.text
        assert Membership.objects.get(team=team, user=nina).role == Role.VIEWER
        invitation.refresh_from_db()
        assert (invitation.state, invitation.answered_by) == (State.ACCEPTED, nina)
        assert invitation.answered_at is not None

    def test_accepting_closes_the_users_other_invitations_to_that_team(self, client, nina, team):
        by_name = _invitation(team, "Nina", Role.OWNER)
        by_email = _invitation(team, "nina.n@example.com", Role.VIEWER)
        client.force_login(nina)
        _accept(client, by_email)
        assert Invitation.objects.get(pk=by_name.pk).state == State.ACCEPTED
        assert Membership.objects.get(team=team, user=nina).role == Role.VIEWER
        response = _accept(client, by_name, follow=True)
        assert "You already accepted this invitation to “Checkout”." in response.text
        assert Membership.objects.get(team=team, user=nina).role == Role.VIEWER

    def test_a_withdrawn_invitation_says_so_and_joins_nobody(self, client, nina, team):
        invitation = _invitation(team, "Nina")
        Invitation.objects.filter(pk=invitation.pk).update(state=State.WITHDRAWN)
        client.force_login(nina)
        response = _accept(client, invitation, follow=True)
        assert response.redirect_chain[-1][0] == reverse("invitation_list")
        assert "“Checkout” withdrew this invitation." in response.text
        assert not Membership.objects.filter(user=nina).exists()

    def test_an_invitation_withdrawn_after_it_was_read_cannot_be_accepted(self, nina, owner, team):
        """The page showed the invitation as pending; the owner withdrew it since."""
        invitation = _invitation(team, "Nina")
        seen = Invitation.objects.get(pk=invitation.pk)
        services.invitation_withdraw(invitation=invitation, by=Membership.objects.get(user=owner))
        with pytest.raises(ValidationError, match="withdrew this invitation"):
            services.invitation_accept(invitation=seen, user=nina)
        assert not Membership.objects.filter(user=nina).exists()
        assert Invitation.objects.get().state == State.WITHDRAWN

    def test_an_expired_invitation_says_so_and_joins_nobody(self, client, nina, team):
        invitation = _invitation(team, "Nina", expires_at=datetime(2025, 12, 7, 12, tzinfo=UTC))
        client.force_login(nina)
        response = _accept(client, invitation, follow=True)
        assert response.redirect_chain[-1][0] == reverse("invitation_list")
        assert (
            "This invitation to “Checkout” expired on 7 December 2025. Ask one of its owners "
            "to invite you again." in response.text
        )
        assert not Membership.objects.filter(user=nina).exists()
        assert Invitation.objects.get().answered_by is None

    def test_an_invitation_that_expired_after_it_was_read_cannot_be_accepted(self, nina, team):
        invitation = _invitation(team, "Nina")
        Invitation.objects.update(expires_at=timezone.now())
        with pytest.raises(ValidationError, match="expired on"):
            services.invitation_accept(invitation=invitation, user=nina)
        assert not Membership.objects.filter(user=nina).exists()

    def test_a_member_already_is_told_so_and_the_invitation_is_closed(self, client, nina, team):
        invitation = _invitation(team, "Nina", Role.OWNER)
        MembershipFactory(team=team, user=nina, role=Role.EDITOR)
        client.force_login(nina)
        response = _accept(client, invitation, follow=True)
        assert "You are already a member of “Checkout” (as an editor)." in response.text
        assert "You joined" not in response.text
        assert Membership.objects.get(team=team, user=nina).role == Role.EDITOR
        assert Invitation.objects.get().state == State.ACCEPTED

    def test_a_team_deleted_since_the_page_loaded_is_said_to_be_gone(self, nina, team):
        invitation = Invitation.objects.select_related("team").get(pk=_invitation(team, "Nina").pk)
        team.delete()
        with pytest.raises(ValidationError, match="“Checkout” no longer exists"):
            services.invitation_accept(invitation=invitation, user=nina)
        with pytest.raises(ValidationError, match="no longer exists"):
            services.invitation_decline(invitation=invitation, user=nina)
        assert not Membership.objects.filter(user=nina).exists()

    def test_someone_else_cannot_accept_it(self, client, team, editor):
        invitation = _invitation(team, "Nina")
        intruder = UserFactory(username="nino")
        client.force_login(intruder)
        assert _accept(client, invitation).status_code == 404
        assert client.post(reverse("invitation_decline", args=[invitation.pk])).status_code == 404
        assert Invitation.objects.get().state == State.PENDING
        assert not Membership.objects.filter(user=intruder).exists()

    def test_it_refuses_get_with_405(self, client, nina, team):
        invitation = _invitation(team, "Nina")
        client.force_login(nina)
        assert client.get(reverse("invitation_accept", args=[invitation.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        invitation = _invitation(team, "Nina")
        assert _accept(client, invitation).url.startswith(reverse("login"))


class TestDecline:
    def test_declining_joins_nobody_and_closes_the_invitation(self, client, nina, team):
        invitation = _invitation(team, "Nina")
        client.force_login(nina)
        response = client.post(reverse("invitation_decline", args=[invitation.pk]), follow=True)
        assert "You declined the invitation to “Checkout”." in response.text
        invitation.refresh_from_db()
        assert (invitation.state, invitation.answered_by) == (State.DECLINED, nina)
        assert not Membership.objects.filter(user=nina).exists()
        again = client.post(reverse("invitation_accept", args=[invitation.pk]), follow=True)
        assert "You declined this invitation to “Checkout”." in again.text
        assert not Membership.objects.filter(user=nina).exists()

    def test_declining_closes_the_users_other_invitations_to_that_team(
        self, client, nina, team, other_team
    ):
        by_name = _invitation(team, "Nina", Role.OWNER)
        by_email = _invitation(team, "nina.n@example.com")
        elsewhere = _invitation(other_team, "Nina")
        client.force_login(nina)
        client.post(reverse("invitation_decline", args=[by_email.pk]))
        assert Invitation.objects.get(pk=by_name.pk).state == State.DECLINED
        assert Invitation.objects.get(pk=elsewhere.pk).state == State.PENDING
        response = _accept(client, by_name, follow=True)
        assert "You declined this invitation to “Checkout”." in response.text
        assert not Membership.objects.filter(user=nina).exists()

    def test_an_expired_invitation_cannot_be_declined_either(self, client, nina, team):
        invitation = _invitation(team, "Nina", expires_at=timezone.now())
        client.force_login(nina)
        response = client.post(reverse("invitation_decline", args=[invitation.pk]), follow=True)
        assert "expired on" in response.text
        assert Invitation.objects.get().answered_by is None

    def test_it_refuses_get_with_405(self, client, nina, team):
        invitation = _invitation(team, "Nina")
        client.force_login(nina)
        assert client.get(reverse("invitation_decline", args=[invitation.pk])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        invitation = _invitation(team, "Nina")
        response = client.post(reverse("invitation_decline", args=[invitation.pk]))
        assert response.url.startswith(reverse("login"))
