"""Rendering a long PDF in parts: each part is its own WeasyPrint document, rendered in
worker processes when there are several, and tells on which page, and where on it, each of
the anchors (`id`s) the caller asked about lies. decisions.pdf_binding joins the parts.

WeasyPrint holds every page of a document in memory and takes a tenth of a second or more
to lay out a page, so one document of a thousand pages would be slow and large; parts
render side by side and each is dropped once written.

This module imports nothing of Django: worker processes start from a fresh interpreter and
load only WeasyPrint. They read no file and no network address: a part may use only the
files the caller read for it beforehand (`files`), anything else is refused as
`decisions.pdf.StaticOnlyFetcher` refuses it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections import deque
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

LOGGER = logging.getLogger(__name__)
# url -> (body, content type): the only files a part may use.
Files = Mapping[str, tuple[bytes, str]]
POINTS_PER_PIXEL = 0.75  # WeasyPrint lays out in CSS pixels, 96 to the inch


class PreloadedFetcher(URLFetcher):
    """Serves the files read for the parts beforehand and data: URIs; refuses the rest."""

    def __init__(self, files: Files, *args, **kwargs) -> None:
        super().__init__(*args, allowed_protocols={"data", "https"}, **kwargs)
        self.files = dict(files)
        self.refused: list[str] = []

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url in self.files:
            body, content_type = self.files[url]
            return URLFetcherResponse(url, body=body, headers={"Content-Type": content_type})
        self.refused.append(url)
        LOGGER.warning("PDF rendering refused to fetch %s", url)
        raise ValueError(f"Only the app's static files may be used in a PDF, not {url}")


@dataclass(frozen=True)
class Anchor:
    """Where an element starts: its page in the part (from 0), and the top-left corner of
    its box in points from the page's top-left corner."""

    page: int
    x: float
    y: float


@dataclass(frozen=True)
class PartJob:
    html: str
    base_url: str
    anchors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    pdf: bytes
    pages: int
    anchors: dict[str, Anchor] = field(default_factory=dict)


def render_part(job: PartJob, fetcher: URLFetcher) -> Part:
    """Render one part, reading files through `fetcher` only; a missing anchor is an error
    (the caller would number pages from it)."""
    document = HTML(string=job.html, base_url=job.base_url, url_fetcher=fetcher).render()
    wanted, found = set(job.anchors), {}
    for number, page in enumerate(document.pages):
        for name, (x, y, *_) in page.anchors.items():
            if name in wanted and name not in found:
                found[name] = Anchor(number, x * POINTS_PER_PIXEL, y * POINTS_PER_PIXEL)
    missing = [name for name in job.anchors if name not in found]
    if missing:
        raise ValueError(f"The part has no element with the id {', '.join(missing)}.")
    return Part(pdf=document.write_pdf(), pages=len(document.pages), anchors=found)


def default_workers() -> int:
    """As many worker processes as this process may use processors, up to four."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        available = os.cpu_count() or 1
    return max(1, min(4, available))


# One fetcher per worker process: making one sets up TLS, which costs as much as a page.
_worker_fetcher: PreloadedFetcher | None = None


def _start_worker(files: Files) -> None:
    global _worker_fetcher
    _worker_fetcher = PreloadedFetcher(files)


def _render_in_worker(job: PartJob) -> Part:
    if _worker_fetcher is None:
        raise RuntimeError("The worker was started without its files.")
    return render_part(job, _worker_fetcher)


def render_parts(jobs: Iterable[PartJob], *, files: Files, workers: int = 1) -> Iterator[Part]:
    """The parts of `jobs`, in their order. With more than one worker they are rendered in
    that many fresh processes, a few jobs ahead of the one waited for, so the caller builds
    the next jobs (and reports progress) while the workers render."""
    jobs = iter(jobs)
    # A daemonic process (some task runners' workers) may not start processes of its own.
    if workers <= 1 or multiprocessing.current_process().daemon:
        fetcher = PreloadedFetcher(files)
        for job in jobs:
            yield render_part(job, fetcher)
        return
    # "spawn": a forked copy of a web or task process would share its database connections.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        max_workers=workers, mp_context=context, initializer=_start_worker, initargs=(files,)
    ) as pool:
        pending: deque[Future[Part]] = deque()
        for job in jobs:
            pending.append(pool.submit(_render_in_worker, job))
            # Two jobs a worker keep every worker busy without holding the whole log.
            while len(pending) >= 2 * workers or (pending and pending[0].done()):
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
