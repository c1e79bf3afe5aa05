"""The world the security sweep probes: team A, whose every name and text carries a marker
no other team's page may ever show, and team B, whose owner is the outsider.

Built the way the app builds things (factories and services), once per test module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor import services
from advisor.models import Interaction, Invitation, Membership, Role, Service, System, Team
from decisions.exporting import build_export
from decisions.models import Decision, DecisionLink, ExportJob, ImportUpload, Status
from decisions.services import EDITABLE_FIELDS, decision_amend, decision_change_status
from decisions.services.exports import export_job_create, export_job_finish, export_job_start
from decisions.services.uploads import upload_import, upload_keep
from tests.factories import (
    SOMEONE_WAITS,
    MembershipFactory,
    TeamFactory,
    UserFactory,
    make_interaction,
    record_decision,
)

# Planted in every name and text of team A (and its people); found anywhere in what an
# outsider or an anonymous visitor receives, it is a leak. Never in an address (team A's
# slug and ids are what the outsider asks for, so they prove nothing).
MARK = "qzxa"
_MARKED = re.compile(rf"{MARK}[\w-]*")

ANSWERS = {**SOMEONE_WAITS, "operation": "query"}


def leaks(text: str) -> list[str]:
    """Team A's marked strings found in `text`."""
    return sorted(set(_MARKED.findall(text)))


def madr_file(title: str, text: str = f"{MARK}-imported-text") -> bytes:
    """A MADR record as a team's repository holds it."""
    return (
        f"# {title}\n\n## Status\n\nAccepted\n\n## Context and Problem Statement\n\n"
        f"Context {text}.\n\n## Decision Outcome\n\n"
        f'Chosen option: "Queue {text}", because it fits.\n'
    ).encode()


@dataclass
class World:
    team_a: Team
    team_b: Team
    owner_a: object
    editor_a: object
    viewer_a: object
    invitee: object  # the person team A's invitation names; no team yet
    outsider: object  # owner of team B, member of nothing else
    editor_membership_a: Membership
    system_a: System
    service_a: Service
    service_a2: Service
    interaction_a: Interaction
    proposed_a: Decision  # proposed: editable
    accepted_a: Decision  # accepted and amended: amendable
    unlinked_a: Decision  # its interaction deleted: can be linked to another
    imported_a: Decision
    upload_a: ImportUpload  # waiting for its preview's confirmation
    export_a: ExportJob  # finished, its file ready
    invitation_a: Invitation
    system_b: System
    interaction_b: Interaction
    accepted_b: Decision
    upload_b: ImportUpload
    export_b: ExportJob


def _accept(decision: Decision, user, note: str = "") -> Decision:
    return decision_change_status(
        decision=decision, user=user, status=Status.ACCEPTED, base_version=decision.version,
        note=note,
    )  # fmt: skip


def _finished_export(team: Team, user) -> ExportJob:
    job = export_job_create(team=team, user=user, format="madr")
    export_job_start(job_id=job.pk, attempt=job.attempts)
    file = build_export(team=team, format="madr")
    export_job_finish(job_id=job.pk, attempt=job.attempts, file=file, done=1, total=1)
    job.refresh_from_db()
    return job


