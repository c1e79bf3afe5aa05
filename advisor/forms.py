"""Forms for teams and memberships, rendered with crispy-forms' Bootstrap 5 pack."""

from __future__ import annotations

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms

from advisor.models import Role


class TeamForm(forms.Form):
    name = forms.CharField(
        max_length=120,
        help_text="Shown in the navigation and on every decision record the team exports.",
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


class MemberAddForm(forms.Form):
    login = forms.CharField(
        label="Username or e-mail", max_length=254, help_text="The person must have an account."
    )
    role = forms.ChoiceField(choices=Role.choices, initial=Role.EDITOR)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False


class MembershipRoleForm(forms.Form):
    role = forms.ChoiceField(choices=Role.choices)
