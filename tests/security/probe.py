"""Sending the sweep's requests and judging what comes back.

Each request runs in a savepoint that is rolled back afterwards, so every probe meets the
same world. The SQL it ran is captured, and the rows of every table it sent a write to
are compared before and after: a refused request that changed anything (other than a
session) is reported with the table it changed. A conditional UPDATE that matched no row
changes nothing and is not reported.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.models import BinaryField
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.security.patterns import Pattern
from tests.security.registry import (
    INVITE,
    INVITED,
    LEAVE,
    MANAGE,
    PUBLIC,
    READ,
    STAFF,
    USER,
    WRITE,
    Route,
)
from tests.security.world import World, leaks

HTMX = {"HTTP_HX_REQUEST": "true"}

ANONYMOUS = "anonymous"
OUTSIDER = "outsider"
VIEWER = "viewer"
OWNER = "owner"
# What each role may do in team A (the outsider nothing: it belongs to team B only). Said
# here rather than read from advisor.access, so a role given too much there shows here.
REACHES = {
    ANONYMOUS: set(),
    OUTSIDER: set(),
    VIEWER: {READ, LEAVE},
    OWNER: {READ, WRITE, INVITE, MANAGE, LEAVE},
}
# Writes a refused request may still make: its session (a login page remembers where to go,
# an expired questionnaire keeps its answers), the throttle's record of a failed login.
HARMLESS_TABLES = {"django_session", "axes_accessattempt", "axes_accesslog"}
_WRITE = re.compile(r'^\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?(\w+)"?', re.IGNORECASE)


@dataclass(frozen=True)
class Probe:
    method: str
    htmx: bool
    body: str  # "valid": the owner's own form; "empty": nothing at all

    def __str__(self) -> str:
        parts = [self.method, "htmx" if self.htmx else "plain"]
        if self.method == "POST":
            parts.append(f"{self.body} body")
        return " ".join(parts)


def probes(*, bodies=("valid", "empty")) -> Iterator[Probe]:
    """GET and POST, plain and htmx; an empty POST body once (htmx adds nothing to it)."""
    for htmx in (False, True):
        yield Probe("GET", htmx, "none")
        for body in bodies:
            if not (htmx and body == "empty"):
                yield Probe("POST", htmx, body)


def address(pattern: Pattern, route: Route, world: World, *, crossed: bool = False) -> str:
    if route.path is not None:
        return route.path(world)
    args = route.crossed(world) if crossed and route.crossed else route.args(world)
    return reverse(pattern.key, kwargs=args)


def level_of(route: Route, method: str) -> str | None:
    return route.get if method == "GET" else route.post


def to_login(response) -> bool:
    """A redirect to a login page, plain or the way htmx is told to go there."""
    if response.status_code in (301, 302, 303):
        target = response["Location"]
    elif "HX-Redirect" in response:
        target = response["HX-Redirect"]
    else:
        return False
    return urlsplit(target).path in {reverse("login"), reverse("admin:login")}


def is_download(response) -> bool:
    return response.status_code == 200 and "attachment" in response.get("Content-Disposition", "")


def is_success(response) -> bool:
    return response.status_code < 400 and not to_login(response)


def body_text(response) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    headers = " ".join(f"{name}: {value}" for name, value in response.items())
    return headers + "\n" + content.decode("utf-8", errors="replace")


def verdict(role: str, level: str | None, response, *, valid_body: bool) -> str | None:
    """What is wrong with `response` to a request needing `level` from `role`, or None."""
    status = response.status_code
    if status >= 500:
        return f"{status} (server error)"
    if level is None:
        if status == 405 or (role == ANONYMOUS and to_login(response)):
            return None
        return f"{status}, expected 405 (method not allowed)"
    if level == PUBLIC or (level == USER and role != ANONYMOUS):
        return None
    if role == ANONYMOUS or level == STAFF:
        return None if to_login(response) else f"{status}, expected a redirect to log in"
    if level in REACHES[role]:
        if not valid_body or is_success(response):
            return None
        return f"{status}, expected the {role} to succeed"
    if status in (403, 404):
        return None
    if status == 400 and not valid_body:
        return None  # a request missing what every such form sends, refused before reading
    return f"{status}, expected 403 or 404"


def refused(role: str, level: str | None) -> bool:
    if level is None:
        return True
    if level == PUBLIC or (level == USER and role != ANONYMOUS):
        return False
    return role == ANONYMOUS or level == STAFF or level not in REACHES[role]


class _Undo(Exception):
    pass


class Requester:
    """One role's client. Every request is undone once answered."""

    def __init__(self, user=None, *, enforce_csrf_checks: bool = False) -> None:
        self.user = user
        self.csrf = enforce_csrf_checks
        self.client = self._client()

    def _client(self) -> Client:
        client = Client(enforce_csrf_checks=self.csrf, raise_request_exception=False)
        if self.user is not None:
            client.force_login(self.user)
        return client

    def send(self, method: str, url: str, data: dict | None = None, *, htmx: bool = False,
             **extra):  # fmt: skip
        """The response and the tables the request wrote to (sessions aside)."""
        headers = {**(HTMX if htmx else {}), **extra}
        answer = {}
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                if method == "GET":
                    answer["response"] = self.client.get(url, **headers)
                else:
                    answer["response"] = self.client.post(url, data or {}, **headers)
                tables = _tables_written(queries.captured_queries)
                answer["during"] = {table: _rows(table) for table in tables}
                raise _Undo
        except _Undo:
            pass
        response = answer["response"]
        wrote = {table for table, rows in answer["during"].items() if _rows(table) != rows}
        if settings.SESSION_COOKIE_NAME in response.cookies:
            # The session it made or changed was rolled back with the rest: start again.
            self.client = self._client()
        return response, wrote