def _team_a() -> dict:
    owner = UserFactory(username=f"ann-{MARK}-owner", email=f"ann-{MARK}@example.com")
    editor = UserFactory(username=f"ed-{MARK}-editor", email=f"ed-{MARK}@example.com")
    viewer = UserFactory(username=f"val-{MARK}-viewer", email=f"val-{MARK}@example.com")
    team = TeamFactory(name=f"Harbor {MARK}-team", slug="harbor")
    owner_membership = MembershipFactory(team=team, user=owner, role=Role.OWNER)
    editor_membership = MembershipFactory(team=team, user=editor, role=Role.EDITOR)
    MembershipFactory(team=team, user=viewer, role=Role.VIEWER)
    system = services.system_create(
        team=team, name=f"Ledger {MARK}-system", description=f"Books {MARK}-system-text"
    )
    interaction = make_interaction(
        system=system, user=owner, name=f"Reserve {MARK}-interaction", answers=ANSWERS
    )
    services.interaction_update(
        interaction=interaction, source=interaction.source, target=interaction.target,
        name=interaction.name, description=f"Holds stock {MARK}-interaction-text",
    )  # fmt: skip
    source = interaction.source
    services.service_update(
        service=source, name=source.name, description=f"Calls {MARK}-service-text"
    )
    accepted = _accept(
        record_decision(interaction, user=owner, title=f"Lease {MARK}-accepted-title",
                        context=f"Because {MARK}-accepted-context"),
        owner, note=f"Agreed {MARK}-status-note",
    )  # fmt: skip
    amended = {field: getattr(accepted, field) for field in EDITABLE_FIELDS}
    decision_amend(
        decision=accepted, user=owner, deciders=[owner], base_version=accepted.version,
        data={**amended, "justification": f"Holds {MARK}-amended-text"},
        reason=f"Clarified {MARK}-amend-reason",
    )  # fmt: skip
    proposed = record_decision(
        interaction, user=owner, title=f"Queue {MARK}-proposed-title",
        consulted=f"Ops {MARK}-consulted", supersedes=[accepted],
    )  # fmt: skip
    doomed = make_interaction(
        system=system, user=owner, name=f"Refund {MARK}-doomed", answers=ANSWERS
    )
    unlinked = record_decision(doomed, user=owner, title=f"Refund {MARK}-unlinked-title")
    services.interaction_delete(interaction=doomed)
    imported_upload = upload_keep(team=team, user=owner, filename="0042-import.md",
                                  data=madr_file(f"Imported {MARK}-imported-title"))  # fmt: skip
    (imported,) = upload_import(upload=imported_upload, user=owner)
    # Named links come only from imported files; one between two of the team's records.
    DecisionLink.objects.create(source=imported, target=accepted, label="Amends",
                                reverse_label="Amended by")  # fmt: skip
    waiting = upload_keep(team=team, user=owner, filename=f"0050-{MARK}-waiting.md",
                          data=madr_file(f"Waiting {MARK}-waiting-title"))  # fmt: skip
    invitee = UserFactory(username=f"nia-{MARK}", email=f"nia-{MARK}@example.com")
    invitation = services.invitation_create(
        by=owner_membership, login=invitee.email, role=Role.EDITOR
    )
    unlinked.refresh_from_db()
    return {
        "team_a": team, "owner_a": owner, "editor_a": editor, "viewer_a": viewer,
        "invitee": invitee,
        "editor_membership_a": editor_membership, "system_a": system,
        "service_a": interaction.source, "service_a2": interaction.target,
        "interaction_a": interaction, "proposed_a": proposed, "accepted_a": accepted,
        "unlinked_a": unlinked, "imported_a": imported, "upload_a": waiting,
        "export_a": _finished_export(team, owner), "invitation_a": invitation,
    }  # fmt: skip


def _team_b() -> dict:
    outsider = UserFactory(username="otto", email="otto@example.com")
    team = TeamFactory(name="Elsewhere", slug="elsewhere")
    MembershipFactory(team=team, user=outsider, role=Role.OWNER)
    system = services.system_create(team=team, name="Shop", description="")
    interaction = make_interaction(system=system, user=outsider, name="Pay", answers=ANSWERS)
    accepted = _accept(record_decision(interaction, user=outsider, title="Pay by card"), outsider)
    upload = upload_keep(team=team, user=outsider, filename="0001-b.md",
                         data=madr_file("Team B's own"))  # fmt: skip
    return {
        "team_b": team, "outsider": outsider, "system_b": system, "interaction_b": interaction,
        "accepted_b": accepted, "upload_b": upload, "export_b": _finished_export(team, outsider),
    }  # fmt: skip


def build_world() -> World:
    return World(**_team_a(), **_team_b())
