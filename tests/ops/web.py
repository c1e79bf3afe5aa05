"""A small HTTP client for driving the app as a browser would: cookies (the production
cookies are Secure, which standard cookie jars never send over plain HTTP, so they are kept
here by hand), the login form with its CSRF token, and forms read from the page."""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlencode, urlsplit


@dataclass
class Response:
    """What came back: an HTTP answer, or `error` when none did (a refused or dropped
    connection, or no answer within the client's timeout)."""

    status: int | None
    body: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    elapsed: float = 0.0
    error: str = ""

    def json(self):
        return json.loads(self.body)

    @property
    def outcome(self) -> str:
        return str(self.status) if self.status is not None else self.error

    def __str__(self) -> str:
        return f"{self.outcome} after {self.elapsed:.2f} s"


class WebClient:
    def __init__(self, base_url: str, cookies: dict[str, str] | None = None) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname, parts.port
        self.cookies = dict(cookies or {})

    def request(
        self, method: str, path: str, data: list[tuple[str, str]] | None = None,
        timeout: float = 30,
    ) -> Response:  # fmt: skip
        headers = {"Host": f"{self.host}:{self.port}", "Accept": "text/html,application/json"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if data is not None:
            body = urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            if "csrftoken" in self.cookies:
                headers["X-CSRFToken"] = self.cookies["csrftoken"]
        started = time.monotonic()
        connection = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            answer = connection.getresponse()
            text = answer.read().decode("utf-8", errors="replace")
        except TimeoutError:
            return Response(None, elapsed=time.monotonic() - started, error="no answer (timeout)")
        except (ConnectionError, http.client.HTTPException) as error:
            return Response(None, elapsed=time.monotonic() - started,
                            error=f"connection dropped ({type(error).__name__})")  # fmt: skip
        finally:
            connection.close()
        for header, value in answer.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return Response(
            answer.status, text, {k.lower(): v for k, v in answer.getheaders()},
            time.monotonic() - started,
        )  # fmt: skip

    def get(self, path: str, timeout: float = 30) -> Response:
        return self.request("GET", path, timeout=timeout)

    def post(self, path: str, data: list[tuple[str, str]], timeout: float = 30) -> Response:
        return self.request("POST", path, data, timeout=timeout)

    def log_in(self, username: str, password: str) -> None:
        page = self.get("/login/")
        assert page.status == 200, f"login page: {page}\n{page.body[:500]}"
        fields = read_form(page.body)
        fields.set("username", username)
        fields.set("password", password)
        answer = self.post("/login/", fields.pairs())
        assert answer.status == 302, f"login: {answer}\n{answer.body[:1000]}"

    def copy(self, base_url: str | None = None) -> WebClient:
        """Another client with the same session (a second tab, or another server)."""
        return WebClient(base_url or f"http://{self.host}:{self.port}", self.cookies)


class Form:
    """A form's fields as the browser would submit them, with the choices it offered."""

    def __init__(self) -> None:
        self.values: list[tuple[str, str]] = []
        self.choices: dict[str, list[str]] = {}

    def get(self, name: str) -> str | None:
        return next((value for key, value in self.values if key == name), None)

    def set(self, name: str, value: str) -> None:
        self.values = [(key, old) for key, old in self.values if key != name]
        self.values.append((name, value))

    def pairs(self) -> list[tuple[str, str]]:
        return list(self.values)


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id, self.form = form_id, Form()
        self.inside = False
        self.textarea: str | None = None
        self.select: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        attributes = {key: value or "" for key, value in attrs}
        if tag == "form" and (self.form_id is None or attributes.get("id") == self.form_id):
            self.inside = True
        if not self.inside or (not attributes.get("name") and tag != "option"):
            return
        name = attributes.get("name", "")
        if tag == "input":
            kind = attributes.get("type", "text")
            if kind in {"radio", "checkbox"}:
                self.form.choices.setdefault(name, []).append(attributes.get("value", "on"))
                if "checked" in attributes:
                    self.form.values.append((name, attributes.get("value", "on")))
            elif kind not in {"submit", "button", "file", "image", "reset"}:
                self.form.values.append((name, attributes.get("value", "")))
        elif tag == "textarea":
            self.textarea = name
            self.form.values.append((name, ""))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attributes:
            self.form.values.append((self.select, attributes.get("value", "")))

    def handle_data(self, data: str) -> None:
        if self.textarea is not None:
            name, text = self.form.values.pop()
            # A browser drops the newline that directly follows <textarea>.
            self.form.values.append((name, (text + data) if text else data.removeprefix("\n")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self.textarea = None
        elif tag == "select":
            self.select = None
        elif tag == "form":
            self.inside = False


def read_form(html: str, form_id: str | None = None) -> Form:
    """The fields of the form `form_id` (the page's forms, if None) as they would be posted."""
    reader = _FormReader(form_id)
    reader.feed(html)
    return reader.form


def redirect_target(response: Response) -> int | None:
    """The decision a recording redirected to (/decisions/<pk>/), if it did."""
    match = re.search(r"/decisions/(\d+)/$", response.headers.get("location", ""))
    return int(match.group(1)) if response.status == 302 and match else None
