"""A system's report as a PDF: a cover with its counts, the map, the chain analysis, the
review queue and the risk register read as a plan.

The map is the same drawing the map page shows (advisor.system_map.drawing), printed: a
PDF has no server behind it, so the links to the services' and interactions' pages are
taken out (WeasyPrint would also draw a linked shape as text and lose it), and the drawing
is given the size that fits the page it is printed on, upright or on its side, whichever
shows it larger. The whole-log PDF prints the same map pages (`printed_maps`).

The lists after the map print their first lines and count the rest
(advisor.system_map.report_parts), so a system of a thousand interactions prints about as
many pages as one of fifty, and the PDF is made within a request.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from advisor.models import System, Team
from advisor.system_map.analysis import SystemAnalysis, analyse_system
from advisor.system_map.drawing import SVG_NS, map_svg
from advisor.system_map.facts import AGAINST, STALE, SystemFacts, system_facts
from advisor.system_map.map_style import (
    CHAIN_WIDTH,
    CYCLE_COLOUR,
    CYCLE_MARKER,
    EDGE_WIDTH,
    HOT_SPOT_BORDER,
    HOT_SPOT_FILL,
    MARKERS,
    PATTERN_STYLES,
    UNDECIDED_ALPHA,
    UNKNOWN_STYLE,
    map_title,
)
from advisor.system_map.report_parts import (
    QUEUE_LISTED,
    STEP_LISTED,
    chain_report,
    count,
    printed_queue,
    printed_steps,
)
from advisor.system_map.review import review_queue, risk_register
from decisions.pdf import STATIC_ORIGIN, render_html_pdf

# The room a map has on an A4 page inside static/css/pdf.css's margins (18 mm each side,
# 22 mm above and 20 mm below), less its heading, summary line and legend, in millimetres.
PORTRAIT_ROOM = (174.0, 186.0)
LANDSCAPE_ROOM = (261.0, 112.0)
_NUMBER = re.compile(r"[-+]?\d*\.?\d+")
_SVG_OPENING = re.compile(r"<svg\b[^>]*>")
_SIZE_AND_ID = re.compile(r'\s(?:width|height|id)="[^"]*"')
# What a printed map leaves out: the links around shapes (WeasyPrint would draw their
# content as text and lose the shapes), the titles a pointer shows, and the invisible wide
# strokes that catch a pointer beside an arrow. Drawing a thousand interactions' worth of
# them would add seconds to a report for nothing a reader sees.
_UNPRINTED = re.compile(
    r'<a\b[^>]*>|</a\s*>|<title\b[^>]*>[^<]*</title\s*>|<path\b[^>]*\bclass="hit-area"[^>]*>'
)


@dataclass(frozen=True)
class LegendEntry:
    """One line of the map's legend: a sample drawn in SVG, and what it means."""

    sample: SafeString
    meaning: str


@dataclass(frozen=True)
class PrintedMap:
    """A system's map as a page prints it."""

    name: str
    drawing: SafeString  # an <img> of the SVG; "" when Graphviz could not draw the map
    landscape: bool
    services: int
    interactions: int
    longest_hops: int | None
    through_cycle: bool
    legend: dict[str, list[LegendEntry]]

    @property
    def summary(self) -> str:
        """One line under the map's heading: "14 services · 12 interactions · longest
        synchronous chain: 3 hops"."""
        parts = [count(self.services, "service"), count(self.interactions, "interaction")]
        if self.longest_hops is None:
            parts.append("no synchronous chain")
        else:
            floor = "at least " if self.through_cycle else ""
            parts.append(f"longest synchronous chain: {floor}{count(self.longest_hops, 'hop')}")
        return " · ".join(parts)


# --- the map, printed ------------------------------------------------------------------


def _view_box(root: ET.Element) -> tuple[float, float]:
    numbers = [float(n) for n in _NUMBER.findall(root.get("viewBox", ""))]
    if len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0:
        return numbers[2], numbers[3]
    width = _NUMBER.search(root.get("width", "") or "")
    height = _NUMBER.search(root.get("height", "") or "")
    if width and height and float(width.group()) > 0 and float(height.group()) > 0:
        return float(width.group()), float(height.group())
    return 1.0, 1.0


def _fit(width: float, height: float, room: tuple[float, float]) -> tuple[float, float, float]:
    """The scale that fits a drawing of `width` by `height` into `room`, and its size there."""
    scale = min(room[0] / width, room[1] / height)
    return scale, width * scale, height * scale


