"""A team's whole decision log as one PDF: a cover, the contents with page numbers, the map
of the system (of each system that has interactions, when the log is the whole team's), then
one section per decision in number order, each as the decision's own PDF shows it and each
starting on a new page.

A log of hundreds of decisions is too long for one WeasyPrint document (slow, and every
page held in memory), so it is rendered in parts (decisions.pdf_assembly), in worker
processes when there are several: the cover and contents first, then the maps (a part of
their own, drawn in this process, where the database and Graphviz are), then the sections in
batches. Each batch tells on which of its pages every decision starts, and the contents
where each line ends; decisions.pdf_binding then joins the parts, prints the contents' page
numbers and "Page N of M" on every page after the cover, adds one bookmark per decision and
turns the links between decisions (contents, supersedes, named links) into page jumps.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import closing
from itertools import chain

from django.template.loader import get_template, render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from advisor.models import Team
from advisor.system_map.report_pdf import PrintedMap, printed_maps
from decisions.document import record_context
from decisions.models import Decision, Status
from decisions.pdf import STATIC_ORIGIN, StaticOnlyFetcher
from decisions.pdf_assembly import Part, PartJob, default_workers, render_parts
from decisions.pdf_binding import Bookmark, Label, font_subset, join_parts

Progress = Callable[[int, int], None]

# Decisions per WeasyPrint document: enough to share each document's fixed costs (style
# sheets, fonts), few enough that a batch stays small in memory and progress moves often.
BATCH_SIZE = 10
# Links between decisions point under this made-up origin; they become page jumps once the
# joined file knows every page (decisions.pdf_binding). Nothing is ever fetched from it.
LINK_ORIGIN = "https://crossroads.log/"
STYLESHEETS = ("css/pdf.css",)
# The size of the contents' lines (`ol.toc` in static/css/pdf.css): their page numbers are
# printed on the joined file at that size.
CONTENTS_SIZE = 9.5


def _ignore(done: int, total: int) -> None:
    pass


def render_log_pdf(
    *,
    team: Team,
    system: str = "",
    decisions: Sequence[Decision],
    progress: Progress = _ignore,
    workers: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> bytes:
    """The whole-log PDF of `decisions` (as `decisions.selectors.decisions_for_export` loads
    them, in number order) for `team`, or for its system `system` when one is given.

    `progress(done, total)` is called as decisions are rendered, once per decision, and a
    last time with (total, total) when the file is ready. `workers` is how many processes
    render the batches (by default one per processor this process may use, at most four);
    a log of one batch is rendered in this process."""
    decisions = list(decisions)
    total = len(decisions)
    batches = [decisions[start : start + batch_size] for start in range(0, total, batch_size)]
    font_subset()  # read while this process is small: it runs fc-match, which forks
    workers = default_workers() if workers is None else workers
    maps = printed_maps(team, system)
    jobs = chain(
        [_front_job(team, system, decisions, maps)],
        [_maps_job(team, system, maps)] if maps else [],
        _batch_jobs(team, batches),
    )
    parts: list[Part] = []
    done = 0
    # closing(): whatever happens here, the worker processes are stopped before returning.
    with closing(
        render_parts(jobs, files=_static_files(), workers=workers if len(batches) > 1 else 1)
    ) as rendered:
        front = next(rendered)
        maps_part = next(rendered) if maps else None
        for batch, part in zip(batches, rendered, strict=True):
            parts.append(part)
            for _ in batch:
                done += 1
                if done < total:  # (total, total) only once the file is ready
                    progress(done, total)
    front_parts = [front] if maps_part is None else [front, maps_part]
    starts = _section_starts(front_parts, parts)  # from 0 in the joined file
    lines = [*(_map_anchor(number) for number in range(1, len(maps) + 1)),
             *(d.reference for d in decisions)]  # fmt: skip
    pdf = join_parts(
        [*(part.pdf for part in front_parts), *(part.pdf for part in parts)],
        number_from=2,  # the cover shows no page number
        labels=[
            Label(anchor.page, str(starts[line] + 1), anchor.y, CONTENTS_SIZE)
            for line in lines
            for anchor in [front.anchors[f"contents-{line}"]]
        ],
        bookmarks=[Bookmark("Contents", 1)]
        + [
            Bookmark(f"System map: {printed.name}", starts[_map_anchor(number)])
            for number, printed in enumerate(maps, start=1)
        ]
        + [Bookmark(f"{d.reference} {d.title}", starts[d.reference]) for d in decisions],
        link_origin=LINK_ORIGIN,
        link_targets=starts,
        title=f"{team.name}: decision log" + (f" ({system})" if system else ""),
    )
    progress(total, total)
    return pdf


def _section_starts(front_parts: list[Part], parts: list[Part]) -> dict[str, int]:
    """Where each map and each decision starts in the joined file, from 0: the parts follow
    one another, so a part's pages are counted after all the pages before it."""
    starts, offset = {}, front_parts[0].pages
    for part in [*front_parts[1:], *parts]:
        for name, anchor in part.anchors.items():
            starts[name] = offset + anchor.page
        offset += part.pages
    return starts


