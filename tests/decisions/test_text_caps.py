"""Every text of a record has a cap (decisions.limits): the forms say so next to the field,
the database refuses longer text from any other path, and an import names the section that
is too long and imports nothing."""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse

from decisions import limits, services
from decisions.archive import read_upload
from decisions.exporting import build_export
from decisions.forms import StatusForm
from decisions.models import Decision, DecisionLink, ImportUpload, Revision, Status
from decisions.services.importing import import_apply, import_plan
from tests.factories import NOBODY_WAITS, SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db

# The record form's texts and their caps.
FORM_TEXTS = {
    field: limits.DECISION_TEXTS[field]
    for field in (
        "title", "consulted", "informed", "context", "drivers", "justification",
        "good_consequences", "bad_consequences", "confirmation", "links",
    )
}  # fmt: skip
# Columns whose type has no length of its own on any database (PostgreSQL's varchar
# already refuses a longer CharField value, with a DataError).
TEXT_COLUMNS = [field for field in limits.DECISION_TEXTS if field not in {
    "title", "system_name", "interaction_name", "chosen_title"}]  # fmt: skip


@pytest.fixture
def interaction(team):
    return make_interaction(
        system=SystemFactory(team=team, name="Shop"), answers={**NOBODY_WAITS, "operation": "batch"}
    )


@pytest.fixture
def decision(interaction, owner):
    return record_decision(interaction, user=owner, context="Nightly repricing.")


def _post_data(decision: Decision, **changes) -> dict:
    data = {field: getattr(decision, field) or "" for field in services.EDITABLE_FIELDS}
    data.update(version=decision.version, **changes)
    return data


def _error_next_to(html: str, field: str) -> str:
    """The error shown after the field's input and before the next field, or ""."""
    found = re.search(
        rf'name="{field}"(?:(?!name=")[\s\S])*?id="error_1_id_{field}"><strong>([^<]*)</strong>',
        html,
    )
    return found.group(1) if found else ""


class TestForms:
    @pytest.mark.parametrize("field", FORM_TEXTS)
    def test_an_edit_over_a_cap_is_refused_with_the_message_next_to_the_field(
        self, client, editor, decision, field
    ):
        cap = FORM_TEXTS[field]
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _post_data(decision, **{field: "x" * (cap + 7)}),
        )
        assert response.status_code == 422
        assert _error_next_to(response.text, field) == (
            f"Keep this within {cap:,} characters (it has {cap + 7:,})."
        )
        decision.refresh_from_db()
        assert decision.version == 1 and len(getattr(decision, field)) <= cap

    def test_a_new_record_over_a_cap_is_refused_and_not_recorded(self, client, editor, interaction):
        client.force_login(editor)
        response = client.post(
            reverse("decision_record", args=[interaction.pk]),
            {"title": "Queue the repricing", "chosen_option": "async",
             "assessment_revision": 1, "record_token": uuid.uuid4(),
             "context": "y" * 23_512},
        )  # fmt: skip
        assert response.status_code == 422
        assert _error_next_to(response.text, "context") == (
            "Keep this within 20,000 characters (it has 23,512)."
        )
        assert not Decision.objects.exists()
        # The top of the form says nothing was recorded and links to the field, which may
        # be screens further down.
        assert "Nothing was recorded yet." in response.text
        assert (
            '<li><a href="#id_context">Context and problem statement</a>: '
            "Keep this within 20,000 characters (it has 23,512).</li>"
        ) in response.text

    def test_line_breaks_count_as_the_record_stores_them(self, client, editor, decision):
        # Browsers post CRLF; the record keeps LF, so a text at its cap fits.
        lines = ["z" * 99] * (limits.CONTEXT // 100)
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[decision.pk]),
            _post_data(decision, context="\r\n".join(lines)),
        )
        assert response.status_code == 302
        decision.refresh_from_db()
        assert len(decision.context) == limits.CONTEXT - 1

    def test_a_one_line_text_stops_at_its_cap_in_the_browser_and_a_text_area_does_not(
        self, client, editor, decision
    ):
        client.force_login(editor)
        html = client.get(reverse("decision_edit", args=[decision.pk])).text
        assert re.search(r'<input[^>]*name="title"[^>]*maxlength="200"', html)
        assert re.search(r'<input[^>]*name="consulted"[^>]*maxlength="1000"', html)
        context = re.search(r'<textarea[^>]*name="context"[^>]*>', html).group(0)
        assert "maxlength" not in context  # a pasted text is refused with a message, not cut

    def test_an_amendment_reason_over_its_cap_is_refused_next_to_it(
        self, client, editor, decision, owner
    ):
        services.decision_change_status(
            decision=decision, user=owner, status=Status.ACCEPTED, base_version=1
        )
        decision.refresh_from_db()
        client.force_login(editor)
        response = client.post(
            reverse("decision_amend", args=[decision.pk]),
            _post_data(decision, reason="r" * (limits.REVISION_NOTE + 1)),
        )
        assert response.status_code == 422
        assert _error_next_to(response.text, "reason") == (
            "Keep this within 2,000 characters (it has 2,001)."
        )

    def test_a_status_note_over_its_cap_is_refused(self):
        form = StatusForm({"status": "accepted", "version": 1, "note": "n" * 2_001})
        assert form.errors == {"note": ["Keep this within 2,000 characters (it has 2,001)."]}

    def test_an_imported_records_chosen_option_over_its_cap_is_refused(
        self, client, editor, team, owner
    ):
        imported = _import(team, owner, {"docs/decisions/0001-a.md": _madr("Short.", "proposed")})
        client.force_login(editor)
        response = client.post(
            reverse("decision_edit", args=[imported.pk]),
            _post_data(imported, chosen_title="c" * 301),
        )
        assert response.status_code == 422
        assert _error_next_to(response.text, "chosen_title") == (
            "Keep this within 300 characters (it has 301)."
        )