def printable_svg(svg: str) -> tuple[str, bool]:
    """The map's SVG without its links, titles and pointer targets, sized in millimetres to
    fill the page it prints on, and whether that page is on its side (landscape). "" stays "".

    The SVG is changed as text, not parsed and written again: it comes from ElementTree,
    which escapes "<" and ">" in attribute values and text, so a tag is exactly a "<"
    up to the next ">"."""
    opening = _SVG_OPENING.search(svg)
    if opening is None:
        return "", False
    tag = opening.group()
    # The opening tag alone, closed, is all there is to read: a map can be a megabyte.
    width, height = _view_box(ET.fromstring(tag if tag.endswith("/>") else tag[:-1] + "/>"))
    upright, side = _fit(width, height, PORTRAIT_ROOM), _fit(width, height, LANDSCAPE_ROOM)
    landscape = side[0] > upright[0]
    _, printed_width, printed_height = side if landscape else upright
    # The map page's id and its size in points give way to the size it is printed at.
    kept = _SIZE_AND_ID.sub("", tag.removesuffix(">").removesuffix("/"))
    sized = f'{kept} width="{printed_width:.1f}mm" height="{printed_height:.1f}mm"'
    if tag.endswith("/>"):
        return sized + "/>", landscape
    return sized + ">" + _UNPRINTED.sub("", svg[opening.end() :]), landscape


def printed_map(facts: SystemFacts, analysis: SystemAnalysis) -> PrintedMap:
    """The map as an image of its SVG rather than the SVG inline: WeasyPrint would parse a
    large map's tens of thousands of elements as HTML and compute a style for each, which
    takes longer than drawing them (seconds for a thousand interactions)."""
    svg, landscape = printable_svg(map_svg(facts, analysis))
    drawing = mark_safe("")
    if svg:
        source = "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode("ascii")
        drawing = format_html(
            '<img class="map-drawing" src="{}" alt="{}">', source, map_title(facts)
        )
    chain = analysis.graph.longest_chain
    return PrintedMap(
        name=facts.system.name,
        drawing=drawing,
        landscape=landscape,
        services=len(facts.services),
        interactions=len(facts.interactions),
        longest_hops=chain.hops if chain is not None else None,
        through_cycle=bool(chain is not None and chain.through_cycle),
        legend=map_legend(facts),
    )


def printed_maps(team: Team, system: str = "") -> list[PrintedMap]:
    """The map pages of the whole-log PDF: the named system's (when it still exists and
    has interactions), else every system of the team that has interactions, by name.
    Four queries a system (its facts), whatever the number of decisions."""
    systems = team.systems.filter(interactions__isnull=False).distinct().order_by("name")
    if system:
        systems = systems.filter(name=system)
    maps = []
    for found in systems.select_related("team"):
        facts = system_facts(found)
        maps.append(printed_map(facts, analyse_system(facts)))
    return maps


def _sample(
    colour: str, *, dash: str = "", head: str = "normal", tail: str = "", width: float = 1.4
) -> SafeString:
    """A short arrow as the map draws one, for the legend."""
    opacity = ""
    if len(colour) == 9:  # #RRGGBBAA, as Graphviz takes it
        opacity = f' stroke-opacity="{int(colour[7:], 16) / 255:.2f}"'
        colour = colour[:7]
    dashes = {"dashed": ' stroke-dasharray="5,3"', "dotted": ' stroke-dasharray="1.5,2.5"'}
    heads = {
        "normal": '<polygon points="34,5 27,1.5 27,8.5" fill="{c}" stroke="{c}"/>',
        "onormal": '<polygon points="34,5 27,1.5 27,8.5" fill="white" stroke="{c}"/>',
        "vee": '<polyline points="27,1.5 34,5 27,8.5" fill="none" stroke="{c}"/>',
        "diamond": '<polygon points="34,5 30.5,2 27,5 30.5,8" fill="{c}" stroke="{c}"/>',
        "": "",
    }
    tail_mark = f'<circle cx="3" cy="5" r="2.2" fill="{colour}"/>' if tail == "dot" else ""
    line = (
        f'<line x1="{5 if tail else 1}" y1="5" x2="27" y2="5" stroke="{colour}"'
        f' stroke-width="{width}"{dashes.get(dash, "")}{opacity}/>'
    )
    drawn = line + heads[head].format(c=colour) + tail_mark
    return mark_safe(
        f'<svg class="legend-sample" xmlns="{SVG_NS}" width="36" height="10" '
        f'viewBox="0 0 36 10">{drawn}</svg>'
    )