def _map_anchor(number: int) -> str:
    return f"map-{number}"


def _static_files() -> dict[str, tuple[bytes, str]]:
    """The style sheets the log uses, read through the single PDF's fetcher (so by the
    same rules) for worker processes, which have no Django."""
    fetcher = StaticOnlyFetcher()
    files = {}
    for path in STYLESHEETS:
        response = fetcher.fetch(STATIC_ORIGIN + path)
        files[STATIC_ORIGIN + path] = (response.read(), "text/css")
    return files


def _batch_jobs(team: Team, batches: list[list[Decision]]) -> Iterator[PartJob]:
    """One document per batch, built only when the renderer is ready for it."""
    section = get_template("pdf/log_decision.html")
    for batch in batches:
        sections = [
            mark_safe(section.render({**record_context(d), "link_origin": LINK_ORIGIN}))
            for d in batch
        ]
        html = render_to_string(
            "pdf/log_sections.html",
            {"team": team, "sections": sections, "static_origin": STATIC_ORIGIN},
        )
        yield PartJob(html, STATIC_ORIGIN, tuple(d.reference for d in batch))


def _maps_job(team: Team, system: str, maps: list[PrintedMap]) -> PartJob:
    """The system maps, each on a page of its own, turned on its side when that shows the
    map larger."""
    html = render_to_string(
        "pdf/log_maps.html",
        {
            "team": team,
            "system": system,
            "maps": maps,
            "today": timezone.localdate(),
            "static_origin": STATIC_ORIGIN,
        },
    )
    return PartJob(
        html, STATIC_ORIGIN, tuple(_map_anchor(number) for number in range(1, len(maps) + 1))
    )


def _front_job(
    team: Team, system: str, decisions: list[Decision], maps: list[PrintedMap]
) -> PartJob:
    """The cover and the contents, whose page numbers are left to print on the joined file
    (the contents are rendered first, before any section is, so it does not know them)."""
    counts = dict.fromkeys(Status.values, 0)
    for decision in decisions:
        counts[decision.status] = counts.get(decision.status, 0) + 1
    most = max(counts.values(), default=0) or 1
    html = render_to_string(
        "pdf/log.html",
        {
            "team": team,
            "system": system,
            "decisions": decisions,
            "maps": maps,
            "today": timezone.localdate(),
            "status_counts": [
                {
                    "status": status,
                    "label": Status(status).label,
                    "count": counts[status],
                    "share": round(100 * counts[status] / most, 1),
                }
                for status in Status.values
            ],
            "link_origin": LINK_ORIGIN,
            "static_origin": STATIC_ORIGIN,
        },
    )
    lines = [*(_map_anchor(number) for number in range(1, len(maps) + 1)),
             *(d.reference for d in decisions)]  # fmt: skip
    return PartJob(html, STATIC_ORIGIN, tuple(f"contents-{line}" for line in lines))
