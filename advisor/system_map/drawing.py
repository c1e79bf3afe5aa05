"""A system's map drawn by Graphviz: services as boxes, interactions as arrows.

An arrow's colour and head give its pattern (the decided one, else how it works today),
its line how far the decision has come (solid accepted, dashed proposed, dotted and paler
undecided); a short text marker flags a decision against the advice or gone stale, so the
map reads in black and white too. The longest synchronous chain is thicker, synchronous
cycles vermilion, hot spots boxed heavily on pale yellow (the marks: `map_style`).

`dot` lays out up to `DOT_SERVICE_LIMIT` services left to right; larger systems, or any
`dot` cannot lay out within `LAYOUT_TIMEOUT_SECONDS`, get `sfdp`, which takes a fraction
of a second where `dot` takes minutes. Drawings are cached by a digest of their DOT source.
"""

from __future__ import annotations

import hashlib
import logging
import re
import subprocess
import textwrap
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import TYPE_CHECKING

import graphviz
from django.core.cache import caches

from advisor.system_map.facts import InteractionFact, object_url
from advisor.system_map.map_style import (
    CHAIN_WIDTH,
    CYCLE_COLOUR,
    CYCLE_MARKER,
    EDGE_WIDTH,
    HIT_WIDTH,
    HOT_SPOT_BORDER,
    HOT_SPOT_FILL,
    MARKERS,
    NODE_BORDER,
    NODE_FILL,
    UNDECIDED_ALPHA,
    interaction_summary,
    line_style,
    map_title,
    pattern_style,
)

if TYPE_CHECKING:
    from advisor.system_map.analysis import SystemAnalysis
    from advisor.system_map.facts import SystemFacts

logger = logging.getLogger(__name__)

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"

DOT_SERVICE_LIMIT = 80
LAYOUT_TIMEOUT_SECONDS = 20
# A map that could not be drawn is not retried on every page view for this long.
FAILURE_SECONDS = 300
MAP_ID = "system-map"
FONT = "Helvetica,Arial,sans-serif"


# --- DOT -------------------------------------------------------------------------------


_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def _text(value: str, *, rounds: int = 1) -> str:
    """Text as Graphviz shows it literally: no escape sequences (\\N, \\l…), no entities,
    no HTML label, no line breaks of its own. Graphviz reads a tooltip's escapes twice
    (`rounds=2`), a label's once."""
    value = _CONTROL.sub(" ", value)
    return value.replace("\\", "\\" * 2**rounds).replace("&", "&amp;")


def _label(name: str, width: int = 20, lines: int = 4) -> graphviz.quoting.NoHtml:
    wrapped = textwrap.wrap(_CONTROL.sub(" ", name), width, break_on_hyphens=True) or [" "]
    if len(wrapped) > lines:
        wrapped = [*wrapped[: lines - 1], textwrap.shorten(" ".join(wrapped[lines - 1 :]),
                                                           width, placeholder="…")]  # fmt: skip
    return graphviz.nohtml("\\n".join(_text(line) for line in wrapped))


def _plain(value: str) -> graphviz.quoting.NoHtml:
    return graphviz.nohtml(_text(value))


def _tooltip(value: str) -> graphviz.quoting.NoHtml:
    return graphviz.nohtml(_text(value, rounds=2))


@dataclass(frozen=True)
class Highlights:
    """What the chain analysis singles out, by id."""

    chain_edges: frozenset[int] = frozenset()
    cycle_edges: frozenset[int] = frozenset()
    hot_spots: frozenset[int] = frozenset()

    @classmethod
    def of(cls, analysis: SystemAnalysis | None) -> Highlights:
        if analysis is None:
            return cls()
        graph = analysis.graph
        chain = graph.longest_chain
        cycle_edges: set[int] = set()
        for cycle in graph.cycles:
            cycle_edges.update(cycle.edges)
            cycle_edges.update(cycle.component_edges)
        return cls(
            chain_edges=frozenset(chain.edges if chain is not None else ()),
            cycle_edges=frozenset(cycle_edges),
            hot_spots=frozenset(spot.node for spot in graph.hot_spots),
        )


def _service_tooltip(name: str, description: str, hot_spot: bool) -> str:
    parts = [name]
    if hot_spot:
        parts.append("a hot spot: many services depend on it synchronously")
    if description:
        parts.append(textwrap.shorten(description, 200, placeholder="…"))
    return " — ".join(parts)


