"""Teams and their members. Everything a team owns hangs off `Team`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower


class Team(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=60, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Membership", related_name="teams"
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    EDITOR = "editor", "Editor"
    VIEWER = "viewer", "Viewer"


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

    @property
    def can_write(self) -> bool:
        return self.role in {Role.OWNER, Role.EDITOR}

    @property
    def can_manage(self) -> bool:
        return self.role == Role.OWNER

    @property
    def role_with_article(self) -> str:
        return {Role.OWNER: "an owner", Role.EDITOR: "an editor", Role.VIEWER: "a viewer"}[
            self.role
        ]


class System(models.Model):
    """A group of services a team designs together, e.g. "Checkout"."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="systems")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "team", name="unique_system_name_per_team"),
        ]

    def __str__(self) -> str:
        return self.name


class Service(models.Model):
    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), "system", name="unique_service_name_per_system"),
        ]

    def __str__(self) -> str:
        return self.name


class Interaction(models.Model):
    """One way a source service talks to a target service: the unit the advisor decides on."""

    system = models.ForeignKey(System, on_delete=models.CASCADE, related_name="interactions")
    source = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="outgoing")
    target = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="incoming")
    name = models.CharField(max_length=160)
    description = models.TextField(blank=True)
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

    def __str__(self) -> str:
        return f"{self.name} v{self.version} ({self.digest[:12]})"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None:
            raise ValueError("A frozen framework version cannot be changed.")
        super().save(*args, **kwargs)
