"""User Markdown to safe HTML, for pages and PDFs alike.

markdown-it-py renders CommonMark with raw HTML switched off, and turns bare web addresses
into links (linkify-it-py, the matcher markdown-it uses); nh3 then keeps only a small
allow-list of tags and attributes and only http(s)/mailto links, so nothing a user types can
run script, load remote resources or reach the file system, in a browser or in WeasyPrint.

Rendering is bounded in time whatever is stored: its cost grows with the text's length (up
to about 15 µs a character for the costliest input, see decisions.limits), so at most
MARKDOWN_LIMIT characters of one text are rendered as Markdown. A longer text (stored
before the caps) shows its start as plain text, under a note that says what is left out
and where the whole text is.
"""

from __future__ import annotations

from functools import cache

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt

from decisions.limits import MARKDOWN_LIMIT

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
    "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@cache
def _parser() -> MarkdownIt:
    # Images are off: the sanitiser would drop them anyway, so `![alt](url)` reads as a link,
    # and unclosed "![" runs no longer cost the image rule's backtracking.
    parser = MarkdownIt("commonmark", {"html": False, "linkify": True})
    return parser.enable(["table", "linkify"]).disable("image")


def render_markdown(text: str) -> str:
    """Sanitised HTML for `text`; safe to mark safe in a template."""
    if not text:
        return ""
    if len(text) > MARKDOWN_LIMIT:
        return _beginning_as_plain_text(text)
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )


def _beginning_as_plain_text(text: str) -> str:
    """The first MARKDOWN_LIMIT characters of a text too long to render, as escaped plain
    text (paragraphs and line breaks kept), after a note saying so: linear in the limit."""
    shown = text[:MARKDOWN_LIMIT]
    note = (
        f"<p><strong>Shown in part, as plain text.</strong> This text has {len(text):,} "
        f"characters: it was saved before a record's texts were limited to "
        f"{MARKDOWN_LIMIT:,}. Its first {len(shown):,} characters follow, without their "
        "formatting; the record's Markdown and JSON exports hold all of it.</p>"
    )
    paragraphs = [part.strip("\n") for part in shown.replace("\r\n", "\n").split("\n\n")]
    body = "".join(
        "<p>" + escape(part).replace("\n", "<br>") + "</p>" for part in paragraphs if part
    )
    return f"{note}{body}<p>…</p>"
