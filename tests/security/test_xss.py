"""Script a person types is shown as text, never run: payloads typed into every text control
of every form (found on the pages, not listed here) come back escaped on every page and
htmx fragment, as typed in the Markdown and JSON exports, and as text in the PDFs.
"""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from advisor.models import Assessment, Interaction
from advisor.questionnaire import base_token
from decisions.exporting import build_export
from decisions.models import Decision
from tests.security.html import active_parts, forms_posting_to
from tests.security.patterns import all_patterns
from tests.security.probe import HTMX, Requester, address, level_of
from tests.security.registry import INVITED, PUBLIC, STAFF, route_for
from tests.security.world import World, madr_file

pytestmark = pytest.mark.django_db

PAYLOADS = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "'><svg onload=alert(1)>",
    "[x](javascript:alert(1))",
    '<a href="javascript:alert(1)">y</a>',
    "javascript:alert(1)",
)
# What an unescaped payload would leave in a page's markup.
RAW = ("<script>alert", "<img src=x", "<svg onload", '<a href="javascript')
# A login must look like a user name or an e-mail: a quoted e-mail may hold markup.
LOGIN = '"<script>alert(1)</script>xss-login"@example.com'
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"


def payload(tag: str, cap: int | None) -> str:
    """As many payloads as the control takes, and a tag saying which control it was."""
    text = f"xss-{tag}"  # first, so a page that shortens the text still shows it
    for attack in PAYLOADS:
        if cap is None or len(text) + len(attack) + 1 <= cap:
            text = f"{text} {attack}"
    return text


def _html_problems(where: str, response) -> list[str]:
    if "html" not in response.get("Content-Type", ""):
        return []
    html = response.content.decode()
    problems = [f"{where}: {part}" for part in active_parts(html)]
    problems += [f"{where}: unescaped {raw!r}" for raw in RAW if raw in html]
    return problems


def _client(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user)
    return client


@dataclass
class Filled:
    problems: list[str] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)  # the controls whose payload was saved


def _fill(world: World, pattern, route, client: Client, filled: Filled) -> None:
    """Post the route's form with a payload in each of its text controls (plainly, then
    again as htmx), noting what is wrong with the answers."""
    url = address(pattern, route, world)
    page = route.page(world) if route.page else url
    shown = client.get(page)
    forms = forms_posting_to(shown.content.decode(), url, page) if shown.status_code == 200 else []
    if not forms or not forms[0].text_controls:
        return  # nothing to type into (a deletion's confirmation, a password form)
    texts = {
        control.name: LOGIN if control.name.endswith("login") else
        payload(control.name, control.maxlength)
        for control in forms[0].text_controls
    }  # fmt: skip
    for extra in ({}, HTMX):
        response = client.post(url, {**route.data(world), **texts}, **extra)
        where = f"POST {'htmx' if extra else 'plain'} {url}"
        if response.status_code >= 500:
            filled.problems.append(f"{where}: {response.status_code}")
        elif response.status_code < 400 and not extra:
            filled.tags |= {"login" if name.endswith("login") else name for name in texts}
        filled.problems += _html_problems(where, response)


def _import_payload_file(world: World, client: Client) -> list[str]:
    """An ADR file whose title, text and name carry the payloads, previewed and imported."""
    name = "0077-<img src=x onerror=alert(1)>.md"
    attack = " ".join(PAYLOADS[:3])  # one line: a chosen option's quotes hold no more
    upload = SimpleUploadedFile(name, madr_file(payload("imported", None), attack))
    url = reverse("decision_import", args=[world.team_a.slug])
    response = client.post(url, {"files": upload})
    problems = _html_problems(f"POST {url}", response)
    if response.status_code != 302:
        return [*problems, f"POST {url}: {response.status_code}, the file was not taken"]
    preview = client.get(response["Location"])
    problems += _html_problems(f"GET {response['Location']}", preview)
    done = client.post(response["Location"])
    if done.status_code != 302:
        problems.append(f"POST {response['Location']}: {done.status_code}, not imported")
    return problems + _html_problems(f"POST {response['Location']}", done)


@pytest.fixture(scope="module")
def filled(world, django_db_blocker) -> Filled:
    """Every form's text controls filled with payloads, by team A's owner (or the invited
    person)."""
    filled = Filled()
    with django_db_blocker.unblock():
        owner, invitee = _client(world.owner_a), _client(world.invitee)
        for pattern in all_patterns():
            route = route_for(pattern)
            if route is None or route.post in (None, PUBLIC, STAFF):
                continue
            _fill(world, pattern, route, invitee if route.post == INVITED else owner, filled)
        filled.problems += _import_payload_file(world, owner)
        filled.tags.add("imported")
    return filled


def test_every_form_takes_the_payloads_and_answers_with_text(filled):
    assert not filled.problems, "\n".join(filled.problems)


def _read_pages() -> list:
    pages = []
    for pattern in all_patterns():
        route = route_for(pattern)
        if route is not None and route.get not in (None, PUBLIC, STAFF):
            pages.append(pattern)
    return pages


PAGES = _read_pages()


def _every_team_a_page(world: World) -> list[str]:
    """The registry's pages, and those of every system, interaction and decision of team A
    (the forms above made new ones)."""
    urls = []
    for pattern in PAGES:
        route = route_for(pattern)
        if level_of(route, "GET") != INVITED and "export" not in pattern.key:
            urls.append(address(pattern, route, world))
    team = world.team_a
    urls += [
        reverse("system_detail", args=[pk]) for pk in team.systems.values_list("pk", flat=True)
    ]
    interactions = Interaction.objects.filter(system__team=team).values_list("pk", flat=True)
    urls += [reverse("interaction_detail", args=[pk]) for pk in interactions]
    for pk in team.decisions.values_list("pk", flat=True):
        urls += [reverse("decision_detail", args=[pk]), reverse("decision_revisions", args=[pk])]
    return urls


