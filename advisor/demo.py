"""The demo: a login, its teams, the Storefront system and a decision log with a history.

Everything is made through the services, the way people make it in the app, so the demo
shows what the app itself produces. Loading is safe to repeat: what exists is left as it is,
except that a demo database made by an earlier version gains the services and interactions
added since, and the blanks it left (a service's description, how an interaction talks)
are filled in. The data itself is in advisor/demo_data.py and fixtures/demo/.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from advisor import services
from advisor.demo_data import DEMO_INTERACTIONS, DEMO_SERVICES, DEMO_STYLES, DEMO_SYSTEM
from advisor.engine import evaluate, parse_answers
from advisor.frameworks import team_framework
from advisor.models import Assessment, Interaction, Membership, Role, Service, System, Team
from decisions import services as decision_services
from decisions.models import Decision, Revision, Status

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "crossroads-demo"
# Colleagues who decide alongside the demo user. They have no password: they exist so that
# decisions have more than one decision-maker, not to log in.
COLLEAGUES = [("ana", "Ana", "Ribeiro"), ("sam", "Sam", "Okafor")]

DEMO_TEAMS = [
    ("Checkout Squad", "checkout-squad", Role.OWNER),
    ("Platform Guild", "platform-guild", Role.EDITOR),
]

SCENARIOS = settings.BASE_DIR / "fixtures" / "demo"
DECISION_LOG = SCENARIOS / "log" / "storefront.json"
# Short names the log file uses for the decision's fields.
FIELD_NAMES = {"good": "good_consequences", "bad": "bad_consequences"}


@dataclass(frozen=True)
class DemoLoad:
    """What a load did: how many decisions it recorded, and why none when it recorded none."""

    decisions_recorded: int
    log_skipped_because: str = ""


@transaction.atomic
def demo_load() -> DemoLoad:
    user, created = get_user_model().objects.get_or_create(
        username=DEMO_USERNAME, defaults={"email": "demo@example.com"}
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    # The guild's owner, so the demo user meets a team where they are only an editor.
    lead, _ = get_user_model().objects.get_or_create(
        username="guild-lead", defaults={"email": "guild-lead@example.com"}
    )
    teams = []
    for name, slug, role in DEMO_TEAMS:
        team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name})
        Membership.objects.get_or_create(team=team, user=user, defaults={"role": role})
        if role != Role.OWNER:
            Membership.objects.get_or_create(team=team, user=lead, defaults={"role": Role.OWNER})
        teams.append(team)
    squad = teams[0]
    members = {DEMO_USERNAME: user}
    for username, first_name, last_name in COLLEAGUES:
        colleague, made = get_user_model().objects.get_or_create(
            username=username,
            defaults={"email": f"{username}@example.com", "first_name": first_name,
                      "last_name": last_name},
        )  # fmt: skip
        if made:
            colleague.set_unusable_password()
            colleague.save(update_fields=["password"])
        Membership.objects.get_or_create(team=squad, user=colleague,
                                         defaults={"role": Role.EDITOR})  # fmt: skip
        members[username] = colleague
    interactions, scenarios = _load_system(squad, user)
    return _load_decision_log(squad, interactions, scenarios, members)


def _scenario_answers(scenario: str) -> dict[str, Any]:
    return json.loads((SCENARIOS / f"{scenario}.json").read_text())["answers"]


def _load_system(team: Team, user) -> tuple[dict[str, Interaction], dict[str, dict[str, Any]]]:
    """The demo system and its interactions, each with its scenario's answers when new."""
    name, description = DEMO_SYSTEM
    system, _ = System.objects.get_or_create(
        team=team, name=name, defaults={"description": description}
    )
    services_by_name = {
        service: _service(system, service, about) for service, about in DEMO_SERVICES.items()
    }
    interactions, scenarios = {}, {}
    for title, caller, receiver, about, scenario in DEMO_INTERACTIONS:
        scenarios[title] = _scenario_answers(scenario)
        interaction = Interaction.objects.filter(system=system, name=title).first()
        if interaction is None:
            interaction = services.interaction_create(
                system=system, source=services_by_name[caller],
                target=services_by_name[receiver], name=title, description=about, user=user,
                style=DEMO_STYLES[title],
            )  # fmt: skip
            interaction_answer(interaction, scenarios[title], user)
        elif not interaction.style:
            # Made by a demo that did not say how interactions talk yet: say it now.
            services.interaction_update(
                interaction=interaction, source=interaction.source, target=interaction.target,
                name=interaction.name, description=interaction.description,
                style=DEMO_STYLES[title],
            )  # fmt: skip
        interactions[title] = interaction
    return interactions, scenarios