def _rows(table: str) -> int:
    """A digest of every row of `table` (its model's concrete fields, binary data and the
    time of a last login left out)."""
    model = _MODELS.get(table)
    if model is None:
        return -1
    fields = [
        field.attname for field in model._meta.concrete_fields
        if not isinstance(field, BinaryField) and field.name != "last_login"
    ]  # fmt: skip
    return hash(repr(list(model._base_manager.order_by("pk").values_list(*fields))))


_MODELS = {model._meta.db_table: model for model in apps.get_models(include_auto_created=True)}


def _tables_written(queries: list[dict]) -> set[str]:
    tables = set()
    for query in queries:
        found = _WRITE.match(query["sql"])
        if found and found.group(1) not in HARMLESS_TABLES:
            tables.add(found.group(1))
    return tables


def sweep(world: World, pattern: Pattern, route: Route, role: str, user) -> list[str]:
    """Every probe of one address as one role: what went wrong, one line each."""
    requester = Requester(user)
    problems = []
    crossings = (False, True) if role == OUTSIDER and route.crossed else (False,)
    # A view posted no body by its own form needs no second, empty one.
    bodies = ("valid", "empty") if route.data(world) else ("valid",)
    for crossed in crossings:
        url = address(pattern, route, world, crossed=crossed)
        downloaded = False
        for probe in probes(bodies=bodies):
            if downloaded and probe.htmx and probe.method == "GET":
                continue  # a file is a file, whoever asks: rendered once is enough
            level = level_of(route, probe.method)
            data = route.data(world) if probe.body == "valid" else {}
            response, wrote = requester.send(probe.method, url, data, htmx=probe.htmx)
            downloaded |= probe.method == "GET" and is_download(response)
            where = f"{probe} {url}" + (" (team B's slug)" if crossed else "")
            wrong = verdict(role, level, response, valid_body=probe.body != "empty")
            if wrong:
                problems.append(f"{where}: {wrong}")
            if role in (ANONYMOUS, OUTSIDER):
                leaked = leaks(body_text(response))
                if leaked:
                    problems.append(f"{where}: answer shows team A's {', '.join(leaked)}")
            if wrote and refused(role, level):
                problems.append(f"{where}: refused, but wrote to {', '.join(sorted(wrote))}")
    return problems


# A token of the right shape that the server never issued, as cookie and header disagree.
COOKIE_TOKEN = "a" * 32
FORGED_TOKEN = "b" * 32


def _allowed_to_post(world: World, level: str):
    """Someone whose role allows the action: nobody needs to be signed in to a public
    form, an invitation is answered by the person it names, the rest by team A's owner."""
    if level == PUBLIC:
        return None
    return world.invitee if level == INVITED else world.owner_a


def csrf_problems(world: World, pattern: Pattern, route: Route, caplog) -> list[str]:
    """POSTs without a token and with a forged one, plain and htmx, from someone allowed
    to post: what was not refused by the CSRF check (which logs each refusal)."""
    url = address(pattern, route, world)
    requester = Requester(_allowed_to_post(world, route.post), enforce_csrf_checks=True)
    problems = []
    for htmx in (False, True):
        for token in ("no", "a forged"):
            data, extra = route.data(world), {}
            if token == "a forged":
                requester.client.cookies[settings.CSRF_COOKIE_NAME] = COOKIE_TOKEN
                data["csrfmiddlewaretoken"] = FORGED_TOKEN
                extra = {"HTTP_X_CSRFTOKEN": FORGED_TOKEN}
            caplog.clear()
            response, wrote = requester.send("POST", url, data, htmx=htmx, **extra)
            where = f"POST {'htmx' if htmx else 'plain'} with {token} token {url}"
            checked = any(r.name == "django.security.csrf" for r in caplog.records)
            if response.status_code != 403 or not checked:
                problems.append(f"{where}: {response.status_code}, not refused for its token")
            if wrote:
                problems.append(f"{where}: wrote to {', '.join(sorted(wrote))}")
            requester.client.cookies.pop(settings.CSRF_COOKIE_NAME, None)
    return problems
