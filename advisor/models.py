"""Teams and their members. Everything a team owns hangs off `Team`."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models
from django.db.models import Exists, Q
from django.db.models.functions import Lower
from django.utils import timezone

from advisor import limits
from advisor.limits import length_at_most


class Team(models.Model):
    name = models.CharField(max_length=limits.NAME)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )
    # The framework the team's questionnaires score with, by name and version (see
    # advisor.frameworks.framework_get); never taken from a request.
    framework_name = models.CharField(max_length=60, default="default")
    framework_version = models.PositiveIntegerField(default=3)

    class Meta:
        ordering = ["name"]
        constraints = [length_at_most("name", limits.NAME, name="team_name_length")]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """A team's framework must be one Crossroads has (the admin edits it)."""
        from advisor.frameworks import FrameworkNotFound, framework_get

        try:
            framework_get(self.framework_name, self.framework_version)
        except FrameworkNotFound as error:
            raise ValidationError({"framework_version": str(error)}) from error


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


_ROLE_WITH_ARTICLE = {Role.OWNER: "an owner", Role.EDITOR: "an editor", Role.VIEWER: "a viewer"}


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["team", "user"], name="unique_membership"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.role})"

    # advisor.access imports this module, hence the imports inside these properties.
    @property
    def may(self) -> dict[str, bool]:
        """What this member's role allows, by action: `{% if membership.may.invite %}`."""
        from advisor import access

        return access.allowed_actions(self.role)

    @property
    def can_write(self) -> bool:
        from advisor import access

        return access.can(self.role, access.WRITE)

    @property
    def can_manage(self) -> bool:
        from advisor import access

        return access.can(self.role, access.MANAGE)

    @property
    def role_with_article(self) -> str:
        return _ROLE_WITH_ARTICLE[self.role]


class System(models.Model):
    """A group of services a team designs together, e.g. "Checkout"."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="systems")
    name = models.CharField(max_length=limits.NAME)
    description = models.TextField(blank=True, max_length=limits.DESCRIPTION)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "team", name="unique_system_name_per_team"),
            length_at_most("name", limits.NAME, name="system_name_length"),
            length_at_most("description", limits.DESCRIPTION, name="system_description_length"),
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=limits.NAME)
    description = models.TextField(blank=True, max_length=limits.DESCRIPTION)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "system", name="unique_service_name_per_system"),
            length_at_most("name", limits.NAME, name="service_name_length"),
            length_at_most("description", limits.DESCRIPTION, name="service_description_length"),
        ]

    def __str__(self) -> str:
        return self.name


class Style(models.TextChoices):
    """How an interaction works today, as a team or an imported catalogue says, before (or
    without) a decision. The map draws undecided interactions this way, and the chain
    analysis counts a synchronous one as a hop."""

    UNKNOWN = "", "Not known"
    SYNC = "sync", "Synchronous call"
    ASYNC = "async", "Asynchronous message"
    REQUEST_REPLY = "request_reply", "Request and reply over queues"


class Interaction(models.Model):
    """One way a source service talks to a target service: the unit the advisor decides on."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="interactions")
    source = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="incoming")
    name = models.CharField(max_length=limits.INTERACTION_NAME)
    description = models.TextField(blank=True, max_length=limits.DESCRIPTION)
    style = models.CharField(max_length=16, choices=Style.choices, blank=True, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "system", name="unique_interaction_name_per_system"
            ),
            models.CheckConstraint(
                condition=~models.Q(source=models.F("target")),
                name="interaction_source_is_not_target",
            ),
            length_at_most("name", limits.INTERACTION_NAME, name="interaction_name_length"),
            length_at_most(
                "description", limits.DESCRIPTION, name="interaction_description_length"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Assessment(models.Model):
    """An interaction's working answers to the framework and the result they gave.

    Each interaction has one, saved as a draft as the answers change; a decision record
    freezes a copy of it. `revision` grows with every save, so a save based on an older
    revision is detected as a conflict instead of silently overwriting someone's answers.
    """

    interaction = models.OneToOneField(
        Interaction, on_delete=models.CASCADE, related_name="assessment"
    )
    framework_name = models.CharField(max_length=60)
    framework_version = models.PositiveIntegerField()
    answers = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.interaction} (revision {self.revision})"


class FrameworkVersion(models.Model):
    """A framework document exactly as it was when a decision was recorded with it.

    Rows are written once and never changed, and the decisions that point at one render
    their questions, choices, patterns and titles from it: editing or replacing a framework
    file later changes no existing record. Identical documents share one row (`digest`).
    """

    name = models.CharField(max_length=60)
    version = models.PositiveIntegerField()
    digest = models.CharField(max_length=64, unique=True)  # SHA-256 of the canonical JSON
    document = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "version", "created_at"]
        constraints = [length_at_most("name", 60, name="framework_version_name_length")]

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.digest[:12]})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A frozen framework version cannot be changed.")
        super().save(*args, **kwargs)


# How long an invitation waits for its answer, unless settings.INVITATION_DAYS says otherwise.
INVITATION_DAYS = 14


def invitation_expiry() -> datetime:
    """When an invitation made now stops being valid."""
    return timezone.now() + timedelta(days=getattr(settings, "INVITATION_DAYS", INVITATION_DAYS))


def is_email_login(login: str) -> bool:
    """Whether an invitation's login is an e-mail address (else it is a user name)."""
    try:
        validate_email(login)
    except ValidationError:
        return False
    return True


class InvitationQuerySet(models.QuerySet):
    def pending(self) -> InvitationQuerySet:
        """Invitations still waiting for an answer and not expired."""
        return self.filter(state=Invitation.State.PENDING, expires_at__gt=timezone.now())

    def addressed_to(self, user) -> InvitationQuerySet:
        """Invitations that name `user`: by their exact user name (as signing in matches
        it), or by their e-mail in any case when no other account has that e-mail. An
        e-mail invitation is never matched against user names, nor a user name against
        e-mails."""
        named = Q(by_email=False, login=user.get_username())
        if not user.email:
            return self.filter(named)
        shared = get_user_model().objects.filter(email__iexact=user.email).exclude(pk=user.pk)
        emailed = Q(by_email=True, login=user.email.lower()) & ~Exists(shared)
        return self.filter(named | emailed)


class Invitation(models.Model):
    """An owner's offer of a role in a team to one person, who accepts or declines it.

    `login` is what the owner typed: a user name, kept exactly (user names are
    case-sensitive), or an e-mail address (`by_email`), lower-cased. The person it names
    sees the invitation once signed in, whether their account existed when it was sent or
    was made later, until it expires. Nobody joins a team without accepting.
    """

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        # Closed when the login was invited again after the invitation had expired.
        EXPIRED = "expired", "Expired"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="invitations")
    login = models.CharField(max_length=limits.LOGIN)
    by_email = models.BooleanField(default=False)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.EDITOR)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Who answered it (the account that accepted or declined), once answered.
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(default=invitation_expiry)
    answered_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                "team",
                "login",
                condition=models.Q(state="pending"),
                name="one_pending_invitation_per_login",
            ),
            length_at_most("login", limits.LOGIN, name="invitation_login_length"),
        ]
        indexes = [models.Index(fields=["login", "state"])]

    def __str__(self) -> str:
        return f"{self.login} to {self.team} ({self.state})"

    @property
    def role_with_article(self) -> str:
        return _ROLE_WITH_ARTICLE[self.role]

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()
