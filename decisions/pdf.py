"""A decision as a PDF designed for reading and printing (WeasyPrint).

The URL fetcher lets WeasyPrint read only the app's own static files and `data:` URIs.
Anything else a page might refer to (a `file://` path, an `http://` address) is refused, so
a PDF can never read the server's disk or call out to the network.

What WeasyPrint would otherwise make again for every PDF is made once: the fetcher's TLS
context, which it never uses, and the font configuration, one per thread
(bench/decision_pdf.py measures what each costs).
"""

from __future__ import annotations

import logging
import mimetypes
import posixpath
import ssl
import threading

from django.contrib.staticfiles.finders import FileSystemFinder
from django.core.exceptions import SuspiciousFileOperation
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher, URLFetcherResponse

from decisions.models import Decision

LOGGER = logging.getLogger(__name__)
# Static files are addressed under this made-up origin; nothing is ever fetched from it.
STATIC_ORIGIN = "https://crossroads.static/"
# WeasyPrint's fetcher makes a TLS context for https:// addresses, reading the system's
# certificates (tens of milliseconds), each time one is made, so for every PDF. This one
# serves STATIC_ORIGIN from disk and refuses every other address: it never opens a TLS
# connection, and should one ever be tried, a context that trusts no certificate fails it.
_NO_TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
_THREAD = threading.local()


class StaticOnlyFetcher(URLFetcher):
    """Serves the app's static files and data: URIs; refuses everything else."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("ssl_context", _NO_TLS)
        super().__init__(*args, allowed_protocols={"data", "https"}, **kwargs)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith(STATIC_ORIGIN):
            found = _project_static_file(url.removeprefix(STATIC_ORIGIN))
            if found:
                content_type = mimetypes.guess_type(found)[0] or "application/octet-stream"
                with open(found, "rb") as handle:
                    return URLFetcherResponse(
                        url, body=handle.read(), headers={"Content-Type": content_type}
                    )
        self.refused.append(url)
        LOGGER.warning("PDF rendering refused to fetch %s", url)
        raise ValueError(f"Only the app's static files may be used in a PDF, not {url}")


def _project_static_file(path: str) -> str | None:
    """The project's own static file at `path` (not any app's), or None; no escaping it."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    normal = posixpath.normpath(path)
    if path.startswith("/") or normal.startswith("..") or normal != path:
        return None
    try:
        return FileSystemFinder().find(normal) or None
    except SuspiciousFileOperation:
        return None


def font_configuration() -> FontConfiguration:
    """This thread's fonts, found once: WeasyPrint would make a configuration (loading the
    system's fonts, with nothing measured yet) for every PDF. Pango's font maps may not be
    shared between threads, so each thread has its own."""
    fonts = getattr(_THREAD, "fonts", None)
    if fonts is None:
        fonts = _THREAD.fonts = FontConfiguration()
    return fonts


def render_html_pdf(html: str, fetcher: URLFetcher | None = None) -> bytes:
    """WeasyPrint on HTML whose static files are under STATIC_ORIGIN."""
    return HTML(
        string=html, base_url=STATIC_ORIGIN, url_fetcher=fetcher or StaticOnlyFetcher()
    ).write_pdf(font_config=font_configuration())


def decision_pdf_html(context: dict) -> str:
    return render_to_string("pdf/decision.html", {**context, "static_origin": STATIC_ORIGIN})


def render_decision_pdf(decision: Decision, context: dict) -> bytes:
    """`context` is the decision page's (see decisions.document.record_context)."""
    return render_html_pdf(decision_pdf_html(context))
