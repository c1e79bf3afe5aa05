from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from advisor import services
from advisor.models import Invitation, Membership, Role, Team
from tests.factories import MembershipFactory, SystemFactory, UserFactory

pytestmark = pytest.mark.django_db


class TestHome:
    def test_it_opens_the_team_the_user_last_worked_in(self, client, owner, team):
        second = MembershipFactory(user=owner, team__slug="zeta", team__name="Zeta").team
        client.force_login(owner)
        client.post(reverse("team_switch"), {"team": second.slug})

        response = client.get(reverse("home"))

        assert response.status_code == 302
        assert response.url == reverse("team_detail", args=[second.slug])

    def test_it_asks_a_user_without_a_team_to_create_one(self, client):
        client.force_login(UserFactory())
        response = client.get(reverse("home"))
        assert response.url == reverse("team_create")

    def test_anonymous_users_are_sent_to_log_in(self, client):
        response = client.get(reverse("home"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


class TestTeamDetail:
    def test_it_shows_the_team_its_systems_and_the_members_role(self, client, viewer, team):
        SystemFactory(team=team, name="Payments platform")
        SystemFactory(name="Somebody else's system")
        client.force_login(viewer)
        response = client.get(reverse("team_detail", args=[team.slug]))
        assert response.status_code == 200
        assert "You are a viewer in this team." in response.text
        assert "Payments platform" in response.text
        assert "Somebody else" not in response.text
        assert "Add a system" not in response.text

    def test_its_query_count_does_not_grow_with_members_or_systems(
        self, client, owner, team, django_assert_num_queries
    ):
        client.force_login(owner)
        client.get(reverse("team_detail", args=[team.slug]))  # warm the session
        SystemFactory(team=team)
        with django_assert_num_queries(5) as few:
            client.get(reverse("team_detail", args=[team.slug]))
        MembershipFactory.create_batch(3, team=team)
        SystemFactory.create_batch(4, team=team)
        with django_assert_num_queries(len(few.captured_queries)):
            client.get(reverse("team_detail", args=[team.slug]))

    def test_it_rejects_another_teams_page_with_404(self, client, outsider, team):
        client.force_login(outsider)
        assert client.get(reverse("team_detail", args=[team.slug])).status_code == 404

    def test_it_refuses_post_with_405(self, client, owner, team):
        client.force_login(owner)
        assert client.post(reverse("team_detail", args=[team.slug])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        response = client.get(reverse("team_detail", args=[team.slug]))
        assert response.url.startswith(reverse("login"))


class TestTeamCreate:
    def test_it_makes_the_creator_owner(self, client):
        user = UserFactory()
        client.force_login(user)
        response = client.post(reverse("team_create"), {"name": "Payments Crew"})
        team = Team.objects.get(name="Payments Crew")
        assert response.url == reverse("team_detail", args=[team.slug])
        assert Membership.objects.get(team=team, user=user).role == Role.OWNER

    def test_two_teams_with_the_same_name_get_different_addresses(self, client):
        client.force_login(UserFactory())
        client.post(reverse("team_create"), {"name": "Ops"})
        client.post(reverse("team_create"), {"name": "Ops"})
        assert sorted(Team.objects.values_list("slug", flat=True)) == ["ops", "ops-2"]

    def test_a_blank_name_is_shown_next_to_the_field(self, client):
        client.force_login(UserFactory())
        response = client.post(reverse("team_create"), {"name": "   "})
        assert response.status_code == 422
        assert 'id="error_1_id_name"' in response.text
        assert not Team.objects.exists()

    def test_it_refuses_put_with_405(self, client):
        client.force_login(UserFactory())
        assert client.put(reverse("team_create")).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client):
        assert client.get(reverse("team_create")).url.startswith(reverse("login"))


class TestTeamSwitch:
    def test_it_switches_to_a_team_the_user_belongs_to(self, client, owner, team):
        other = MembershipFactory(user=owner, team__slug="other").team
        client.force_login(owner)
        response = client.post(reverse("team_switch"), {"team": other.slug})
        assert response.url == reverse("team_detail", args=[other.slug])
        assert client.session["current_team_id"] == other.pk

    def test_it_will_not_switch_to_someone_elses_team(self, client, outsider, team):
        client.force_login(outsider)
        assert client.post(reverse("team_switch"), {"team": team.slug}).status_code == 404

    def test_it_refuses_get_with_405(self, client, owner):
        client.force_login(owner)
        assert client.get(reverse("team_switch")).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        response = client.post(reverse("team_switch"), {"team": team.slug})
        assert response.url.startswith(reverse("login"))


class TestMembers:
    def test_members_can_see_the_member_list(
        self, client, viewer, owner, team, django_assert_max_num_queries
    ):
        client.force_login(viewer)
        with django_assert_max_num_queries(8):
            response = client.get(reverse("team_members", args=[team.slug]))
        assert response.status_code == 200
        assert "olive" in response.text
        assert "Invite someone" not in response.text

    def test_an_owner_sees_the_invitation_form_and_no_longer_an_add_form(self, client, owner, team):
        client.force_login(owner)
        response = client.get(reverse("team_members", args=[team.slug]))
        assert "Invite someone" in response.text
        assert "Add a member" not in response.text

    def test_its_query_count_does_not_grow_with_members_or_invitations(
        self, client, owner, team, django_assert_num_queries
    ):
        client.force_login(owner)
        url = reverse("team_members", args=[team.slug])
        client.get(url)  # warm the session
        with django_assert_num_queries(6) as few:
            client.get(url)
        MembershipFactory.create_batch(3, team=team)
        for login in ("ann", "bob@example.com", "cid"):
            Invitation.objects.create(team=team, login=login, invited_by=owner)
        with django_assert_num_queries(len(few.captured_queries)):
            response = client.get(url)
        assert "bob@example.com" in response.text

    def test_another_team_gets_404(self, client, outsider, team):
        client.force_login(outsider)
        assert client.get(reverse("team_members", args=[team.slug])).status_code == 404

    def test_it_refuses_delete_with_405(self, client, owner, team):
        client.force_login(owner)
        assert client.delete(reverse("team_members", args=[team.slug])).status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, team):
        assert client.get(reverse("team_members", args=[team.slug])).url.startswith("/login/")


class TestMembershipRole:
    def test_an_owner_promotes_an_editor(self, client, owner, editor, team):
        member = Membership.objects.get(user=editor)
        client.force_login(owner)
        client.post(reverse("membership_role", args=[team.slug, member.pk]), {"role": Role.OWNER})
        member.refresh_from_db()
        assert member.role == Role.OWNER

    def test_it_says_what_changed(self, client, owner, editor, team):
        member = Membership.objects.get(user=editor)
        client.force_login(owner)
        response = client.post(
            reverse("membership_role", args=[team.slug, member.pk]),
            {"role": Role.OWNER},
            follow=True,
        )
        assert "eddie is now an owner." in response.text

    def test_an_owner_made_editor_loses_the_invitations_they_sent(self, client, owner, team):
        oscar = MembershipFactory(team=team, role=Role.OWNER, user__username="oscar")
        kept = Invitation.objects.create(team=team, login="kept", invited_by=owner)
        sent = Invitation.objects.create(team=team, login="ghost", invited_by=oscar.user)
        client.force_login(owner)
        client.post(reverse("membership_role", args=[team.slug, oscar.pk]), {"role": Role.EDITOR})
        assert Invitation.objects.get(pk=sent.pk).state == Invitation.State.WITHDRAWN
        assert Invitation.objects.get(pk=kept.pk).state == Invitation.State.PENDING

    def test_an_owner_kept_owner_keeps_the_invitations_they_sent(self, client, owner, team):
        oscar = MembershipFactory(team=team, role=Role.OWNER, user__username="oscar")
        Invitation.objects.create(team=team, login="ghost", invited_by=oscar.user)
        client.force_login(owner)
        client.post(reverse("membership_role", args=[team.slug, oscar.pk]), {"role": Role.OWNER})
        assert Invitation.objects.get().state == Invitation.State.PENDING

    def test_an_owner_demoted_since_their_page_loaded_cannot_change_roles(
        self, owner, editor, team
    ):
        stale = Membership.objects.get(user=owner)
        MembershipFactory(team=team, role=Role.OWNER)
        Membership.objects.filter(pk=stale.pk).update(role=Role.EDITOR)
        target = Membership.objects.get(user=editor)
        with pytest.raises(PermissionDenied):
            services.membership_change_role(membership=target, role=Role.OWNER, by=stale)
        assert Membership.objects.get(user=editor).role == Role.EDITOR

    def test_a_member_who_became_the_only_owner_since_the_page_loaded_stays_owner(
        self, owner, editor, team
    ):
        """The page showed eddie as an editor; he is now the only owner."""
        target = Membership.objects.get(user=editor)
        Membership.objects.filter(pk=target.pk).update(role=Role.OWNER)
        Membership.objects.filter(user=owner).update(role=Role.VIEWER)
        with pytest.raises(ValidationError, match="at least one owner"):
            services.membership_change_role(membership=target, role=Role.VIEWER, by=target)
        assert Membership.objects.get(user=editor).role == Role.OWNER

    def test_the_last_owner_cannot_step_down(self, client, owner, team):
        member = Membership.objects.get(user=owner)
        client.force_login(owner)
        response = client.post(
            reverse("membership_role", args=[team.slug, member.pk]),
            {"role": Role.VIEWER},
            follow=True,
        )
        member.refresh_from_db()
        assert member.role == Role.OWNER
        assert "A team needs at least one owner" in response.text

    def test_an_unknown_role_changes_nothing(self, client, owner, editor, team):
        member = Membership.objects.get(user=editor)
        client.force_login(owner)
        client.post(reverse("membership_role", args=[team.slug, member.pk]), {"role": "king"})
        member.refresh_from_db()
        assert member.role == Role.EDITOR

    def test_a_viewer_gets_403(self, client, viewer, editor, team):
        member = Membership.objects.get(user=editor)
        client.force_login(viewer)
        response = client.post(
            reverse("membership_role", args=[team.slug, member.pk]), {"role": Role.VIEWER}
        )
        assert response.status_code == 403

    def test_a_member_of_another_team_cannot_be_reached(self, client, owner, team, outsider):
        foreign = Membership.objects.get(user=outsider)
        client.force_login(owner)
        response = client.post(
            reverse("membership_role", args=[team.slug, foreign.pk]), {"role": Role.VIEWER}
        )
        assert response.status_code == 404

    def test_another_team_gets_404(self, client, outsider, owner, team):
        member = Membership.objects.get(user=owner)
        client.force_login(outsider)
        response = client.post(
            reverse("membership_role", args=[team.slug, member.pk]), {"role": Role.VIEWER}
        )
        assert response.status_code == 404

    def test_it_refuses_get_with_405(self, client, owner, team):
        member = Membership.objects.get(user=owner)
        client.force_login(owner)
        assert (
            client.get(reverse("membership_role", args=[team.slug, member.pk])).status_code == 405
        )

    def test_anonymous_users_are_sent_to_log_in(self, client, owner, team):
        member = Membership.objects.get(user=owner)
        response = client.post(reverse("membership_role", args=[team.slug, member.pk]))
        assert response.url.startswith(reverse("login"))


class TestMembershipRemove:
    def test_an_owner_removes_a_member(self, client, owner, editor, team):
        client.force_login(owner)
        member = Membership.objects.get(user=editor)
        client.post(reverse("membership_remove", args=[team.slug, member.pk]))
        assert not Membership.objects.filter(pk=member.pk).exists()

    def test_it_says_who_was_removed(self, client, owner, editor, team):
        client.force_login(owner)
        member = Membership.objects.get(user=editor)
        response = client.post(
            reverse("membership_remove", args=[team.slug, member.pk]), follow=True
        )
        assert "eddie no longer belongs to “Checkout”." in response.text

    def test_a_removed_owner_loses_the_invitations_they_sent(self, client, owner, team):
        oscar = MembershipFactory(team=team, role=Role.OWNER, user__username="oscar")
        Invitation.objects.create(team=team, login="ghost", invited_by=oscar.user)
        client.force_login(owner)
        client.post(reverse("membership_remove", args=[team.slug, oscar.pk]))
        assert Invitation.objects.get().state == Invitation.State.WITHDRAWN

    def test_an_owner_removing_themselves_lands_on_their_home(self, client, owner, team):
        MembershipFactory(team=team, role=Role.OWNER)
        member = Membership.objects.get(user=owner)
        client.force_login(owner)
        response = client.post(reverse("membership_remove", args=[team.slug, member.pk]))
        assert response.url == reverse("home")
        assert not Membership.objects.filter(pk=member.pk).exists()

    def test_an_owner_demoted_since_their_page_loaded_cannot_remove(self, owner, editor, team):
        stale = Membership.objects.get(user=owner)
        MembershipFactory(team=team, role=Role.OWNER)
        Membership.objects.filter(pk=stale.pk).update(role=Role.VIEWER)
        target = Membership.objects.get(user=editor)
        with pytest.raises(PermissionDenied):
            services.membership_remove(membership=target, by=stale)
        assert Membership.objects.filter(user=editor).exists()

    def test_a_member_who_became_the_only_owner_since_the_page_loaded_stays(
        self, owner, editor, team
    ):
        target = Membership.objects.get(user=editor)
        Membership.objects.filter(pk=target.pk).update(role=Role.OWNER)
        Membership.objects.filter(user=owner).update(role=Role.VIEWER)
        with pytest.raises(ValidationError, match="at least one owner"):
            services.membership_remove(membership=target, by=target)
        assert Membership.objects.filter(user=editor, role=Role.OWNER).exists()

    def test_the_last_owner_cannot_be_removed(self, client, owner, team):
        member = Membership.objects.get(user=owner)
        client.force_login(owner)
        client.post(reverse("membership_remove", args=[team.slug, member.pk]))
        assert Membership.objects.filter(pk=member.pk).exists()

    def test_an_editor_gets_403(self, client, editor, owner, team):
        client.force_login(editor)
        member = Membership.objects.get(user=owner)
        response = client.post(reverse("membership_remove", args=[team.slug, member.pk]))
        assert response.status_code == 403

    def test_another_team_gets_404(self, client, outsider, owner, team):
        member = Membership.objects.get(user=owner)
        client.force_login(outsider)
        response = client.post(reverse("membership_remove", args=[team.slug, member.pk]))
        assert response.status_code == 404

    def test_it_refuses_get_with_405(self, client, owner, team):
        member = Membership.objects.get(user=owner)
        client.force_login(owner)
        response = client.get(reverse("membership_remove", args=[team.slug, member.pk]))
        assert response.status_code == 405

    def test_anonymous_users_are_sent_to_log_in(self, client, owner, team):
        member = Membership.objects.get(user=owner)
        response = client.post(reverse("membership_remove", args=[team.slug, member.pk]))
        assert response.url.startswith(reverse("login"))