class TestDatabase:
    @pytest.mark.parametrize("field", TEXT_COLUMNS)
    def test_it_refuses_a_longer_text_from_any_path(self, decision, field):
        cap = limits.DECISION_TEXTS[field]
        with pytest.raises(IntegrityError), transaction.atomic():
            Decision.objects.filter(pk=decision.pk).update(**{field: "x" * (cap + 1)})
        Decision.objects.filter(pk=decision.pk).update(**{field: "x" * cap})

    @pytest.mark.parametrize("field", ["title", "system_name", "interaction_name", "chosen_title"])
    def test_it_refuses_a_longer_line(self, decision, field):
        setattr(decision, field, "x" * (limits.DECISION_TEXTS[field] + 1))
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            decision.save()

    def test_a_record_kept_over_the_caps_can_still_change(self, decision, owner):
        Decision.objects.filter(pk=decision.pk).update(context="w" * 30_000, kept_over_caps=True)
        decision.refresh_from_db()
        services.decision_change_status(
            decision=decision, user=owner, status=Status.ACCEPTED, base_version=1
        )
        decision.refresh_from_db()
        assert decision.status == Status.ACCEPTED and len(decision.context) == 30_000

    def test_it_refuses_a_longer_revision_note(self, decision, owner):
        with pytest.raises(IntegrityError), transaction.atomic():
            Revision.objects.create(
                decision=decision, version=9, kind=Revision.Kind.AMENDED, author=owner,
                note="n" * (limits.REVISION_NOTE + 1), data={},
            )  # fmt: skip

    def test_it_refuses_a_longer_link_label(self, decision, interaction, owner):
        other = record_decision(interaction, user=owner)
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            DecisionLink.objects.create(source=decision, target=other, label="l" * 61)
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            DecisionLink.objects.create(
                source=decision, target=other, label="Amends", reverse_label="l" * 61
            )

    def test_it_refuses_a_longer_upload_name(self, team, owner):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            ImportUpload.objects.create(team=team, uploaded_by=owner, filename="f" * 256, data=b"")