def _edge_attributes(facts: SystemFacts, fact: InteractionFact, marks: Highlights) -> dict:
    style = pattern_style(fact.pattern)
    colour = style.colour
    markers = [MARKERS[flag] for flag in fact.flags if flag in MARKERS]
    if fact.id in marks.cycle_edges:
        colour = CYCLE_COLOUR
        markers.insert(0, CYCLE_MARKER)
    if fact.decision is None:
        colour += UNDECIDED_ALPHA
    summary = _tooltip(interaction_summary(facts, fact))
    attributes = {
        "id": f"map-interaction-{fact.id}",
        "URL": fact.url,
        "tooltip": summary,
        "labeltooltip": summary,
        "color": colour,
        "style": line_style(fact),
        "arrowhead": style.arrowhead,
        "penwidth": str(CHAIN_WIDTH if fact.id in marks.chain_edges else EDGE_WIDTH),
    }
    if style.arrowtail:
        attributes.update(dir="both", arrowtail=style.arrowtail)
    if markers:
        attributes.update(label=_plain(" · ".join(markers)), fontcolor="#333333", fontsize="10")
    return attributes


def _uses_sfdp(facts: SystemFacts) -> bool:
    return len(facts.services) > DOT_SERVICE_LIMIT


def map_dot(facts: SystemFacts, analysis: SystemAnalysis | None, *, sfdp: bool = False) -> str:
    """The map's DOT source: `dot` left to right, or `sfdp` for large systems (or when
    asked, after `dot` gave up)."""
    marks = Highlights.of(analysis)
    graph = graphviz.Digraph(name="system", strict=False)
    graph.attr(id="system-map-graph", bgcolor="transparent", fontname=FONT, pad="0.15")
    if sfdp or _uses_sfdp(facts):
        graph.attr(layout="sfdp", overlap="prism", splines="false", K="1.2")
    else:
        graph.attr(layout="dot", rankdir="LR", nodesep="0.35", ranksep="0.7")
    graph.attr("node", shape="box", style="rounded,filled", fillcolor=NODE_FILL,
               color=NODE_BORDER, fontname=FONT, fontsize="12", margin="0.14,0.06",
               penwidth="1")  # fmt: skip
    graph.attr("edge", fontname=FONT, arrowsize="0.8")
    for service in facts.services:
        hot = service.id in marks.hot_spots
        extra = {"fillcolor": HOT_SPOT_FILL, "color": HOT_SPOT_BORDER, "penwidth": "3"}
        graph.node(
            f"s{service.id}",
            label=_label(service.name),
            id=f"map-service-{service.id}",
            URL=object_url("service_detail", service.id),
            tooltip=_tooltip(_service_tooltip(service.name, service.description, hot)),
            **(extra if hot else {}),
        )
    for fact in facts.interactions:
        graph.edge(f"s{fact.source_id}", f"s{fact.target_id}",
                   **_edge_attributes(facts, fact, marks))  # fmt: skip
    return graph.source


# --- layout ----------------------------------------------------------------------------


class LayoutFailed(Exception):
    """Graphviz could not lay the map out (it failed, or ran out of time)."""


