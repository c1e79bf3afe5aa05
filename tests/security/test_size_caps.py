"""Every text a person types has a cap: the form says so next to the field, and the database
refuses more whatever path the text takes.

Nothing here lists fields by hand: the columns come from the models of the advisor and the
decisions apps, the form fields from every form class those apps define, the text
controls from the forms the pages render, and each cap from the constraint or the form
field itself (a form field is asked how much it takes, however its cap is written).
"""

from __future__ import annotations

import functools
import importlib
import inspect
import io
import json
import pkgutil
import zipfile
from urllib.parse import urlencode

import pytest
from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import DataError, IntegrityError, models, transaction
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from advisor.limits import NAME
from advisor.models import FrameworkVersion, Team
from decisions.exporting import FORMATS, build_export, export_filename
from decisions.models import ExportJob
from tests.security.html import Form, forms_posting_to, page_forms
from tests.security.patterns import all_patterns
from tests.security.probe import Requester, address
from tests.security.registry import INVITED, PUBLIC, ROUTES, STAFF, route_for

APPS = ("advisor", "decisions")
# A form field that takes this many characters takes any number.
UNBOUNDED = 1 << 20


# --- the database -------------------------------------------------------------------------


# Columns only the app writes, from values bounded where they are made: each says where.
FILLED_BY_THE_APP = {
    "advisor.Team.slug": "the team's name slugified and cut to 50 (services.teams)",
    "advisor.Team.framework_name": "a framework file's name, set by the app",
    "advisor.Assessment.framework_name": "the name of the framework that scored it",
    "advisor.FrameworkVersion.digest": "a SHA-256 in hex",
    "decisions.Decision.chosen_option": "a pattern key the framework defines",
    "decisions.Decision.recommended_option": "a pattern key the framework defines",
    "decisions.Decision.imported_from": "a dialect's key",
    "decisions.Decision.framework_name": "a framework's name, at most 60 in an import's JSON",
    "decisions.ExportJob.system_name": "one of the team's system names (capped)",
}


def _all_text_columns() -> list[tuple[type[models.Model], models.Field]]:
    """Every text column a value from outside could reach: choices come from a closed list,
    and a column the app alone fills (not editable) is derived from capped ones."""
    columns = []
    for label in APPS:
        for model in apps.get_app_config(label).get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.CharField | models.TextField) and (
                    field.editable and not field.choices
                ):
                    columns.append((model, field))
    return columns


def _label(model: type[models.Model], field: models.Field) -> str:
    return f"{model._meta.label}.{field.name}"


def _text_columns() -> list[tuple[type[models.Model], models.Field]]:
    return [(m, f) for m, f in _all_text_columns() if _label(m, f) not in FILLED_BY_THE_APP]


def _length_checks(node, found: dict[str, int]) -> None:
    """Each `Length(column) <= n` anywhere in a constraint's condition."""
    if isinstance(node, LessThanOrEqual) and isinstance(node.lhs, Length):
        (column,) = node.lhs.get_source_expressions()
        found[column.name] = int(getattr(node.rhs, "value", node.rhs))
    elif isinstance(node, Q):
        for child in node.children:
            if isinstance(child, tuple) and child[0].endswith("__length__lte"):
                found[child[0].removesuffix("__length__lte")] = int(child[1])
            else:
                _length_checks(child, found)


def _caps(model: type[models.Model]) -> dict[str, int]:
    found: dict[str, int] = {}
    for constraint in model._meta.constraints:
        _length_checks(getattr(constraint, "condition", None), found)
    return found


# Holes this sweep found in the app, reported for a fix. Strict: once fixed, the test
# passes, fails as an unexpected pass, and its entry here goes.
KNOWN_HOLES: dict[str, str] = {}


def _known(key: str) -> list:
    if key not in KNOWN_HOLES:
        return []
    return [pytest.mark.xfail(strict=True, reason=KNOWN_HOLES[key])]


COLUMNS = [
    pytest.param(model, field, id=_label(model, field), marks=_known(_label(model, field)))
    for model, field in _text_columns()
]


def test_the_columns_said_to_be_filled_by_the_app_exist():
    columns = {_label(model, field) for model, field in _all_text_columns()}
    assert sorted(set(FILLED_BY_THE_APP) - columns) == []


