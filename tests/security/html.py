"""Reading pages as a browser would: their forms and text controls, and anything active
(script, event handlers, script addresses) that user text could have smuggled in."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

# Controls a person types free text into (hidden, password, file, choice inputs aside).
_TEXT_TYPES = {None, "", "text", "search", "email", "url", "tel"}


@dataclass
class Control:
    name: str
    attrs: dict[str, str | None]

    @property
    def maxlength(self) -> int | None:
        value = self.attrs.get("maxlength")
        return int(value) if value and value.isdigit() else None

    @property
    def invalid(self) -> bool:
        return (
            self.attrs.get("aria-invalid") == "true"
            or "is-invalid" in (self.attrs.get("class") or "").split()
        )


@dataclass
class Form:
    action: str
    method: str
    controls: list[Control] = field(default_factory=list)
    text: list[str] = field(default_factory=list)

    def control(self, name: str) -> Control | None:
        return next((c for c in self.controls if c.name == name), None)

    @property
    def text_controls(self) -> list[Control]:
        return [control for control in self.controls if _takes_text(control)]


def _takes_text(control: Control) -> bool:
    kind = (control.attrs.get("type") or "").lower()
    return control.attrs.get("tag") == "textarea" or kind in _TEXT_TYPES


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._open: Form | None = None

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "form":
            self._open = Form(attributes.get("action") or "", (attributes.get("method") or
                              "get").lower())  # fmt: skip
            self.forms.append(self._open)
        elif tag in {"input", "textarea"} and self._open is not None and attributes.get("name"):
            self._open.controls.append(Control(attributes["name"], {**attributes, "tag": tag}))

    def handle_endtag(self, tag) -> None:
        if tag == "form":
            self._open = None

    def handle_data(self, data) -> None:
        if self._open is not None and data.strip():
            self._open.text.append(data.strip())


def page_forms(html: str) -> list[Form]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def forms_posting_to(html: str, url: str, page_url: str) -> list[Form]:
    """The page's POST forms whose action is `url` (a form without one posts to its page)."""
    target = urlsplit(url).path
    return [
        form for form in page_forms(html)
        if form.method == "post" and urlsplit(form.action or page_url).path == target
    ]  # fmt: skip


# --- active content -----------------------------------------------------------------------

_URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster"}
# Addresses that run script when followed or loaded (a data: URI may hold a page).
_SCRIPT_SCHEMES = ("javascript:", "vbscript:", "data:text/html", "data:application/")


class _Active(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._script: bool = False

    def handle_starttag(self, tag, attrs) -> None:
        attributes = dict(attrs)
        if tag == "script":
            # The app's own scripts are files it serves; CSP forbids inline ones.
            self._script = True
            if not (attributes.get("src") or "").startswith("/static/"):
                self.problems.append(f"<script src={attributes.get('src')!r}>")
        if tag in {"iframe", "object", "embed", "base", "frame", "img"}:
            self.problems.append(f"<{tag}>")
        for name, value in attributes.items():
            if name.startswith("on") or name.startswith("hx-on"):
                self.problems.append(f"<{tag} {name}={value!r}>")
            if name in _URL_ATTRIBUTES and value is not None:
                # Browsers skip blanks and control characters in a scheme.
                cleaned = "".join(ch for ch in value if ch > " ").lower()
                if cleaned.startswith(_SCRIPT_SCHEMES):
                    self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
            self.problems.append("<meta http-equiv=refresh>")

    def handle_endtag(self, tag) -> None:
        if tag == "script":
            self._script = False

    def handle_data(self, data) -> None:
        if self._script and data.strip():
            self.problems.append(f"inline script {data.strip()[:40]!r}")


def active_parts(html: str) -> list[str]:
    """Everything in `html` that runs script or loads something from elsewhere."""
    parser = _Active()
    parser.feed(html)
    return parser.problems