def _box_sample(fill: str, border: str, width: float) -> SafeString:
    return mark_safe(
        f'<svg class="legend-sample" xmlns="{SVG_NS}" width="36" height="10" '
        f'viewBox="0 0 36 10"><rect x="4" y="1" width="28" height="8" rx="2" fill="{fill}" '
        f'stroke="{border}" stroke-width="{width}"/></svg>'
    )


def _marker(text: str) -> SafeString:
    return format_html('<span class="legend-marker">{}</span>', text)


def map_legend(facts: SystemFacts) -> dict[str, list[LegendEntry]]:
    """What the map's colours, lines and markers mean, in three groups: the arrows' colours
    and heads (patterns), their lines (how far the decision has come) and what the chain
    analysis and the review single out."""
    patterns = [
        LegendEntry(
            _sample(style.colour, head=style.arrowhead, tail=style.arrowtail),
            f"{facts.pattern_title(key)} ({style.shape})",
        )
        for key, style in PATTERN_STYLES.items()
    ]
    patterns.append(
        LegendEntry(
            _sample(UNKNOWN_STYLE.colour, head=UNKNOWN_STYLE.arrowhead),
            f"Not known yet ({UNKNOWN_STYLE.shape})",
        )
    )
    grey = UNKNOWN_STYLE.colour
    lines = [
        LegendEntry(_sample(grey), "Solid: accepted"),
        LegendEntry(_sample(grey, dash="dashed"), "Dashed: proposed"),
        LegendEntry(
            _sample(grey + UNDECIDED_ALPHA, dash="dotted"),
            "Dotted, paler: no decision yet (drawn as it works today)",
        ),
        LegendEntry(_sample(grey, width=CHAIN_WIDTH), "Thick: the longest synchronous chain"),
    ]
    marks = [
        LegendEntry(
            _sample(CYCLE_COLOUR, width=EDGE_WIDTH),
            f"Vermilion, marked “{CYCLE_MARKER}”: in a synchronous cycle",
        ),
        LegendEntry(
            _box_sample(HOT_SPOT_FILL, HOT_SPOT_BORDER, 2.2),
            "Heavy border on yellow: a hot spot, called synchronously by many",
        ),
        LegendEntry(_marker(MARKERS[AGAINST]), "Decided against the recommendation"),
        LegendEntry(_marker(MARKERS[STALE]), "Answers changed since the decision"),
    ]
    return {"Patterns": patterns, "Decisions": lines, "Singled out": marks}


# --- the report ------------------------------------------------------------------------


def system_report_context(system: System) -> dict:
    """Everything the system report prints, read in four queries (the system's facts).
    Its lists are shortened (advisor.system_map.report_parts); its counts are the whole
    system's."""
    facts = system_facts(system)
    analysis = analyse_system(facts)
    queue = review_queue(facts)
    register = risk_register(facts)
    review, steps = printed_queue(queue), printed_steps(register)
    return {
        "team": system.team,
        "system": system,
        "today": timezone.localdate(),
        "map": printed_map(facts, analysis),
        "chains": chain_report(facts, analysis),
        "queue": queue,
        "review": review,
        "register": register,
        "steps": steps,
        "queue_listed": QUEUE_LISTED,
        "step_listed": STEP_LISTED,
        "register_cut": any(printed.lines.more for printed in steps),
        # Where the whole lists are, as a reader types it after the address of Crossroads.
        "review_path": reverse("system_review", args=[system.pk]),
        "risks_path": reverse("system_risks", args=[system.pk]),
        "risks_csv_path": reverse("system_risks_csv", args=[system.pk]),
        "counts": [
            ("Services", f"{len(facts.services):,}"),
            ("Interactions", f"{len(facts.interactions):,}"),
            ("Decided (accepted or proposed)", f"{queue.decided:,}"),
            ("No decision yet", f"{len(queue.undecided):,}"),
            ("Stale decisions", f"{len(queue.stale):,}"),
            ("Contradictions", f"{len(queue.contradictions):,}"),
            ("Risks (steps of the plan)", f"{len(register.steps):,}"),
        ],
        "static_origin": STATIC_ORIGIN,
    }


def render_system_pdf(system: System) -> bytes:
    """The system report as a PDF (`system` with its team loaded)."""
    html = render_to_string("pdf/system_report.html", system_report_context(system))
    return render_html_pdf(html)


def system_report_filename(system: System) -> str:
    """The file's name, from the system's: "storefront-system-report.pdf"."""
    return f"{slugify(system.name) or 'system'}-system-report.pdf"
