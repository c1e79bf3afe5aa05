"""Shared by the decision pages: access helpers, the record form's options and refills."""

from __future__ import annotations

import re
from typing import Any

from django.http import HttpRequest

from advisor import access
from advisor.engine import Framework
from decisions.content import refill
from decisions.document import choice_of
from decisions.models import Decision
from decisions.presenters import exclusions_of, out_word, pattern_name

_DIGITS = re.compile(r"[0-9]{1,9}")


def _get_decision_for_user(request: HttpRequest, pk: int, action: str) -> Decision:
    return access.get_team_object_for_user(
        Decision.objects.select_related("team", "created_by", "interaction"),
        request.user, team_path="team", action=action, pk=pk,
    )  # fmt: skip


def _option_choices(framework: Framework, result: dict) -> list[tuple[str, str]]:
    """The options as radio labels. Scores are shown only when they were advice."""
    advised = result.get("advice", {}).get("given", True)
    labels = []
    for key in result["ranking"]:
        parts = [pattern_name(framework, key)]
        if advised:
            parts.append(f": {result['scores'][key]}")
        if not result["viable"][key]:
            parts.append(f" ({out_word(exclusions_of(framework, result, key))})")
        if advised and key == result["recommendation"]:
            parts.append(" (recommended)")
        labels.append((key, "".join(parts)))
    return labels


def _small_int(value: str | None) -> int | None:
    """A positive id or number from a query string, or None for anything else."""
    return int(value) if value and _DIGITS.fullmatch(value) else None


def refilled_initial(form_class, data, texts: dict[str, dict[str, str]]) -> dict[str, Any]:
    """The posted form's values as a fresh form's initial data, with the drivers and
    consequences the author left as pre-filled re-filled for the option now chosen."""
    initial: dict[str, Any] = {}
    for name, field in form_class.base_fields.items():
        multiple = getattr(field.widget, "allow_multiple_selected", False)
        initial[name] = data.getlist(name) if multiple else data.get(name, "")
    chosen = initial.get("chosen_option")
    if chosen in texts:
        initial, _ = refill(initial, texts, chosen, fill_empty=True)
    return initial


def choice_context(framework: Framework, result: dict, chosen: str | None) -> dict[str, Any]:
    """What the record form says about the current choice (against the advice, ruled out,
    or without any recommendation)."""
    return {"choice": choice_of(framework, result, chosen or result["recommendation"])}