def _run_graphviz(source: str) -> str:
    """The SVG Graphviz draws from `source` (its layout engine is named in the source)."""
    try:
        done = subprocess.run(
            ["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=True,
            timeout=LAYOUT_TIMEOUT_SECONDS,
        )  # fmt: skip
    except subprocess.TimeoutExpired as error:
        raise LayoutFailed(f"no layout within {LAYOUT_TIMEOUT_SECONDS} s") from error
    except (OSError, subprocess.CalledProcessError) as error:
        raise LayoutFailed(str(error)) from error
    return done.stdout.decode("utf-8")


def _layout(facts: SystemFacts, analysis: SystemAnalysis | None, source: str) -> str:
    """Graphviz's SVG of the map: `source` as it is, else (when `dot` failed or ran out
    of time) laid out by `sfdp`; "" when neither could draw it."""
    attempts = [source]
    if not _uses_sfdp(facts):
        attempts.append(map_dot(facts, analysis, sfdp=True))
    for attempt in attempts:
        try:
            return _run_graphviz(attempt)
        except LayoutFailed as error:
            logger.warning("System %s: map layout failed: %s", facts.system.pk, error)
    return ""


def _drawing(facts: SystemFacts, analysis: SystemAnalysis | None) -> str:
    """The map's SVG at its natural size, ready to use, kept in the "maps" cache under a
    digest of its DOT source (and title); "" when it could not be drawn."""
    source, title = map_dot(facts, analysis), map_title(facts)
    cache = caches["maps"]
    key = "system-map:" + hashlib.sha256(f"{source}\n{title}".encode()).hexdigest()
    drawn = cache.get(key)
    if drawn is None:
        raw = _layout(facts, analysis, source)
        drawn = ET.tostring(_clean(raw, title), encoding="unicode") if raw else ""
        cache.set(key, drawn, None if drawn else FAILURE_SECONDS)
    return drawn


# --- SVG for pages and files -----------------------------------------------------------


def _local(root: ET.Element) -> None:
    """Plain SVG names, as a page or a file writes them: `<g>`, `xlink:href`. Anything
    outside SVG and XLink is left out."""
    for parent in root.iter():
        for child in list(parent):
            namespace, _, name = child.tag.rpartition("}")
            if namespace.lstrip("{") != SVG_NS:
                parent.remove(child)
                continue
            child.tag = name
        for key in list(parent.attrib):
            namespace, _, name = key.rpartition("}")
            if namespace:
                value = parent.attrib.pop(key)
                if namespace.lstrip("{") == XLINK_NS:
                    parent.set(f"xlink:{name}", value)
    root.tag = "svg"
    root.set("xmlns", SVG_NS)
    root.set("xmlns:xlink", XLINK_NS)


def _widen(link: ET.Element) -> None:
    """An invisible wide stroke along an arrow's line, so a pointer or a finger that lands
    beside the thin line still follows its link."""
    line = link.find("path")
    if line is not None:
        link.insert(0, ET.Element("path", {
            "d": line.get("d", ""), "fill": "none", "stroke": "#000000",
            "stroke-opacity": "0", "stroke-width": str(HIT_WIDTH), "class": "hit-area",
        }))  # fmt: skip


def _clean(raw: str, title: str) -> ET.Element:
    """Graphviz's SVG, parsed (so it is well-formed) without its prolog and comments, with
    each shape's title saying what it is rather than Graphviz's node name, and nothing a
    Content-Security-Policy would refuse (style attributes, scripts)."""
    root = ET.fromstring(raw.encode("utf-8"))
    _local(root)
    for parent in root.iter():
        for child in list(parent):
            if child.tag in {"script", "style", "foreignObject"}:
                parent.remove(child)
        for name in [name for name in parent.attrib if name == "style" or name.startswith("on")]:
            del parent.attrib[name]
        heading = parent.find("title")
        if parent.tag != "g" or heading is None:
            continue
        link = parent.find(".//a")
        if parent.get("class") == "graph":
            heading.text = title
        elif link is not None:
            heading.text = link.get("xlink:title", heading.text)
            if parent.get("class") == "edge":
                _widen(link)
    root.set("id", MAP_ID)
    root.set("role", "img")
    root.set("aria-label", title)
    root.set("class", "system-map-drawing")
    heading = ET.Element("title")
    heading.text = title
    root.insert(0, heading)
    return root


# The drawing's own height, in its opening tag (ElementTree escapes every quote inside
# attribute values, so `height="` there is the attribute itself).
_HEIGHT = re.compile(r'^(<svg\b[^>]*?)\sheight="[^"]*"')


def map_svg(facts: SystemFacts, analysis: SystemAnalysis | None) -> str:
    """The system's map as an SVG element to put inside a page (or a PDF), linked to the
    services' and interactions' pages; "" when it could not be drawn. It shrinks to the
    width it is given and keeps its proportions (no fixed height)."""
    drawn = _drawing(facts, analysis)
    return _HEIGHT.sub(r"\1", drawn, count=1)


def map_svg_document(facts: SystemFacts, analysis: SystemAnalysis | None) -> str:
    """The map as a standalone SVG file, at its natural size; "" when it could not be
    drawn."""
    drawn = _drawing(facts, analysis)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{drawn}\n' if drawn else ""
