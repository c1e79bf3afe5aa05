"""Every page: a Content-Security-Policy allowing only the app's own origin, no inline script
or style for it to refuse, and nothing a signed-in person sees left in a cache."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from advisor.middleware.caching import PrivateCacheMiddleware
from tests.demo_pages import DEMO_TEAM, demo_exports, demo_pages

pytestmark = pytest.mark.django_db

TEMPLATES = Path(settings.BASE_DIR) / "templates"
POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


class _Inline(HTMLParser):
    """What a policy without 'unsafe-inline' refuses: script and style elements with a body,
    style attributes, and event handler attributes."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []
        self._open: str | None = None

    def handle_starttag(self, tag, attrs) -> None:
        names = {name for name, _ in attrs}
        if tag == "style" or (tag == "script" and "src" not in names):
            self._open = tag
        for name, value in attrs:
            if name == "style" or name.startswith("on"):
                self.found.append(f"<{tag} {name}={value!r}>")
            if name in {"href", "src", "action"} and (value or "").startswith("javascript:"):
                self.found.append(f"<{tag} {name}={value!r}>")

    def handle_data(self, data) -> None:
        if self._open and data.strip():
            self.found.append(f"<{self._open}>{data.strip()[:60]}")

    def handle_endtag(self, tag) -> None:
        self._open = None


def inline_code(html: str) -> list[str]:
    parser = _Inline()
    parser.feed(html)
    return parser.found


def policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in header.split(";") if part.strip())


@pytest.fixture
def demo(client):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    client.force_login(get_user_model().objects.get(username="demo"))
    return client


def test_every_page_of_the_demo_has_the_policy_and_nothing_inline(demo):
    pages = demo_pages()
    pages.append(reverse("decision_import", args=[DEMO_TEAM]))
    assert len(pages) > 40
    found = {}
    for url in pages:
        response = demo.get(url)
        assert response.status_code == 200, url
        for directive, value in POLICY.items():
            assert policy(response)[directive] == value, (url, directive)
        assert "{#" not in response.text, url  # a template comment shown as text
        if inline := inline_code(response.text):
            found[url] = inline
    assert found == {}


def test_htmx_fragments_have_nothing_inline(demo):
    log = reverse("decision_log", args=[DEMO_TEAM])
    response = demo.get(log, {"q": "event"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert inline_code(response.text) == []


@pytest.mark.parametrize("name", ["login", "admin:login", "password_change"])
def test_sign_in_pages_have_the_policy_and_nothing_inline(client, name):
    if name == "password_change":
        client.force_login(get_user_model().objects.create_user("lou", password="x"))
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert policy(response)["script-src"] == "'self'"
    assert inline_code(response.text) == []


def test_refusal_pages_have_the_policy_and_nothing_inline(client):
    response = client.get("/t/x%00/")
    assert response.status_code == 400
    assert policy(response)["default-src"] == "'self'"
    assert inline_code(response.text) == []


def test_no_template_served_to_browsers_holds_inline_code():
    """Templates rendered only into PDFs (templates/pdf) are read by WeasyPrint, never by a
    browser; every other template is checked as written, whatever data it is given."""
    inline = re.compile(r"""\sstyle=|\son[a-z]+=|<script(?![^>]*\ssrc=)[^>]*>|<style[\s>]""")
    found = {}
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] == "pdf":
            continue
        if matches := inline.findall(path.read_text()):
            found[str(path.relative_to(TEMPLATES))] = matches
    assert found == {}


def test_every_page_and_download_of_a_team_is_private_and_never_stored(demo):
    log = reverse("decision_log", args=[DEMO_TEAM])
    found = {}
    for url in [*demo_pages(), *demo_exports()]:
        response = demo.get(url)
        assert response.status_code == 200, url
        cache_control = response.get("Cache-Control", "")
        if "private" not in cache_control or "no-store" not in cache_control:
            found[url] = cache_control
    fragment = demo.get(log, {"q": "event"}, headers={"HX-Request": "true"})
    assert "no-store" in fragment["Cache-Control"]
    assert found == {}


def test_the_cache_rule_follows_the_session_cookie_and_leaves_a_views_own_caching():
    def public_view(request):
        response = HttpResponse("public")
        response["Cache-Control"] = "public, max-age=60"
        return response

    def private_view(request):
        return HttpResponse("private")

    def signing_in_view(request):
        response = HttpResponse("welcome")
        response.set_cookie(settings.SESSION_COOKIE_NAME, "a-new-session")
        return response

    request = RequestFactory().get("/")
    assert "Cache-Control" not in PrivateCacheMiddleware(private_view)(request)
    assert PrivateCacheMiddleware(signing_in_view)(request)["Cache-Control"] == "private, no-store"
    request.COOKIES[settings.SESSION_COOKIE_NAME] = "a-session"
    assert PrivateCacheMiddleware(public_view)(request)["Cache-Control"] == "public, max-age=60"
    assert PrivateCacheMiddleware(private_view)(request)["Cache-Control"] == "private, no-store"


def test_anonymous_pages_are_left_to_their_views(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Cache-Control" not in response


def test_no_admin_change_list_needs_an_inline_style():
    """Django's change list adds an inline <style>, which the policy refuses, only when a
    model admin turns off both action bars."""
    from django.contrib import admin

    assert admin.site._registry
    for model_admin in admin.site._registry.values():
        assert model_admin.actions_on_top or model_admin.actions_on_bottom, model_admin
