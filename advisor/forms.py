"""Forms for teams and memberships, rendered with crispy-forms' Bootstrap 5 pack."""

from __future__ import annotations

import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from advisor import limits
from advisor.models import Role, Style, is_email_login


class TeamForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        help_text="Shown in the navigation and on the team's pages.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", "Create team"))

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give the team a name.")
        return name


class InvitationForm(forms.Form):
    login = forms.CharField(
        label="User name or e-mail",
        max_length=limits.LOGIN,
        help_text="A user name must match theirs exactly, as when they sign in; an e-mail "
        "address reaches the account that has it. They see the invitation once signed in, "
        "whether or not they have an account yet. No e-mail is sent.",
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_login(self) -> str:
        login = self.cleaned_data["login"].strip()
        if not (_USER_NAME.fullmatch(login) or is_email_login(login)):
            raise forms.ValidationError(
                "Enter a user name (letters, digits and @ . + - _) or an e-mail address."
            )
        return login


_USER_NAME = re.compile(r"[\w.@+-]+")


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)


class _NamedInContainerForm(forms.Form):
    """A name unique within its container (a team's systems, a system's services, ...)."""

    name = forms.CharField(max_length=120)
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=4000
    )
    what = "item"

    def __init__(self, *args, siblings=None, current=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.siblings = siblings
        self.current = current
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Give it a name.")
        taken = self.siblings.filter(name__iexact=name)
        if self.current is not None:
            taken = taken.exclude(pk=self.current.pk)
        if taken.exists():
            raise forms.ValidationError(f"There is already {self.what} called “{name}”.")
        return name


class SystemForm(_NamedInContainerForm):
    # Prefixes keep field ids unique when several forms share a page.
    prefix = "system"
    what = "a system in this team"


class ServiceForm(_NamedInContainerForm):
    prefix = "service"
    what = "a service in this system"


class InteractionForm(_NamedInContainerForm):
    prefix = "interaction"
    what = "an interaction in this system"
    name = forms.CharField(
        max_length=160, help_text="What the call is for, e.g. “Reserve stock at checkout”."
    )
    source = forms.ModelChoiceField(queryset=None, label="From (caller)")
    target = forms.ModelChoiceField(queryset=None, label="To (receiver)")
    style = forms.ChoiceField(
        choices=Style.choices, required=False, label="How it talks today",
        help_text="Until a decision is recorded, the system map draws it this way and counts "
        "a synchronous call in its chains.",
    )  # fmt: skip
    field_order = ["source", "target", "name", "description", "style"]

    def __init__(self, *args, services=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = services
        self.fields["target"].queryset = services

    def clean(self) -> dict:
        cleaned = super().clean()
        if cleaned.get("source") and cleaned.get("source") == cleaned.get("target"):
            self.add_error("target", "Pick a different service from the caller.")
        return cleaned
