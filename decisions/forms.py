"""Forms for decision records."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Case, When

from advisor.models import Interaction
from decisions import limits
from decisions.models import Decision, Status
from decisions.services.common import check_justification

MARKDOWN_HELP = "Markdown: **bold**, *italic*, lists with -, links as [text](https://…)."


class CappedText(forms.CharField):
    """Text held to its cap (decisions.limits), counted as the record will store it
    (browsers post a line break as CRLF, records keep LF), with a message that says how
    long it is. A one-line input also stops at the cap as one types; a text area does not,
    so a pasted text is never cut short without a word."""

    def __init__(self, *, cap: int, **kwargs) -> None:
        self.cap = cap
        super().__init__(**kwargs)

    def to_python(self, value) -> str:
        return super().to_python(value).replace("\r\n", "\n")

    def validate(self, value: str) -> None:
        super().validate(value)
        if len(value) > self.cap:
            raise ValidationError(limits.too_long(self.cap, len(value)), code="max_length")

    def widget_attrs(self, widget) -> dict:
        attrs = super().widget_attrs(widget)
        if not isinstance(widget, forms.Textarea) and not widget.is_hidden:
            attrs["maxlength"] = str(self.cap)
        return attrs


class DecisionForm(forms.Form):
    # The decision version an edit starts from, or the questionnaire revision a new record
    # is based on: a save over anything newer is a conflict, never an overwrite.
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)
    assessment_revision = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0)
    # One token per opened record form: posting it twice finds the first record.
    record_token = forms.UUIDField(widget=forms.HiddenInput, required=False)
    title = CappedText(cap=limits.TITLE)
    chosen_option = forms.ChoiceField(
        label="Chosen option", widget=forms.RadioSelect,
        help_text="Changing it re-fills the drivers and consequences you have not edited "
        "(what you wrote stays); without JavaScript, press “Re-fill” below, or just save.",
    )  # fmt: skip
    # An imported record names its chosen option in its file's words, not as a pattern.
    chosen_title = CappedText(
        cap=limits.CHOSEN_TITLE, label="Chosen option", required=False,
        help_text="As the team's ADR file named it.",
    )  # fmt: skip
    justification = CappedText(
        cap=limits.JUSTIFICATION, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Required when you choose against the advisor's recommendation, and in "
        "a sentence or more for an option that is ruled out or not an option for this "
        "interaction. " + MARKDOWN_HELP,
    )  # fmt: skip
    decided_on = forms.DateField(
        required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Set when the decision is accepted, if left empty.",
    )  # fmt: skip
    deciders = forms.ModelMultipleChoiceField(
        queryset=get_user_model().objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, label="Decision-makers",
    )  # fmt: skip
    consulted = CappedText(cap=limits.PEOPLE, required=False,
                           help_text="People or teams whose opinion was sought.")  # fmt: skip
    informed = CappedText(cap=limits.PEOPLE, required=False,
                          help_text="People or teams kept up to date.")  # fmt: skip
    context = CappedText(
        cap=limits.CONTEXT, label="Context and problem statement", required=False,
        widget=forms.Textarea(attrs={"rows": 4}), help_text=MARKDOWN_HELP,
    )  # fmt: skip
    drivers = CappedText(
        cap=limits.DRIVERS, label="Decision drivers", required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text="Pre-filled from the answers that weighed most. " + MARKDOWN_HELP,
    )  # fmt: skip
    good_consequences = CappedText(
        cap=limits.CONSEQUENCES, label="Good consequences", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    bad_consequences = CappedText(
        cap=limits.CONSEQUENCES, label="Bad consequences", required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    confirmation = CappedText(
        cap=limits.CONFIRMATION, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="How the team will check that the decision holds (a review, a metric, a test).",
    )  # fmt: skip
    links = CappedText(
        cap=limits.LINKS, required=False, widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Related tickets, documents or decisions. " + MARKDOWN_HELP,
    )  # fmt: skip
    refreeze = forms.BooleanField(
        required=False, label="Re-freeze from the current answers",
        help_text="Replace the answers and scores frozen into this proposal with the "
        "interaction's questionnaire as it is now. The history keeps both.",
    )  # fmt: skip
    supersedes = forms.ModelMultipleChoiceField(
        queryset=Decision.objects.none(), required=False, widget=forms.CheckboxSelectMultiple,
        help_text="Accepted decisions this one replaces. They become superseded when this one "
        "is accepted.",
    )  # fmt: skip

    def __init__(
        self,
        *args,
        team,
        options,
        result,
        refill_url="",
        editing=False,
        interaction_id=None,
        imported=False,
        **kwargs,
    ):
        super().__init__(*args, **kwargs)
        self.result = result
        self.imported = imported
        self.fields["deciders"].queryset = team.members.order_by("username")
        if imported:
            self._without_assessment()
        else:
            del self.fields["chosen_title"]
            self.fields["chosen_option"].choices = options
        if refill_url and not imported:  # with htmx, a new choice re-fills untouched text
            self.fields["chosen_option"].widget.attrs.update({
                "hx-post": refill_url, "hx-trigger": "change", "hx-target": "#decision-form",
                "hx-swap": "outerHTML", "hx-vals": '{"refill": "1"}',
            })  # fmt: skip
        if editing:
            self.fields["version"].required = True
            del self.fields["supersedes"], self.fields["record_token"]
            if isinstance(self, AmendForm):
                self.fields.pop("refreeze", None)
                self.fields.pop("assessment_revision", None)
        else:
            del self.fields["refreeze"]
        if not editing:
            self.fields["assessment_revision"].required = True
            self.fields["record_token"].required = True
            del self.fields["version"]
            # This interaction's decisions first: the ones a new record most likely replaces.
            this_interaction = Case(When(interaction_id=interaction_id, then=0), default=1)
            self.fields["supersedes"].queryset = team.decisions.filter(
                status=Status.ACCEPTED
            ).order_by(this_interaction, "-number")
            self.fields["supersedes"].label_from_instance = lambda decision: (
                f"{decision}" + (" (this interaction)" if decision.interaction_id == interaction_id
                                 and interaction_id else "")
            )  # fmt: skip

    def _without_assessment(self) -> None:
        """An imported record has no frozen assessment: no pattern to choose, nothing to
        re-freeze, and no advice for a justification to answer."""
        for name in ("chosen_option", "refreeze", "assessment_revision"):
            self.fields.pop(name, None)
        self.fields["justification"].help_text = MARKDOWN_HELP
        self.fields["drivers"].help_text = MARKDOWN_HELP

    def clean_title(self) -> str:
        return " ".join(self.cleaned_data["title"].split())

    def clean_chosen_title(self) -> str:
        return " ".join(self.cleaned_data["chosen_title"].split())

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.imported:  # no advice was given, so no choice goes against it
            return cleaned
        chosen = cleaned.get("chosen_option")
        # With a re-freeze the recommendation may change; the service checks against the new one.
        if cleaned.get("refreeze"):
            return cleaned
        if chosen:
            try:
                check_justification(cleaned, self.result)
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class AmendForm(DecisionForm):
    reason = CappedText(
        cap=limits.REVISION_NOTE, label="Reason for the amendment",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Kept with the revision: what changed and why.",
    )  # fmt: skip


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    version = forms.IntegerField(min_value=1)
    note = CappedText(cap=limits.REVISION_NOTE, required=False)


class InteractionLinkForm(forms.Form):
    """Which of the team's interactions a record without one belongs to, offered by system."""

    interaction = forms.TypedChoiceField(
        coerce=int, label="Interaction",
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
        help_text="The record is listed on that interaction's page from then on.",
    )  # fmt: skip

    def __init__(self, *args, team, **kwargs):
        super().__init__(*args, **kwargs)
        interactions = Interaction.objects.filter(system__team=team).select_related("system")
        self.interactions = {
            interaction.pk: interaction
            for interaction in interactions.order_by("system__name", "name")
        }
        grouped: dict[str, list[tuple[int, str]]] = {}
        for interaction in self.interactions.values():
            grouped.setdefault(interaction.system.name, []).append(
                (interaction.pk, interaction.name)
            )
        self.fields["interaction"].choices = [("", "Choose an interaction…"), *grouped.items()]

    def clean_interaction(self) -> Interaction:
        return self.interactions[self.cleaned_data["interaction"]]
