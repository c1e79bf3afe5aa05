"""Writes for teams and memberships. Keyword-only functions named <entity>_<action>."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.text import slugify

from advisor import access
from advisor.engine import Result, evaluate, parse_answers
from advisor.frameworks import DEFAULT_FRAMEWORK, get_framework
from advisor.models import Assessment, Interaction, Membership, Role, Service, System, Team

SESSION_TEAM_KEY = "current_team_id"


def _unique_slug(name: str) -> str:
    base = slugify(name)[:50] or "team"
    slug, suffix = base, 2
    while Team.objects.filter(slug=slug).exists():
        slug = f"{base}-{suffix}"
        suffix += 1
    return slug


def team_create(*, name: str, owner) -> Team:
    """Create a team with `owner` as its first owner."""
    for _attempt in range(5):
        try:
            with transaction.atomic():
                team = Team.objects.create(name=name.strip(), slug=_unique_slug(name))
                Membership.objects.create(team=team, user=owner, role=Role.OWNER)
                return team
        except IntegrityError:  # someone took the same slug a moment ago: pick the next one
            continue
    raise ValidationError("Could not find a free address for this team name; try another name.")


def membership_add(*, team: Team, login: str, role: str) -> Membership:
    """Add the user whose username or e-mail is `login` to `team`."""
    user = _user_by_login(login.strip())
    if Membership.objects.filter(team=team, user=user).exists():
        raise ValidationError({"login": f"{user.get_username()} is already a member."})
    return Membership.objects.create(team=team, user=user, role=role)


def _user_by_login(login: str):
    """Exactly one account for a username (exact first, then any case) or an e-mail."""
    users = get_user_model().objects
    exact = users.filter(username=login).first()
    if exact is not None:
        return exact
    for matches in (users.filter(username__iexact=login), users.filter(email__iexact=login)):
        found = list(matches[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValidationError(
                {"login": f"Several accounts match “{login}”: give the exact username."}
            )
    raise ValidationError({"login": f"No user is called or has the e-mail “{login}”."})


def _ensure_another_owner_remains(membership: Membership) -> None:
    if membership.role != Role.OWNER:
        return
    others = Membership.objects.filter(team_id=membership.team_id, role=Role.OWNER).exclude(
        pk=membership.pk
    )
    if not others.exists():
        raise ValidationError("A team needs at least one owner: make someone else owner first.")


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str) -> Membership:
    # Lock the team's owner rows so two owners demoting each other cannot both succeed.
    list(Membership.objects.select_for_update().filter(team_id=membership.team_id, role=Role.OWNER))
    if role != Role.OWNER:
        _ensure_another_owner_remains(membership)
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    list(Membership.objects.select_for_update().filter(team_id=membership.team_id, role=Role.OWNER))
    _ensure_another_owner_remains(membership)
    membership.delete()


def current_team_remember(*, session, team: Team) -> None:
    """Make `team` the one the navigation shows and the home page opens."""
    if session.get(SESSION_TEAM_KEY) != team.pk:  # an unchanged session is not re-saved
        session[SESSION_TEAM_KEY] = team.pk


# --- systems, services, interactions --------------------------------------------------


def _name_taken(what: str, name: str) -> ValidationError:
    return ValidationError({"name": f"There is already {what} called “{name}”."})


def system_create(*, team: Team, name: str, description: str = "") -> System:
    try:
        with transaction.atomic():
            return System.objects.create(team=team, name=name, description=description)
    except IntegrityError:  # a concurrent create took the name after the form checked it
        raise _name_taken("a system in this team", name) from None


def system_update(*, system: System, name: str, description: str) -> System:
    system.name, system.description = name, description
    try:
        with transaction.atomic():
            system.save(update_fields=["name", "description", "updated_at"])
    except IntegrityError:
        raise _name_taken("a system in this team", name) from None
    return system


def system_delete(*, system: System) -> None:
    system.delete()


def service_create(*, system: System, name: str, description: str = "") -> Service:
    try:
        with transaction.atomic():
            return Service.objects.create(system=system, name=name, description=description)
    except IntegrityError:
        raise _name_taken("a service in this system", name) from None


def service_update(*, service: Service, name: str, description: str) -> Service:
    service.name, service.description = name, description
    try:
        with transaction.atomic():
            service.save(update_fields=["name", "description"])
    except IntegrityError:
        raise _name_taken("a service in this system", name) from None
    return service


def service_delete(*, service: Service) -> None:
    service.delete()


@transaction.atomic
def interaction_create(
    *, system: System, source: Service, target: Service, name: str, description: str, user
) -> Interaction:
    """Create the interaction with its (empty) draft assessment."""
    if source.system_id != system.pk or target.system_id != system.pk:
        raise ValidationError("Both services must belong to the interaction's system.")
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(
                system=system, source=source, target=target, name=name, description=description
            )
    except IntegrityError:
        raise _name_taken("an interaction in this system", name) from None
    framework = get_framework(DEFAULT_FRAMEWORK)
    empty = evaluate(framework, parse_answers(framework, {}))
    Assessment.objects.create(
        interaction=interaction,
        framework_name=framework.name,
        framework_version=framework.version,
        answers={},
        result=empty.as_dict(),
        created_by=user,
        updated_by=user,
    )
    return interaction


def interaction_update(
    *, interaction: Interaction, source: Service, target: Service, name: str, description: str
) -> Interaction:
    if source.system_id != interaction.system_id or target.system_id != interaction.system_id:
        raise ValidationError("Both services must belong to the interaction's system.")
    interaction.source, interaction.target = source, target
    interaction.name, interaction.description = name, description
    try:
        with transaction.atomic():
            interaction.save(
                update_fields=["source", "target", "name", "description", "updated_at"]
            )
    except IntegrityError:
        raise _name_taken("an interaction in this system", name) from None
    return interaction


def interaction_delete(*, interaction: Interaction) -> None:
    interaction.delete()


# --- assessments -----------------------------------------------------------------------


@dataclass(frozen=True)
class DraftSave:
    """What happened to a draft save: saved at `revision`, or refused as a conflict."""

    saved: bool
    revision: int


_SAVE_DRAFT_SQL = f"""
UPDATE {Assessment._meta.db_table}
   SET answers = %s, result = %s, framework_name = %s, framework_version = %s,
       revision = revision + 1, updated_by_id = %s, updated_at = %s
 WHERE interaction_id = %s AND revision = %s
   AND EXISTS (
       SELECT 1 FROM {Membership._meta.db_table} m
         JOIN {System._meta.db_table} s ON s.team_id = m.team_id
         JOIN {Interaction._meta.db_table} i ON i.system_id = s.id
        WHERE i.id = %s AND m.user_id = %s AND m.role IN ({{roles}}))