def _madr(context: str, status: str = "accepted", **parts: str) -> str:
    front = f"---\nstatus: {status}\ndate: 2025-01-02\n---\n\n# Use a queue\n\n"
    body = f"## Context and Problem Statement\n\n{context}\n"
    for heading, text in parts.items():
        body += f"\n## {heading.replace('_', ' ')}\n\n{text}\n"
    return front + body


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _import(team, user, files: dict[str, str]) -> Decision:
    (decision,) = import_apply(team=team, user=user, upload=read_upload("u.zip", _zip(files)))
    return decision


def _problems(team, files: dict[str, str]) -> dict[str, str]:
    plan = import_plan(team, read_upload("u.zip", _zip(files)))
    return {report.path: report.problem for report in plan.problems}


class TestImports:
    def test_a_markdown_section_over_its_cap_is_a_problem_of_its_file(self, team, owner):
        files = {
            "docs/decisions/0001-a.md": _madr("c" * 20_001),
            "docs/decisions/0002-b.md": _madr("Fine.", Decision_Drivers="- d" * 5_000),
            "docs/decisions/0003-c.md": _madr("Fine."),
        }
        assert _problems(team, files) == {
            "docs/decisions/0001-a.md": "its context and problem statement is longer than "
            "20,000 characters (it has 20,001).",
            "docs/decisions/0002-b.md": "its decision drivers is longer than 10,000 "
            "characters (it has 15,000).",
        }
        with pytest.raises(ValidationError):
            import_apply(team=team, user=owner, upload=read_upload("u.zip", _zip(files)))
        assert not Decision.objects.exists()

    def test_a_kept_section_and_a_long_title_are_problems_too(self, team):
        text = _madr("Fine.", Pros_and_Cons_of_the_Options="p" * 20_001)
        text = text.replace("# Use a queue", "# " + "Use a queue " * 20)
        (problem,) = _problems(team, {"docs/decisions/0001-a.md": text}).values()
        assert problem == (
            "its pros and cons of the options is longer than 20,000 characters (it has "
            "20,001); its title is longer than 200 characters (it has 239)."
        )

    def test_a_file_within_every_cap_imports_whole(self, team, owner):
        decision = _import(team, owner, {"docs/decisions/0001-a.md": _madr("c" * 20_000)})
        assert decision.context == "c" * 20_000

    @pytest.mark.parametrize(
        ("change", "message"),
        [
            (lambda data: data.update(context="c" * 20_001),
             "its context is longer than 20,000 characters (it has 20,001)."),
            (lambda data: data["consequences"].update(bad="b" * 10_001),
             "its bad consequences is longer than 10,000 characters (it has 10,001)."),
            (lambda data: data["revisions"][0].update(note="n" * 2_001),
             "its revision 1 note is longer than 2,000 characters (it has 2,001)."),
            (lambda data: data.update(imported_sections={"Decision": "s" * 20_001}),
             "its imported section “Decision” is longer than 20,000 characters (it has 20,001)."),
            (lambda data: data.update(imported_sections={f"S{i}": "s" for i in range(21)}),
             "it has 21 imported sections; a record keeps at most 20."),
            (lambda data: data.update(decision_makers=[f"p{i}" for i in range(101)]),
             "it names 101 decision makers; a record names at most 100."),
        ],
    )  # fmt: skip
    def test_a_json_text_over_its_cap_is_a_problem_of_its_file(
        self, team, owner, other_team, change, message
    ):
        record_decision(make_interaction(system=SystemFactory(team=team)), user=owner)
        files = {
            name: text for name, text in _unzip(build_export(team=team, format="json").data).items()
        }
        name = next(name for name in files if name.startswith("decisions/"))
        data = json.loads(files[name])
        change(data)
        files[name] = json.dumps(data)
        assert _problems(other_team, files) == {name: message}


def _unzip(data: bytes) -> dict[str, str]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name).decode() for name in archive.namelist()}