def _service(system: System, name: str, about: str) -> Service:
    """The demo service called `name`, made if missing; a blank description is filled in."""
    service = Service.objects.filter(system=system, name__iexact=name).first()
    if service is None:
        return services.service_create(system=system, name=name, description=about)
    if not service.description:
        services.service_update(service=service, name=service.name, description=about)
    return service


def _holds(interaction: Interaction, answers: Mapping[str, Any]) -> bool:
    framework = team_framework(interaction.system.team)
    draft = Assessment.objects.get(interaction=interaction)
    return dict(parse_answers(framework, draft.answers)) == dict(parse_answers(framework, answers))


def interaction_answer(interaction: Interaction, answers: Mapping[str, Any], user) -> None:
    """Save `answers` as the interaction's draft, as the questionnaire would."""
    if _holds(interaction, answers):
        return
    framework = team_framework(interaction.system.team)
    draft = Assessment.objects.get(interaction=interaction)
    parsed = parse_answers(framework, answers)
    saved = services.assessment_save_draft(
        interaction_id=interaction.pk, user=user, answers=parsed,
        result=evaluate(framework, parsed), base_revision=draft.revision,
        base_answers=draft.answers,
    )  # fmt: skip
    if not saved.saved:
        raise RuntimeError(f"The demo answers for {interaction.name} were not saved.")


# --- the decision log ------------------------------------------------------------------


def _load_decision_log(
    team: Team,
    interactions: dict[str, Interaction],
    scenarios: dict[str, dict[str, Any]],
    members: dict[str, Any],
) -> DemoLoad:
    """Record the team's demo decisions, oldest first, through the decision services, and
    date each write to when the story says it happened (the last nine months or so).

    Only a team without decisions gets the log, so a decision log is never mixed with the
    story's: a demo database loaded by an earlier version keeps its log as it is, and the
    interactions added since then stay undecided there."""
    if team.decisions.exists():
        return DemoLoad(0, "the team's decision log already has decisions")
    if not all(_holds(interactions[title], scenarios[title]) for title in interactions):
        # The questionnaires were answered differently by someone: the story would freeze
        # advice that no longer matches what they see, so their work is left as it is.
        return DemoLoad(0, "the demo interactions' answers were changed")
    author = members[DEMO_USERNAME]
    clock = _Clock(since=timezone.now())
    recorded: dict[str, Decision] = {}
    for entry in json.loads(DECISION_LOG.read_text())["decisions"]:
        recorded[entry["key"]] = _record(
            team, interactions[entry["interaction"]], entry,
            answers={**scenarios[entry["interaction"]], **entry.get("answers", {})},
            author=author, members=members, recorded=recorded, clock=clock,
        )  # fmt: skip
    # The drafts end where the scenarios leave them: what the team answers today.
    for title, interaction in interactions.items():
        interaction_answer(interaction, scenarios[title], author)
    return DemoLoad(len(recorded))


