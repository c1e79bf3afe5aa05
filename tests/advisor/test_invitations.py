"""Invitations: an owner invites, the invited person accepts or declines, an owner withdraws.

Nobody joins a team without accepting, and the invitation form never tells an owner
whether an account goes by the login they typed.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone

from advisor import services
from advisor.models import Invitation, Membership, Role, is_email_login
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

State = Invitation.State


def _invite(client, team, login: str, role: str = Role.EDITOR, **kwargs):
    return client.post(
        reverse("team_members", args=[team.slug]), {"login": login, "role": role}, **kwargs
    )


def _invitation(team, login: str, role: str = Role.EDITOR, by=None, **fields) -> Invitation:
    return Invitation.objects.create(
        team=team, login=login, by_email=is_email_login(login), role=role, invited_by=by, **fields
    )


class TestInvite:
    def test_an_owner_invites_and_nobody_joins_yet(self, client, owner, team):
        nina = UserFactory(username="nina")
        client.force_login(owner)
        response = _invite(client, team, "NINA@example.com", Role.VIEWER)
        assert response.status_code == 302
        invitation = Invitation.objects.get(team=team)
        assert (invitation.login, invitation.by_email, invitation.role, invitation.state) == (
            "nina@example.com", True, Role.VIEWER, State.PENDING
        )  # fmt: skip
        assert invitation.invited_by == owner
        assert not Membership.objects.filter(team=team, user=nina).exists()

    def test_a_user_name_is_kept_exactly_as_typed(self, client, owner, team):
        client.force_login(owner)
        _invite(client, team, " Kim ")
        invitation = Invitation.objects.get(team=team)
        assert (invitation.login, invitation.by_email) == ("Kim", False)

    def test_it_expires_after_fourteen_days_and_the_owner_sees_when(self, client, owner, team):
        client.force_login(owner)
        _invite(client, team, "ghost")
        invitation = Invitation.objects.get()
        assert invitation.expires_at - invitation.created_at == pytest.approx(
            timedelta(days=14), abs=timedelta(seconds=5)
        )
        Invitation.objects.update(expires_at=datetime(2031, 12, 7, 12, tzinfo=UTC))
        page = client.get(reverse("team_members", args=[team.slug])).text
        assert "expires on 7 December" in page

    def test_the_number_of_days_can_be_set(self, client, owner, team, settings):
        settings.INVITATION_DAYS = 3
        client.force_login(owner)
        _invite(client, team, "ghost")
        invitation = Invitation.objects.get()
        assert invitation.expires_at - invitation.created_at == pytest.approx(
            timedelta(days=3), abs=timedelta(seconds=5)
        )

    def test_an_expired_invitation_is_no_longer_listed_and_the_login_can_be_invited_again(
        self, client, owner, team
    ):
        old = _invitation(team, "ghost", by=owner, expires_at=timezone.now())
        client.force_login(owner)
        page = client.get(reverse("team_members", args=[team.slug])).text
        assert "ghost" not in page
        response = _invite(client, team, "ghost", Role.VIEWER)
        assert response.status_code == 302
        assert Invitation.objects.get(pk=old.pk).state == State.EXPIRED
        assert Invitation.objects.pending().get().role == Role.VIEWER

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
        response = _invite(client, team, "ghost", Role.OWNER)
        assert response.status_code == 422
        assert "“ghost” already has a pending invitation to this team." in response.text
        assert "listed below" not in response.text  # the list is above the form
        assert 'id="error_1_id_login"' in response.text
        assert Invitation.objects.get().role == Role.EDITOR

    def test_an_e_mail_is_the_same_login_in_any_case(self, client, owner, team):
        client.force_login(owner)
        _invite(client, team, "ghost@example.com")
        response = _invite(client, team, "Ghost@Example.COM", Role.OWNER)
        assert "“ghost@example.com” already has a pending invitation" in response.text
        assert Invitation.objects.count() == 1

    def test_user_names_differing_in_case_are_different_people(self, client, owner, team):
        """Django user names are case-sensitive: "kim" and "Kim" can be two accounts."""
        client.force_login(owner)
        _invite(client, team, "kim")
        assert _invite(client, team, "Kim").status_code == 302
        assert sorted(Invitation.objects.values_list("login", flat=True)) == ["Kim", "kim"]

    def test_a_member_is_only_the_account_of_exactly_that_user_name(
        self, client, owner, editor, team
    ):
        client.force_login(owner)
        assert _invite(client, team, "eddie").status_code == 422
        assert _invite(client, team, "Eddie").status_code == 302

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

    def test_an_owner_demoted_since_their_page_loaded_cannot_invite(self, owner, team):
        stale = Membership.objects.select_related("team").get(user=owner)
        MembershipFactory(team=team, role=Role.OWNER)
        Membership.objects.filter(pk=stale.pk).update(role=Role.EDITOR)
        with pytest.raises(PermissionDenied):
            services.invitation_create(by=stale, login="ghost", role=Role.OWNER)
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

    def test_an_expired_invitation_can_still_be_withdrawn(self, owner, team):
        invitation = _invitation(team, "ghost", expires_at=timezone.now())
        services.invitation_withdraw(invitation=invitation, by=Membership.objects.get(user=owner))
        assert Invitation.objects.get().state == State.WITHDRAWN

    def test_an_owner_demoted_since_their_page_loaded_cannot_withdraw(self, owner, team):
        invitation = _invitation(team, "ghost")
        stale = Membership.objects.get(user=owner)
        MembershipFactory(team=team, role=Role.OWNER)
        Membership.objects.filter(pk=stale.pk).update(role=Role.VIEWER)
        with pytest.raises(PermissionDenied):
            services.invitation_withdraw(invitation=invitation, by=stale)
        assert Invitation.objects.get().state == State.PENDING

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


class TestMigration:
    """Invitations made before kinds and expiry existed get both."""

    BEFORE = [("advisor", "0004_team_framework_invitations_text_caps")]
    AFTER = [("advisor", "0005_invitation_kind_and_expiry")]

    def _migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.migrate(targets)
        # The models as of `targets` and what they depend on (another app's newest
        # migration may depend on a later advisor one).
        return executor.loader.project_state(targets).apps

    @pytest.fixture
    def migrated_back(self):
        yield self._migrate(self.BEFORE)
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())

    @pytest.mark.django_db(transaction=True)
    def test_old_invitations_get_a_kind_and_expire_fourteen_days_after_they_were_made(
        self, migrated_back
    ):
        apps = migrated_back
        team = apps.get_model("advisor", "Team").objects.create(name="Old", slug="old")
        Invitation = apps.get_model("advisor", "Invitation")
        by_name = Invitation.objects.create(team=team, login="kim")
        by_email = Invitation.objects.create(team=team, login="kim@example.com")
        made = datetime(2026, 11, 1, 9, tzinfo=UTC)
        Invitation.objects.update(created_at=made)

        Invitation = self._migrate(self.AFTER).get_model("advisor", "Invitation")
        rows = {row.pk: row for row in Invitation.objects.all()}
        assert (rows[by_name.pk].by_email, rows[by_email.pk].by_email) == (False, True)
        assert {row.expires_at for row in rows.values()} == {made + timedelta(days=14)}
