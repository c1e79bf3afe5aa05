"""The decision log's filters: what a person may ask the log for, checked field by field, so
a wrong value is pointed out next to its field instead of being quietly ignored."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.forms.boundfield import BoundField
from django.utils.formats import date_format

from decisions.models import Status
from decisions.selectors import SORTS, LogFilters

SORT_LABELS = {
    "newest": "Newest first",
    "oldest": "Oldest first",
    "title": "Title",
    "status": "Status",
    "updated": "Recently updated",
}

_PAGE = re.compile(r"[0-9]{1,9}")


class _BootstrapBoundField(BoundField):
    """Marks a field with errors `is-invalid`, as Bootstrap styles it (Django itself adds
    aria-invalid and points aria-describedby at `<id>_error`)."""

    def build_widget_attrs(self, attrs, widget=None):
        attrs = super().build_widget_attrs(attrs, widget)
        if self.errors:
            widget = widget or self.field.widget
            classes = attrs.get("class") or widget.attrs.get("class", "")
            attrs["class"] = f"{classes} is-invalid".strip()
        return attrs


def _select(label: str, unknown: str, empty: str = "Any") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, required=False, choices=[("", empty)],
        error_messages={"invalid_choice": unknown},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )  # fmt: skip


def _date(label: str) -> forms.DateField:
    return forms.DateField(
        label=label, required=False, input_formats=["%Y-%m-%d"],
        error_messages={"invalid": "Enter a real date, as year-month-day (2026-03-31)."},
        widget=forms.DateInput(
            format="%Y-%m-%d", attrs={"type": "date", "class": "form-control form-control-sm"}
        ),
    )  # fmt: skip


class LogFilterForm(forms.Form):
    """The log's query string. Choices come from the team and the framework, given by the
    view; `log_filters()` turns a valid form into the selector's LogFilters."""

    bound_field_class = _BootstrapBoundField

    q = forms.CharField(
        label="Search titles, text and people", required=False, max_length=200,
        help_text="Finds decisions containing every word, in the record's text or among "
        "its decision-makers, consulted and informed.",
        widget=forms.TextInput(attrs={"type": "search", "class": "form-control form-control-sm"}),
    )  # fmt: skip
    status = _select("Status", "Unknown status: choose one from the list.")
    pattern = _select("Chosen pattern", "Unknown pattern: choose one from the list.")
    system = _select("System", "Unknown system: choose one of the team's systems.")
    decider = forms.TypedChoiceField(
        label="Decision-maker", required=False, coerce=int, empty_value=None,
        choices=[("", "Anyone")],
        error_messages={"invalid_choice": "Unknown decision-maker: choose a team member."},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )  # fmt: skip
    since = _date("Recorded from")
    until = _date("Recorded until")
    sort = forms.ChoiceField(
        label="Sort by", required=False, choices=[(key, SORT_LABELS[key]) for key in SORTS],
        error_messages={"invalid_choice": "Unknown order: choose one from the list."},
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )  # fmt: skip
    # Not a filter: an unusable page number shows the first page, as pagination links do.
    page = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, data: Any, *, patterns: Iterable[tuple[str, str]], systems: Iterable[str],
        deciders: Iterable,
    ) -> None:  # fmt: skip
        super().__init__(data)
        self.fields["status"].choices = [("", "Any"), *Status.choices]
        self.fields["pattern"].choices = [("", "Any"), *patterns]
        self.fields["system"].choices = [("", "Any"), *((name, name) for name in systems)]
        self.fields["decider"].choices = [
            ("", "Anyone"), *((user.pk, user.get_username()) for user in deciders)
        ]  # fmt: skip

    def clean_page(self) -> int | None:
        value = self.cleaned_data.get("page") or ""
        return int(value) if _PAGE.fullmatch(value) else None

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        since, until = cleaned.get("since"), cleaned.get("until")
        if since and until and since > until:
            self.add_error(
                "until",
                f"Must be on or after the “Recorded from” date ({date_format(since, 'j M Y')}).",
            )
        return cleaned

    def log_filters(self) -> LogFilters:
        data = self.cleaned_data
        return LogFilters(
            query=data["q"].strip(), status=data["status"], pattern=data["pattern"],
            system=data["system"], decider=data["decider"], since=data["since"],
            until=data["until"], sort=data["sort"] or "newest",
        )  # fmt: skip
