"""A system's report as a PDF: a cover with its counts, the map, the chain analysis, the
review queue and the risk register read as a plan.

The map is the same drawing the map page shows (advisor.system_map.drawing), printed: a
PDF has no server behind it, so the links to the services' and interactions' pages are
taken out (WeasyPrint would also draw a linked shape as text and lose it), and the drawing
is given the size that fits the page it is printed on, upright or on its side, whichever
shows it larger. The whole-log PDF prints the same map pages (`printed_maps`).
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass

from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import slugify

from advisor.models import System, Team
from advisor.system_map.analysis import SystemAnalysis, analyse_system
from advisor.system_map.drawing import (
    CHAIN_WIDTH,
    CYCLE_COLOUR,
    CYCLE_MARKER,
    EDGE_WIDTH,
    HOT_SPOT_BORDER,
    HOT_SPOT_FILL,
    MARKERS,
    PATTERN_STYLES,
    SVG_NS,
    UNDECIDED_ALPHA,
    UNKNOWN_STYLE,
    map_svg,
    map_title,
)
from advisor.system_map.facts import AGAINST, STALE, SystemFacts, system_facts
from advisor.system_map.review import review_queue, risk_register
from decisions.pdf import STATIC_ORIGIN, render_html_pdf

# The room a map has on an A4 page inside static/css/pdf.css's margins (18 mm each side,
# 22 mm above and 20 mm below), less its heading, summary line and legend, in millimetres.
PORTRAIT_ROOM = (174.0, 186.0)
LANDSCAPE_ROOM = (261.0, 112.0)
# Lists of the chain analysis print the first few; the rest are counted.
LISTED = 20
_NUMBER = re.compile(r"[-+]?\d*\.?\d+")
_SVG_OPENING = re.compile(r"<svg\b[^>]*>")
_SIZE_AND_ID = re.compile(r'\s(?:width|height|id)="[^"]*"')
# A link around a shape: WeasyPrint would draw its content as text and lose the shape.
_LINK_OPEN = re.compile(r"<a\b[^>]*>")
_LINK_CLOSE = re.compile(r"</a\s*>")


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
        parts = [_count(self.services, "service"), _count(self.interactions, "interaction")]
        if self.longest_hops is None:
            parts.append("no synchronous chain")
        else:
            floor = "at least " if self.through_cycle else ""
            parts.append(f"longest synchronous chain: {floor}{_count(self.longest_hops, 'hop')}")
        return " · ".join(parts)


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun if number == 1 else noun + 's'}"


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
    """The map's SVG without its links, sized in millimetres to fill the page it prints on,
    and whether that page is on its side (landscape). "" stays "".

    The SVG is changed as text, not parsed and written again: it comes from ElementTree,
    which escapes "<" and ">" in attribute values and text, so a tag is exactly a "<"
    up to the next ">"."""
    if not svg:
        return "", False
    width, height = _view_box(ET.fromstring(svg))
    upright, side = _fit(width, height, PORTRAIT_ROOM), _fit(width, height, LANDSCAPE_ROOM)
    landscape = side[0] > upright[0]
    _, printed_width, printed_height = side if landscape else upright
    opening = _SVG_OPENING.search(svg)
    if opening is None:
        return "", False
    # The map page's id and its size in points give way to the size it is printed at.
    kept = _SIZE_AND_ID.sub("", opening.group()[: -len(">")])
    sized = f'{kept} width="{printed_width:.1f}mm" height="{printed_height:.1f}mm">'
    body = _LINK_CLOSE.sub("</g>", _LINK_OPEN.sub("<g>", svg[opening.end() :]))
    return sized + body, landscape


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


# --- the chain analysis, in words ------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    """The first `LISTED` lines of a list, and how many more there are."""

    lines: tuple[str, ...]
    more: int = 0

    @classmethod
    def of(cls, lines: Iterable[str]) -> Listed:
        every = tuple(lines)
        return cls(every[:LISTED], max(0, len(every) - LISTED))


@dataclass(frozen=True)
class ChainReport:
    """The chain analysis as sentences for print."""

    longest: str  # "" when no interaction is synchronous
    estimate: tuple[str, ...]
    budget: str
    over_budget: bool
    cycles: Listed
    hot_spots: Listed
    breakers: Listed


def _ms(value: float) -> str:
    return f"{round(value):,} ms"


def _path(facts: SystemFacts, nodes: Iterable[int], *, ring: bool = False) -> str:
    names = [facts.service(node).name for node in nodes]
    if ring and names:
        names.append(names[0])
    return " → ".join(names)


def chain_report(facts: SystemFacts, analysis: SystemAnalysis) -> ChainReport:
    graph, estimate = analysis.graph, analysis.longest
    chain = graph.longest_chain
    longest, figures, budget, over = "", [], "", False
    if chain is not None:
        hops = _count(chain.hops, "synchronous hop")
        if chain.through_cycle:
            hops = f"at least {hops} (the path runs through a synchronous cycle)"
        longest = f"{_path(facts, chain.nodes)}: {hops}."
    if estimate is not None:
        tail = estimate.tail
        figures.append(
            f"Estimated end-to-end latency: about {_ms(tail.p50_ms)} for a typical request "
            f"(p50) and {_ms(tail.p99_ms)} for the slowest 1% (p99)."
        )
        figures.append(
            f"{tail.p_hit_any_p99:.0%} of requests meet at least one hop at its slowest 1%."
        )
        per_hop = f"{_ms(estimate.per_hop_p50_ms)} (p50) and {_ms(estimate.per_hop_p99_ms)} (p99)"
        if estimate.assumed_latency:
            figures.append(
                f"Assumed {per_hop} per hop: no interaction on the chain gave its own figures."
            )
        else:
            figures.append(f"Per hop: {per_hop}, the slowest answered on the chain.")
        if estimate.budget_ms is None:
            budget = "No latency budget was answered on this chain's interactions."
        elif estimate.over_budget:
            over = True
            budget = (
                f"Over budget: the p99 estimate exceeds the {_ms(estimate.budget_ms)} budget "
                "answered on the chain."
            )
        else:
            budget = f"Within the {_ms(estimate.budget_ms)} latency budget answered on the chain."
    cycles = Listed.of(_path(facts, cycle.nodes, ring=True) for cycle in graph.cycles)
    hot_spots = Listed.of(
        f"{facts.service(spot.node).name}: {_count(len(spot.callers), 'service')} call it "
        f"synchronously; {_count(spot.dependents, 'service')} depend on it."
        for spot in graph.hot_spots
    )
    interactions = {fact.id: fact for fact in facts.interactions}
    breakers = []
    for breaker in graph.breakers:
        fact = interactions[breaker.edge]
        pair = f"{facts.service(fact.source_id).name} → {facts.service(fact.target_id).name}"
        target, source = facts.service(fact.target_id).name, facts.service(fact.source_id).name
        outcome = (
            f"as a synchronous call it would close a cycle: {target} already waits on {source}."
            if breaker.closes_cycle
            else f"as a synchronous call it would make a {breaker.joined}-hop chain."
        )
        breakers.append(
            f"{pair} ({fact.name}) goes through a broker ({facts.pattern_title(fact.pattern)}): "
            + outcome
        )
    return ChainReport(
        longest=longest,
        estimate=tuple(figures),
        budget=budget,
        over_budget=over,
        cycles=cycles,
        hot_spots=hot_spots,
        breakers=Listed.of(breakers),
    )


# --- the report ------------------------------------------------------------------------


def system_report_context(system: System) -> dict:
    """Everything the system report prints, read in four queries (the system's facts)."""
    facts = system_facts(system)
    analysis = analyse_system(facts)
    queue = review_queue(facts)
    register = risk_register(facts)
    return {
        "team": system.team,
        "system": system,
        "today": timezone.localdate(),
        "map": printed_map(facts, analysis),
        "chains": chain_report(facts, analysis),
        "queue": queue,
        "register": register,
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
