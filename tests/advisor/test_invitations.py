"""Invitations: an owner invites, the invited person accepts or declines, an owner withdraws.

Nobody joins a team without accepting, and the invitation form never tells an owner
whether an account goes by the login they typed.
"""

from __future__ import annotations

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from advisor import services
from advisor.models import Invitation, Membership, Role
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

State = Invitation.State


def _invite(client, team, login: str, role: str = Role.EDITOR, **kwargs):
    return client.post(
        reverse("team_members", args=[team.slug]), {"login": login, "role": role}, **kwargs
    )


def _invitation(team, login: str, role: str = Role.EDITOR, by=None) -> Invitation:
    return Invitation.objects.create(team=team, login=login, role=role, invited_by=by)


class TestInvite:
    def test_an_owner_invites_and_nobody_joins_yet(self, client, owner, team):
        nina = UserFactory(username="nina")
        client.force_login(owner)
        response = _invite(client, team, "NINA@example.com", Role.VIEWER)
        assert response.status_code == 302
        invitation = Invitation.objects.get(team=team)
        assert (invitation.login, invitation.role, invitation.state) == (
            "nina@example.com", Role.VIEWER, State.PENDING
        )  # fmt: skip
        assert invitation.invited_by == owner
        assert not Membership.objects.filter(team=team, user=nina).exists()

    def test_an_existing_and_an_unknown_login_get_the_same_answer(self, client, owner):
        """Two teams set up alike; one invites an account's e-mail, the other an e-mail no
        account has. Status, redirect, message and the page after it are the same but for
        the login, the team's address and the ids (all numbers)."""
        UserFactory(username="nina", email="nina@example.com")
        twins = [
            MembershipFactory(user=owner, role=Role.OWNER, team__name="Twin", team__slug=slug).team
            for slug in ("twin-a", "twin-b")
        ]
        client.force_login(owner)
        pages = []
        for team, login in zip(twins, ("nina@example.com", "nobody@example.com"), strict=True):
            response = _invite(client, team, login, follow=True)
            assert response.redirect_chain == [(reverse("team_members", args=[team.slug]), 302)]
            text = response.text.replace(login, "LOGIN")
            text = re.sub(r"twin-[ab]", "SLUG", text)
            text = re.sub(r'(csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "TOKEN", text)
            pages.append(re.sub(r"\d+", "N", text))  # ids
        assert "Invitation for “LOGIN” saved. They will see it when they sign in" in pages[0]
        assert pages[0] == pages[1]

    def test_it_does_not_say_whether_an_account_exists(self, client, owner, team):
        client.force_login(owner)
        response = _invite(client, team, "ghost", follow=True)
        assert "Invitation for “ghost” saved." in response.text
        assert "No user" not in response.text
        assert Invitation.objects.filter(team=team, login="ghost").exists()

    def test_a_member_is_said_to_be_a_member_already(self, client, owner, editor, team):
        client.force_login(owner)
        response = _invite(client, team, "EDDIE@example.com")
        assert response.status_code == 422
        assert "“eddie@example.com” is already a member of this team." in response.text
        assert 'id="error_1_id_login"' in response.text
        assert not Invitation.objects.exists()

    def test_a_second_invitation_for_the_same_login_is_refused(self, client, owner, team):
        client.force_login(owner)
        _invite(client, team, "ghost")
        response = _invite(client, team, "Ghost", Role.OWNER)
        assert response.status_code == 422
        assert "“ghost” already has a pending invitation, listed below." in response.text
        assert Invitation.objects.get().role == Role.EDITOR

    def test_a_login_no_account_could_have_is_shown_next_to_the_field(self, client, owner, team):
        client.force_login(owner)
        response = _invite(client, team, "two words")
        assert response.status_code == 422
        assert "Enter a user name (letters, digits and @ . + - _) or an e-mail" in response.text
        assert 'id="error_1_id_login"' in response.text
        assert not Invitation.objects.exists()

    def test_an_unknown_role_is_shown_next_to_the_field(self, client, owner, team):
        client.force_login(owner)
        response = _invite(client, team, "ghost", "king")
        assert response.status_code == 422
        assert 'id="error_1_id_role"' in response.text
        assert not Invitation.objects.exists()

    @pytest.mark.parametrize("role_fixture", ["editor", "viewer"])
    def test_editors_and_viewers_cannot_invite(self, client, team, role_fixture, request):
        client.force_login(request.getfixturevalue(role_fixture))
        assert _invite(client, team, "ghost").status_code == 403
        assert not Invitation.objects.exists()

    def test_the_service_itself_refuses_a_role_that_may_not_invite(self, viewer, team):
        membership = Membership.objects.select_related("team").get(user=viewer)
        with pytest.raises(PermissionDenied):
            services.invitation_create(by=membership, login="ghost", role=Role.OWNER)
        assert not Invitation.objects.exists()

    def test_another_team_gets_404(self, client, outsider, team):
        client.force_login(outsider)
        assert _invite(client, team, "ghost").status_code == 404
        assert not Invitation.objects.exists()

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        assert _invite(client, team, "ghost").url.startswith(reverse("login"))

    def test_the_owner_sees_pending_invitations_and_others_do_not(
        self, client, owner, viewer, team
    ):
        _invitation(team, "ghost@example.com", by=owner)
        declined = _invitation(team, "declined-it@example.com", by=owner)
        Invitation.objects.filter(pk=declined.pk).update(state=State.DECLINED)
        client.force_login(owner)
        page = client.get(reverse("team_members", args=[team.slug])).text
        assert "ghost@example.com" in page
        assert "declined-it@example.com" not in page
        client.force_login(viewer)
        assert "ghost@example.com" not in client.get(reverse("team_members", args=[team.slug])).text


class TestWithdraw:
    def _withdraw(self, client, team, invitation):
        return client.post(reverse("invitation_withdraw", args=[team.slug, invitation.pk]))

    def test_an_owner_withdraws_a_pending_invitation(self, client, owner, team):
        invitation = _invitation(team, "ghost")
        client.force_login(owner)
        response = client.post(
            reverse("invitation_withdraw", args=[team.slug, invitation.pk]), follow=True
        )
        invitation.refresh_from_db()
        assert invitation.state == State.WITHDRAWN
        assert invitation.answered_by is None
        assert "Invitation for “ghost” withdrawn." in response.text

    def test_an_answered_invitation_stays_answered(self, client, owner, team):
        invitation = _invitation(team, "ghost")
        Invitation.objects.filter(pk=invitation.pk).update(state=State.ACCEPTED)
        client.force_login(owner)
        response = client.post(
            reverse("invitation_withdraw", args=[team.slug, invitation.pk]), follow=True
        )
        assert "The invitation for “ghost” was already answered." in response.text
        assert Invitation.objects.get().state == State.ACCEPTED

    def test_an_editor_gets_403(self, client, editor, team):
        invitation = _invitation(team, "ghost")
        client.force_login(editor)
        assert self._withdraw(client, team, invitation).status_code == 403
        assert Invitation.objects.get().state == State.PENDING

    def test_another_teams_invitation_gets_404(self, client, owner, team, other_team):
        foreign = _invitation(other_team, "ghost")
        client.force_login(owner)
        assert self._withdraw(client, team, foreign).status_code == 404
        assert Invitation.objects.get().state == State.PENDING

    def test_a_non_member_gets_404(self, client, outsider, team):
        invitation = _invitation(team, "ghost")
        client.force_login(outsider)
        assert self._withdraw(client, team, invitation).status_code == 404

    def test_it_refuses_get_with_405(self, client, owner, team):
        invitation = _invitation(team, "ghost")
        client.force_login(owner)
        url = reverse("invitation_withdraw", args=[team.slug, invitation.pk])
        assert client.get(url).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        invitation = _invitation(team, "ghost")
        assert self._withdraw(client, team, invitation).url.startswith(reverse("login"))
