"""Architecture Decision Records: a team's numbered decisions, their lifecycle and history.

A decision freezes the assessment it was recorded from (answers, framework name and version,
and the full result), so it says years later exactly what the team saw. Every save is an
immutable revision.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from advisor.limits import length_at_most
from advisor.models import Interaction, Team
from decisions import limits
from decisions.limits import within_caps


class Status(models.TextChoices):
    PROPOSED = "proposed", "Proposed"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    DEPRECATED = "deprecated", "Deprecated"
    SUPERSEDED = "superseded", "Superseded"


# Which status a person may move a decision to. Superseded is not among them: a decision
# becomes superseded only when a successor that names it is accepted.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PROPOSED: (Status.ACCEPTED, Status.REJECTED),
    Status.ACCEPTED: (Status.DEPRECATED,),
    Status.REJECTED: (Status.PROPOSED,),
    Status.DEPRECATED: (),
    Status.SUPERSEDED: (),
}


class DecisionSequence(models.Model):
    """Per team, kept in the same transaction as the decisions it describes:

    - `last_number`: the last decision number allocated (locked while the next is taken);
    - `recorded`: how many decisions the team has, so the log needs no COUNT over all of
      them (decisions are history and are never deleted on their own);
    - `changes`: bumped by every write to the team's decisions, it keys caches of
      summaries over the whole log.
    """

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="decision_sequence")
    last_number = models.PositiveIntegerField(default=0)
    recorded = models.PositiveIntegerField(default=0)
    changes = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.team}: last decision ADR-{self.last_number:04d}"


class Decision(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="decisions")
    number = models.PositiveIntegerField()
    interaction = models.ForeignKey(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="decisions"
    )
    # Kept on the record so it still reads right if the interaction is renamed or deleted.
    system_name = models.CharField(max_length=limits.DECISION_TEXTS["system_name"])
    interaction_name = models.CharField(max_length=limits.DECISION_TEXTS["interaction_name"])
    title = models.CharField(max_length=limits.TITLE)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PROPOSED)
    decided_on = models.DateField(null=True, blank=True)
    deciders = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="decisions_made",
                                      blank=True)  # fmt: skip
    consulted = models.TextField(blank=True, max_length=limits.PEOPLE)
    informed = models.TextField(blank=True, max_length=limits.PEOPLE)
    context = models.TextField(blank=True, max_length=limits.CONTEXT)
    drivers = models.TextField(blank=True, max_length=limits.DRIVERS)
    chosen_option = models.CharField(max_length=40, blank=True)
    # The chosen option in the words of an imported file (a recorded decision names one of
    # the framework's patterns in `chosen_option` instead).
    chosen_title = models.CharField(max_length=limits.CHOSEN_TITLE, blank=True)
    justification = models.TextField(blank=True, max_length=limits.JUSTIFICATION)
    good_consequences = models.TextField(blank=True, max_length=limits.CONSEQUENCES)
    bad_consequences = models.TextField(blank=True, max_length=limits.CONSEQUENCES)
    confirmation = models.TextField(blank=True, max_length=limits.CONFIRMATION)
    links = models.TextField(blank=True, max_length=limits.LINKS)
    # The frozen assessment. An imported record has none: its framework fields are blank,
    # its answers and result empty, and `chosen_option` blank (see `chosen_title`).
    framework_name = models.CharField(max_length=60, blank=True)
    framework_version = models.PositiveIntegerField(null=True, blank=True)
    answers = models.JSONField(default=dict)
    result = models.JSONField(default=dict)
    # Blank when too little was answered for the advisor to recommend anything.
    recommended_option = models.CharField(max_length=40, blank=True)
    # The framework document the record was made with: it renders from this, never from
    # today's files (framework_name and framework_version say which it was, for people).
    framework_frozen = models.ForeignKey(
        "advisor.FrameworkVersion", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    supersedes = models.ManyToManyField(
        "self", symmetrical=False, related_name="superseded_by", blank=True
    )
    version = models.PositiveIntegerField(default=1)
    # When the decision was last updated (MADR's `date`): every write sets it to the day it
    # happens; an import keeps the date its file gives.
    updated_on = models.DateField(null=True, blank=True)
    # Decision-makers named by an imported file who have no account in the team.
    external_deciders = models.JSONField(default=list, blank=True)
    # Where an imported record came from (a dialect key, blank for recorded decisions), and
    # the sections of its file the record does not model, kept verbatim by name.
    imported_from = models.CharField(max_length=20, blank=True)
    imported_sections = models.JSONField(default=dict, blank=True)
    # The one-time token of the form that recorded it: posting that form again (Back and
    # resubmit, a double click) finds this decision instead of recording another.
    record_token = models.UUIDField(null=True, blank=True, unique=True, editable=False)
    # The record's text and people in one column for the log's search (decisions.search
    # keeps it current and indexes it).
    search_text = models.TextField(blank=True, default="", editable=False)
    # Set (by migration 0009) on a record that held longer text than decisions.limits allows
    # when the caps came in: its text is kept as it was, and the length checks let it be.
    kept_over_caps = models.BooleanField(default=False, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["team", "number"], name="unique_decision_number"),
            *within_caps("decision", limits.DECISION_TEXTS),
        ]
        indexes = [
            models.Index(fields=["team", "status"]),
            models.Index(fields=["team", "chosen_option"]),
            models.Index(fields=["team", "created_at"]),
            models.Index(fields=["team", "updated_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.reference}: {self.title}"

    @property
    def reference(self) -> str:
        return f"ADR-{self.number:04d}"

    @property
    def imported(self) -> bool:
        """Whether the record came from an ADR file, without a frozen assessment."""
        return bool(self.imported_from)

    @property
    def last_updated_on(self):
        return self.updated_on or self.updated_at.date()

    @property
    def advised(self) -> bool:
        """Whether the advisor gave a recommendation when this was recorded."""
        return bool(self.recommended_option)

    @property
    def against_advice(self) -> bool:
        return self.advised and self.chosen_option != self.recommended_option

    @property
    def editable(self) -> bool:
        return self.status == Status.PROPOSED


class DecisionLink(models.Model):
    """A named link between two of a team's records, as ADR tools write them: `source`
    says `label` of `target` ("Amends ADR-0002"), and `target` says `reverse_label` of
    `source` ("Amended by ADR-0004") when there is one. Superseding is not a link: it
    changes status and lives in `Decision.supersedes`."""

    source = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links_out")
    target = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="links_in")
    label = models.CharField(max_length=limits.LINK_LABEL)
    reverse_label = models.CharField(max_length=limits.LINK_LABEL, blank=True)

    class Meta:
        ordering = ["source", "target", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "target", "label"], name="unique_decision_link"
            ),
            # Every path that writes a link has always held its labels to this length.
            length_at_most("label", limits.LINK_LABEL, name="decisionlink_label_length"),
            length_at_most(
                "reverse_label", limits.LINK_LABEL, name="decisionlink_reverse_label_length"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.source.reference} {self.label} {self.target.reference}"


class Revision(models.Model):
    """An immutable copy of a decision as one save left it."""

    class Kind(models.TextChoices):
        RECORDED = "recorded", "Recorded"
        EDITED = "edited", "Edited"
        AMENDED = "amended", "Amended"
        STATUS = "status", "Status changed"
        IMPORTED = "imported", "Imported"

    decision = models.ForeignKey(Decision, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    note = models.TextField(blank=True, max_length=limits.REVISION_NOTE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    data = models.JSONField()
    # Set (by migration 0009) on a revision whose note was longer than its cap when the caps
    # came in: the note is kept as it was, and the length check lets it be.
    kept_over_caps = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering = ["decision", "version"]
        constraints = [
            models.UniqueConstraint(fields=["decision", "version"], name="unique_revision_version"),
            *within_caps("revision", {"note": limits.REVISION_NOTE}),
        ]

    def __str__(self) -> str:
        return f"{self.decision.reference} v{self.version} ({self.get_kind_display()})"

    def save(self, *args, **kwargs) -> None:
        # Revisions are history: written once, never changed.
        if self.pk is not None:
            raise ValueError("A revision cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("A revision cannot be deleted on its own.")


# How long each text of an export job may be. Every one is the app's own: a format's key,
# the task backend's id, a file name made to fit (decisions.exporting), a media type, the
# notes on what the format could not hold (whole ones kept within the cap) and why it
# failed, in the exports' own sentences. The system's name has no check of its own: it is
# one of the team's (a decision kept from before the caps on SQLite may have a longer one).
EXPORT_JOB_TEXTS: dict[str, int] = {
    "format": 20,
    "task_id": 64,
    "filename": 200,
    "content_type": 100,
    "summary": 5_000,
    "error": 1_000,
}


class ExportJob(models.Model):
    """A whole-log export made in the background: a zip in one ADR dialect, the JSON, or
    the PDF. The worker reports progress as it goes (`done` of `total`) and beats
    `heartbeat_at`; a running job whose heartbeat stops (its worker died) is queued again.
    The finished file is kept in the database, so any app server can hand it out, until
    `expires_at`."""

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Ready to download"
        FAILED = "failed", "Failed"

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(max_length=EXPORT_JOB_TEXTS["format"])
    system_name = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    done = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    task_id = models.CharField(max_length=EXPORT_JOB_TEXTS["task_id"], blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=EXPORT_JOB_TEXTS["filename"], blank=True)
    content_type = models.CharField(max_length=EXPORT_JOB_TEXTS["content_type"], blank=True)
    size = models.PositiveBigIntegerField(default=0)
    data = models.BinaryField(null=True, blank=True, editable=False)
    summary = models.TextField(blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["team", "-created_at"])]
        constraints = [
            length_at_most(name, cap, name=f"exportjob_{name}_length")
            for name, cap in EXPORT_JOB_TEXTS.items()
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.format} export ({self.get_state_display().lower()})"


class ImportUpload(models.Model):
    """An archive or set of ADR files uploaded for import, kept between its preview and the
    person's confirmation (and removed once imported or expired)."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="import_uploads")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    filename = models.CharField(max_length=limits.UPLOAD_NAME)
    data = models.BinaryField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        # The upload service cuts a longer name to this length.
        constraints = [
            length_at_most("filename", limits.UPLOAD_NAME, name="importupload_filename_length")
        ]

    def __str__(self) -> str:
        return f"{self.team}: import of {self.filename}"