@pytest.mark.parametrize(("model", "field"), COLUMNS)
def test_every_text_column_has_a_length_check(model, field):
    cap = _caps(model).get(field.name)
    assert cap is not None, (
        f"{model._meta.label}.{field.name} takes text of any length: add a length_at_most "
        "constraint (advisor.limits)."
    )
    if isinstance(field, models.CharField):
        assert cap <= field.max_length, f"the check allows {cap}, the column {field.max_length}"


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "field"), COLUMNS)
def test_the_database_keeps_to_the_cap(world, model, field):
    """Refuses one character more than the cap, and takes the cap in full even in letters
    of two bytes (caps count characters)."""
    cap = _caps(model).get(field.name)
    if cap is None:
        pytest.fail(f"{model._meta.label}.{field.name} has no length check")
    row = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
    assert row is not None, f"the sweep's world has no {model._meta.label} to try"
    rows = model._base_manager.filter(pk=row)
    with transaction.atomic():
        rows.update(**{field.name: "é" * cap})
        transaction.set_rollback(True)
    # PostgreSQL's varchar refuses before the check does.
    with pytest.raises((IntegrityError, DataError)), transaction.atomic():
        rows.update(**{field.name: "x" * (cap + 1)})


# --- the form classes ---------------------------------------------------------------------


def _form_classes() -> dict[str, type[forms.BaseForm]]:
    """Every form class defined in the apps' modules (migrations aside), by dotted path."""
    found = {}
    for label in APPS:
        package = importlib.import_module(label)
        for module_info in pkgutil.walk_packages(package.__path__, f"{label}."):
            if ".migrations" in module_info.name:
                continue
            module = importlib.import_module(module_info.name)
            for _, cls in inspect.getmembers(module, inspect.isclass):
                if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                    found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return dict(sorted(found.items()))


def _typed(field: forms.Field) -> bool:
    """A field a person types text into (not a hidden one, not an id)."""
    return (
        isinstance(field, forms.CharField)
        and not isinstance(field, forms.UUIDField)
        and not field.widget.is_hidden
    )


def _typed_fields(form_class: type[forms.BaseForm]) -> dict[str, forms.Field]:
    return {name: field for name, field in form_class.base_fields.items() if _typed(field)}


@functools.cache
def field_cap(field: forms.Field) -> int | None:
    """The most characters `field` takes, found by asking it; None when it takes any."""

    def takes(length: int) -> bool:
        try:
            field.clean("x" * length)
        except ValidationError:
            return False
        return True

    assert takes(1), "the field refuses a single letter: no way to measure it"
    low = 1
    while takes(low * 2):  # doubling, then halving the gap: a few dozen tries in all
        low *= 2
        if low >= UNBOUNDED:
            return None
    high = low * 2  # takes `low` characters, refuses `high`
    while high - low > 1:
        middle = (low + high) // 2
        low, high = (middle, high) if takes(middle) else (low, middle)
    return low


FORM_CLASSES = _form_classes()
FORM_FIELDS = [
    (f"{path}.{name}", field)
    for path, form_class in FORM_CLASSES.items()
    for name, field in _typed_fields(form_class).items()
]


@pytest.mark.parametrize(("where", "field"), FORM_FIELDS, ids=[w for w, _ in FORM_FIELDS])
def test_every_text_field_of_every_form_has_a_cap(where, field):
    assert field_cap(field) is not None, f"{where} takes text of any length"


def test_every_form_with_text_is_probed_through_its_page():
    probed = {route.form for route in ROUTES.values() if route.form}
    with_text = {
        path for path, form_class in FORM_CLASSES.items()
        if _typed_fields(form_class) and not form_class.__name__.startswith("_")  # a base
    }  # fmt: skip
    assert sorted(with_text - probed) == [], "name these forms in tests/security/registry.py"
    assert sorted(probed - set(FORM_CLASSES)) == [], "the registry names forms that are gone"


# --- the pages ----------------------------------------------------------------------------


def _form_routes() -> list:
    """Routes taking a POSTed form that team A's owner (or the invited person) opens."""
    found = []
    for pattern in all_patterns():
        route = route_for(pattern)
        if route is None or not route.form or route.post in (None, PUBLIC, STAFF):
            continue
        found.append(pattern)
    return found


FORM_ROUTES = [pytest.param(p, id=p.key, marks=_known(p.key)) for p in _form_routes()]


def _field_of(control_name: str, fields: dict[str, forms.Field]) -> forms.Field | None:
    """The form field behind a control, whatever prefix the page gave it."""
    for name, field in fields.items():
        if control_name == name or control_name.endswith(f"-{name}"):
            return field
    return None


def _says_cap(form: Form, cap: int) -> bool:
    return any(str(cap) in text or f"{cap:,}" in text for text in form.text)


