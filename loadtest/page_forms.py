"""What a browser would post: a form's fields read from a page's HTML.

The simulated users fill in the app's real forms rather than hand-written payloads, so the
load test follows the pages as they are (new fields, pre-filled text) without edits here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser


@dataclass
class Form:
    """A form's successful controls, in page order, and the choices it offers."""

    fields: list[tuple[str, str]] = field(default_factory=list)
    # Every radio button's value per name, in page order: what a person could choose.
    radios: dict[str, list[str]] = field(default_factory=dict)
    # The ids of the elements inside the form (e.g. "question-consistency").
    ids: set[str] = field(default_factory=set)

    def value(self, name: str) -> str | None:
        return next((value for key, value in self.fields if key == name), None)

    def values(self, name: str) -> list[str]:
        return [value for key, value in self.fields if key == name]


class _FormReader(HTMLParser):
    def __init__(self, form_id: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.form_id = form_id
        self.form: Form | None = None
        self.inside = False
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: str | None = None
        self._multiple = False
        self._options: list[tuple[str, bool]] = []
        self._option: tuple[str, bool] | None = None
        self._option_text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = {name: value or "" for name, value in attrs}
        if tag == "form" and self.form is None and self._wanted(attributes):
            self.form, self.inside = Form(), True
            return
        if not self.inside or self.form is None:
            return
        if "id" in attributes:
            self.form.ids.add(attributes["id"])
        name = attributes.get("name")
        if tag == "input" and name and "disabled" not in attributes:
            self._input(name, attributes)
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = name, []
            self._multiple = "multiple" in attributes
        elif tag == "option" and self._select is not None:
            self._option_end()
            self._option = (attributes.get("value"), "selected" in attributes)
            self._option_text = []

    def _wanted(self, form: dict[str, str]) -> bool:
        if self.form_id is not None:
            return form.get("id") == self.form_id
        return form.get("method", "").lower() == "post" and "action" not in form

    def _input(self, name: str, attributes: dict[str, str]) -> None:
        kind = attributes.get("type", "text").lower()
        if kind in ("radio", "checkbox"):
            value = attributes.get("value", "on")  # a browser posts "on" without a value
            if kind == "radio":
                self.form.radios.setdefault(name, []).append(value)
            if "checked" in attributes:
                self.form.fields.append((name, value))
        elif kind not in ("submit", "button", "image", "reset", "file"):
            self.form.fields.append((name, attributes.get("value", "")))

    def _option_end(self) -> None:
        if self._option is not None:
            value, selected = self._option
            text = "".join(self._option_text).strip()
            self._options.append((text if value is None else value, selected))
            self._option = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._text.append(data)
        elif self._option is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if not self.inside or self.form is None:
            return
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self._textarea is not None:
            text = "".join(self._text)
            # A browser drops the one newline that may follow <textarea>.
            self.form.fields.append((self._textarea, text.removeprefix("\n")))
            self._textarea = None
        elif tag == "option":
            self._option_end()
        elif tag == "select" and self._select is not None:
            self._option_end()
            chosen = [value for value, selected in self._options if selected]
            if not self._multiple:  # a single choice shows its first option when none is
                chosen = chosen[-1:] or [value for value, _ in self._options[:1]]
            self.form.fields.extend((self._select, value) for value in chosen)
            self._select = None


def read_form(html: str, form_id: str | None = None) -> Form:
    """The form `form_id` of `html`, or without an id the first form that posts back to its
    own page (no action); ValueError when the page has no such form."""
    reader = _FormReader(form_id)
    reader.feed(html)
    reader.close()
    if reader.form is None:
        raise ValueError(f"the page has no form {'#' + form_id if form_id else 'posting to it'}")
    return reader.form


class _ValueById(HTMLParser):
    def __init__(self, element_id: str) -> None:
        super().__init__(convert_charrefs=True)
        self.element_id = element_id
        self.value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if self.value is None and attributes.get("id") == self.element_id:
            self.value = attributes.get("value") or ""


def input_value(html: str, element_id: str) -> str | None:
    """The value of the element `element_id` anywhere in `html` (a page or a fragment)."""
    reader = _ValueById(element_id)
    reader.feed(html)
    reader.close()
    return reader.value