"""


def assessment_save_draft(
    *,
    interaction_id: int,
    user,
    answers: Mapping[str, Any],
    result: Result,
    base_revision: int,
) -> DraftSave:
    """Save the draft if its revision is still `base_revision`.

    One conditional UPDATE does the work, and it also checks that `user` may edit the
    interaction's team, so the common case costs a single query. When it changes no row the
    caller finds out why (gone, not allowed, or a newer revision) from a fresh read. To
    overwrite someone else's save deliberately, pass their revision: a save made after that
    is still detected.
    """
    # Hand-written SQL: this runs on every answer change, and building the same statement
    # through the ORM costs several times more than executing it.
    roles = access.roles_for(access.WRITE)
    field = Assessment._meta.get_field
    values = [
        field("answers").get_db_prep_save(dict(_jsonable(answers)), connection),
        field("result").get_db_prep_save(result.as_dict(), connection),
        result.framework_name,
        result.framework_version,
        user.pk,
        field("updated_at").get_db_prep_save(timezone.now(), connection),
        interaction_id,
        base_revision,
        interaction_id,
        user.pk,
        *roles,
    ]
    with connection.cursor() as cursor:
        cursor.execute(_SAVE_DRAFT_SQL.format(roles=", ".join(["%s"] * len(roles))), values)
        updated = cursor.rowcount
    return DraftSave(saved=bool(updated), revision=base_revision + 1 if updated else base_revision)


def _jsonable(answers: Mapping[str, Any]):
    for key, value in answers.items():
        yield key, list(value) if isinstance(value, tuple) else value