def _cap_problems(world, url, route, requester, control, cap) -> list[str]:
    problems = []
    over = {**route.data(world), control.name: "x" * (cap + 1)}
    response, wrote = requester.send("POST", url, over)
    where = f"{control.name} with {cap + 1} characters"
    if wrote:
        problems.append(f"{where}: saved to {', '.join(sorted(wrote))}")
    if not 400 <= response.status_code < 500:
        return [*problems, f"{where}: {response.status_code}, not refused"]
    shown = forms_posting_to(response.content.decode(), url, url)
    again = shown[0].control(control.name) if shown else None
    if again is None or not again.invalid:
        problems.append(f"{where}: the form does not come back with the field marked")
    elif not _says_cap(shown[0], cap):
        problems.append(f"{where}: no message giving the cap ({cap}) in the form")
    full = {**route.data(world), control.name: "é" * cap}
    response, _ = requester.send("POST", url, full)
    shown = forms_posting_to(response.content.decode(), url, url)
    again = shown[0].control(control.name) if shown else None
    if response.status_code >= 500 or (again is not None and again.invalid):
        problems.append(f"{control.name} at its cap of {cap}: {response.status_code}, refused")
    return problems


@pytest.mark.django_db
@pytest.mark.parametrize("pattern", FORM_ROUTES)
def test_an_entry_over_its_cap_is_refused_next_to_its_field(world, pattern):
    route = route_for(pattern)
    requester = Requester(world.invitee if route.post == INVITED else world.owner_a)
    url = address(pattern, route, world)
    page = route.page(world) if route.page else url
    response, _ = requester.send("GET", page)
    assert response.status_code == 200, f"{page}: {response.status_code}"
    shown = forms_posting_to(response.content.decode(), url, page)
    assert shown, f"{page} shows no form posting to {url}"
    fields = _typed_fields(import_string(route.form))
    problems = []
    for control in shown[0].text_controls:
        field = _field_of(control.name, fields)
        if field is None:
            problems.append(f"{control.name}: not a text field of {route.form}")
            continue
        cap = field_cap(field)
        if cap is None:
            problems.append(f"{control.name}: no cap")
            continue
        if control.maxlength not in (None, cap):
            problems.append(f"{control.name}: the page stops at {control.maxlength}, not {cap}")
        problems += _cap_problems(world, url, route, requester, control, cap)
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_an_over_cap_search_of_the_log_is_pointed_out(world):
    route = ROUTES["decision_log"]
    cap = field_cap(_typed_fields(import_string(route.form))["q"])
    url = reverse("decision_log", args=[world.team_a.slug])
    response, _ = Requester(world.owner_a).send("GET", f"{url}?{urlencode({'q': 'x' * (cap + 1)})}")
    assert response.status_code < 500
    (search,) = [form for form in page_forms(response.content.decode()) if form.control("q")]
    assert search.control("q").invalid
    assert _says_cap(search, cap)


# --- texts made from capped ones ----------------------------------------------------------


@pytest.mark.parametrize("export_format", FORMATS)
def test_an_exports_file_name_fits_its_column_whatever_the_names(export_format):
    """A team's slug (50 characters and a number) and a system's name at their longest."""
    team = Team(name="A" * NAME, slug=f"{'a' * 50}-12")
    column = ExportJob._meta.get_field("filename").max_length
    extension = "pdf" if export_format == "pdf" else "zip"
    name = export_filename(team, "S" * NAME, export_format, extension)
    assert len(name) <= column, f"{len(name)} characters: {name}"


def _framework_renamed(data: bytes, name: str) -> bytes:
    """A Crossroads JSON export whose record names a framework version this installation
    lacks, brought along in the archive under the name `name`."""
    digest = "f" * 64
    source, out = zipfile.ZipFile(io.BytesIO(data)), io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for path in source.namelist():
            content = json.loads(source.read(path))
            if path.startswith("frameworks/"):
                content.update(digest=digest)
                content["document"]["name"] = name
                path = f"frameworks/{digest}.json"
            else:
                content["framework"]["digest"] = digest
                content["number"] = 900
                path = "decisions/0900-imported.json"
            archive.writestr(path, json.dumps(content))
    return out.getvalue()


@pytest.mark.django_db
def test_an_imported_framework_with_an_overlong_name_is_refused_not_stored(world):
    """The framework documents an import brings are written as they are: a name over the
    column's length must be a problem of the file, not a server error (PostgreSQL) nor a
    name stored past the column (SQLite)."""
    column = FrameworkVersion._meta.get_field("name").max_length
    export = build_export(team=world.team_b, format="json").data
    upload = SimpleUploadedFile("log.zip", _framework_renamed(export, "N" * (column + 40)))
    client = Client(raise_request_exception=False)
    client.force_login(world.owner_a)  # its writes stay until the test ends
    url = reverse("decision_import", args=[world.team_a.slug])
    response = client.post(url, {"files": upload})
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 302:
        response = client.post(response["Location"])
    assert response.status_code < 500
    assert not FrameworkVersion.objects.filter(name__regex=rf"^.{{{column + 1},}}$").exists()
