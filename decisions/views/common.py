"""Shared by the decision pages: access helpers and small parsers."""

from __future__ import annotations

import re

from django.http import HttpRequest

from advisor import access
from advisor.models import Interaction
from decisions.models import Decision
from decisions.presenters import (
    pattern_name,
)

_DIGITS = re.compile(r"[0-9]{1,9}")


def _get_decision_for_user(request: HttpRequest, pk: int, action: str) -> Decision:
    return access.get_team_object_for_user(
        Decision.objects.select_related("team", "created_by", "interaction"),
        request.user, team_path="team", action=action, pk=pk,
    )  # fmt: skip


def _get_interaction_for_user(request: HttpRequest, pk: int, action: str) -> Interaction:
    return access.get_team_object_for_user(
        Interaction.objects.select_related("system__team", "source", "target"),
        request.user, team_path="system__team", action=action, pk=pk,
    )  # fmt: skip


def _option_choices(framework, result: dict) -> list[tuple[str, str]]:
    labels = []
    for key in result["ranking"]:
        note = "" if result["viable"][key] else ", ruled out"
        star = " (recommended)" if key == result["recommendation"] else ""
        labels.append((key, f"{pattern_name(framework, key)}: {result['scores'][key]}{note}{star}"))
    return labels


def _small_int(value: str | None) -> int | None:
    """A positive id or number from a query string, or None for anything else."""
    return int(value) if value and _DIGITS.fullmatch(value) else None