def test_every_saved_payload_is_shown_escaped_somewhere(world, filled):
    """The control: what was typed is on the pages (escaped), so their passing is not for
    want of the text."""
    requester = Requester(world.owner_a)
    unseen, problems = set(filled.tags), []
    for url in _every_team_a_page(world):
        response, _ = requester.send("GET", url)
        problems += _html_problems(f"GET {url}", response)
        if not response.get("Content-Type", "").startswith("text/html"):
            continue  # a download (the system report's PDF): its text is checked elsewhere
        html = response.content.decode()
        if ESCAPED in html:
            unseen = {tag for tag in unseen if f"xss-{tag}" not in html}
    assert not problems, "\n".join(problems)
    assert unseen == set(), f"typed, saved, but shown escaped on no page: {sorted(unseen)}"


@pytest.mark.parametrize("pattern", PAGES, ids=[p.key for p in PAGES])
def test_no_page_runs_what_was_typed(world, filled, pattern):
    route = route_for(pattern)
    requester = Requester(world.invitee if level_of(route, "GET") == INVITED else world.owner_a)
    url = address(pattern, route, world)
    problems = []
    for htmx in (False, True):
        response, _ = requester.send("GET", url, htmx=htmx)
        where = f"GET {'htmx' if htmx else 'plain'} {url}"
        if response.status_code >= 500:
            problems.append(f"{where}: {response.status_code}")
        problems += _html_problems(where, response)
    assert not problems, "\n".join(problems)


def _typed(decision: Decision) -> dict[str, str]:
    """The decision's fields that hold a payload (the app's own search column aside)."""
    columns = [column for column in Decision._meta.concrete_fields if column.editable]
    values = {column.name: getattr(decision, column.name) for column in columns}
    return {name: value for name, value in values.items()
            if isinstance(value, str) and "xss-" in value}  # fmt: skip


def _edited(world: World) -> Decision:
    decision = Decision.objects.get(pk=world.proposed_a.pk)
    assert "xss-" in decision.title, "the edit form did not save the payloads"
    return decision


def test_the_markdown_export_keeps_the_text_as_typed(world, filled):
    decision = _edited(world)
    response, _ = Requester(world.owner_a).send(
        "GET", reverse("decision_export_markdown", args=[decision.pk])
    )
    text = response.content.decode()
    missing = [field for field, value in _typed(decision).items()
               if value.strip().splitlines()[0] not in text]  # fmt: skip
    assert missing == [], f"not in the Markdown as typed: {missing}"
    assert "&lt;" not in text and "&#" not in text


def test_the_json_export_gives_the_text_back_unchanged(world, filled):
    decision = _edited(world)
    response, _ = Requester(world.owner_a).send(
        "GET", reverse("decision_export_json", args=[decision.pk])
    )
    exported = json.dumps(json.loads(response.content), ensure_ascii=False)
    missing = [field for field, value in _typed(decision).items()
               if json.dumps(value, ensure_ascii=False) not in exported]  # fmt: skip
    assert missing == [], f"not in the JSON unchanged: {missing}"


def _pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "record.pdf"
    path.write_bytes(content)
    result = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                            check=True)  # fmt: skip
    return " ".join(result.stdout.split())


def test_the_pdf_shows_the_markup_as_text(world, filled, tmp_path):
    decision = _edited(world)
    response, _ = Requester(world.owner_a).send(
        "GET", reverse("decision_export_pdf", args=[decision.pk])
    )
    assert response.status_code == 200
    text = _pdf_text(response.content, tmp_path)
    assert "<script>alert(1)</script>" in text
    assert "onerror=alert(1)>" in text


def test_the_whole_log_exports_keep_the_text_as_typed(world, filled):
    decision = _edited(world)
    archive = zipfile.ZipFile(io.BytesIO(build_export(team=world.team_a, format="madr").data))
    text = "\n".join(archive.read(name).decode() for name in archive.namelist())
    assert decision.title in text
    assert "&lt;" not in text


def test_the_log_search_shows_the_query_as_text(world, filled):
    requester = Requester(world.owner_a)
    url = reverse("decision_log", args=[world.team_a.slug])
    problems = []
    for htmx in (False, True):
        response, _ = requester.send("GET", f"{url}?q={payload('q', 200)}", htmx=htmx)
        problems += _html_problems(f"GET {url}?q=…", response)
    assert not problems, "\n".join(problems)


def test_the_questionnaire_shows_a_typed_number_as_text(world, filled):
    """A number that does not parse is said back to the person, with their text."""
    interaction = world.interaction_a
    draft = Assessment.objects.get(interaction=interaction)
    body = {
        "framework": draft.framework_name, **draft.answers,
        "base": base_token(interaction.pk, draft.revision, draft.answers),
        "per_hop_p50_ms": PAYLOADS[0], "latency_budget_ms": PAYLOADS[1],
    }  # fmt: skip
    requester = Requester(world.owner_a)
    url = reverse("interaction_detail", args=[interaction.pk])
    problems = []
    for htmx in (False, True):
        response, _ = requester.send("POST", url, body, htmx=htmx)
        assert response.status_code == 422
        problems += _html_problems(f"POST {'htmx' if htmx else 'plain'} {url}", response)
    assert not problems, "\n".join(problems)
