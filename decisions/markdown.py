"""User Markdown to safe HTML, for pages and PDFs alike.

markdown-it-py renders CommonMark with raw HTML switched off, and turns bare web addresses
into links (linkify-it-py, the matcher markdown-it uses); nh3 then keeps only a small
allow-list of tags and attributes and only http(s)/mailto links, so nothing a user types can
run script, load remote resources or reach the file system, in a browser or in WeasyPrint.
"""

from __future__ import annotations

from functools import cache

import nh3
from markdown_it import MarkdownIt

ALLOWED_TAGS = {
    "p", "br", "hr", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li",
    "h1", "h2", "h3", "h4", "h5", "h6", "a", "table", "thead", "tbody", "tr", "th", "td",
    "del",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"align"}, "td": {"align"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": True}).enable(["table", "linkify"])


def render_markdown(text: str) -> str:
    """Sanitised HTML for `text`; safe to mark safe in a template."""
    if not text:
        return ""
    html = _parser().render(text)
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    )