def _record(
    team: Team, interaction: Interaction, entry: Mapping[str, Any], *,
    answers: Mapping[str, Any], author, members: dict[str, Any],
    recorded: dict[str, Decision], clock: _Clock,
) -> Decision:  # fmt: skip
    interaction_answer(interaction, answers, author)
    draft = Assessment.objects.get(interaction=interaction)
    data = decision_services.decision_defaults(
        interaction=interaction, draft=draft, chosen=entry["chosen"]
    )
    data.update(_fields(entry, recorded))
    accepted = [step["on"] for step in entry.get("steps", []) if step.get("status") == "accepted"]
    data["decided_on"] = _day(accepted[0]) if accepted else None
    decision = decision_services.decision_record(
        interaction=interaction, user=author, data=data,
        deciders=[members[name] for name in entry.get("deciders", [])],
        supersedes=[recorded[key] for key in entry.get("supersedes", [])],
    )  # fmt: skip
    clock.backdate(team, entry["recorded"])
    for step in entry.get("steps", []):
        decision.refresh_from_db()
        _apply(decision, step, user=members[step.get("by", DEMO_USERNAME)], recorded=recorded)
        clock.backdate(team, step["on"])
    decision.refresh_from_db()
    return decision


def _apply(decision: Decision, step: Mapping[str, Any], *, user, recorded) -> None:
    """One later step in a decision's life: a status change, an edit or an amendment."""
    if "status" in step:
        decision_services.decision_change_status(
            decision=decision, user=user, status=Status(step["status"]),
            base_version=decision.version, note=step.get("note", ""),
        )  # fmt: skip
        return
    data = {field: getattr(decision, field) for field in decision_services.EDITABLE_FIELDS}
    deciders = list(decision.deciders.all())
    if "amend" in step:
        data.update(_fields(step["amend"], recorded))
        decision_services.decision_amend(
            decision=decision, user=user, data=data, deciders=deciders,
            base_version=decision.version, reason=step["reason"],
        )  # fmt: skip
    else:
        data.update(_fields(step["edit"], recorded))
        decision_services.decision_update(
            decision=decision, user=user, data=data, deciders=deciders,
            base_version=decision.version, note=step.get("note", ""),
        )  # fmt: skip


def _fields(entry: Mapping[str, Any], recorded: dict[str, Decision]) -> dict[str, Any]:
    """The editable fields an entry of the log file sets, as the decision form sends them."""
    names = set(decision_services.EDITABLE_FIELDS) - {"decided_on", "chosen_option"}
    values = {}
    for key, value in entry.items():
        field = FIELD_NAMES.get(key, key)
        if field in names:
            values[field] = _markdown(value, recorded)
    return values


def _markdown(value: str | list[str], recorded: dict[str, Decision]) -> str:
    text = "\n".join(f"- {line}" for line in value) if isinstance(value, list) else value
    return re.sub(r"\{([a-z-]+)\}", lambda match: recorded[match[1]].reference, text)


def _day(days_ago: int) -> date:
    return timezone.localdate() - timedelta(days=days_ago)


class _Clock:
    """Dates the demo's writes: each one on the morning of its day, a little after any
    written earlier that day, so a day's history reads in the order it was written."""

    def __init__(self, *, since: datetime) -> None:
        self.since = since
        self.writes_on: dict[date, int] = {}

    def backdate(self, team: Team, days_ago: int) -> None:
        day = _day(days_ago)
        earlier = self.writes_on.get(day, 0)
        self.writes_on[day] = earlier + 1
        when = timezone.make_aware(datetime.combine(day, time(9, 30))) + timedelta(
            minutes=40 * earlier
        )
        # The services stamp every write with the current time. These updates are the
        # demo's only writes outside the services: they move what the last step wrote (the
        # only rows stamped since loading began) back to the day the story gives it.
        # Revision.save refuses to change a written revision; QuerySet.update does not go
        # through save().
        Revision.objects.filter(decision__team=team, created_at__gte=self.since).update(
            created_at=when
        )
        team.decisions.filter(created_at__gte=self.since).update(created_at=when)
        team.decisions.filter(updated_at__gte=self.since).update(updated_at=when, updated_on=day)
