"""How the system map marks things, in one place for the drawing, the page's legend and the
PDF's: each pattern's colour and arrowhead (Okabe-Ito colours, which colour-blind readers
tell apart), each state's line and marker, and the words for what an arrow shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from advisor.system_map.facts import AGAINST, PROPOSED, STALE, UNDECIDED, InteractionFact

if TYPE_CHECKING:
    from advisor.system_map.facts import SystemFacts


@dataclass(frozen=True)
class PatternStyle:
    colour: str
    arrowhead: str
    # Drawn at the caller's end of the arrow ("" for none).
    arrowtail: str
    shape: str  # how the legend names the arrow's ends


PATTERN_STYLES: dict[str, PatternStyle] = {
    "sync": PatternStyle("#0072B2", "normal", "", "solid arrowhead"),
    "async": PatternStyle("#009E73", "vee", "", "swept arrowhead"),
    "request_reply": PatternStyle("#E69F00", "normal", "dot", "dot at the caller"),
    "cqrs_lite": PatternStyle("#CC79A7", "diamond", "", "diamond head"),
}
UNKNOWN_STYLE = PatternStyle("#6E6E6E", "onormal", "", "hollow arrowhead")
CYCLE_COLOUR = "#D55E00"
# Undecided arrows are drawn at this opacity (hex alpha), paler than decided ones.
UNDECIDED_ALPHA = "99"
LINE_STYLES = {"accepted": "solid", PROPOSED: "dashed", UNDECIDED: "dotted"}
MARKERS = {AGAINST: "≠ advice", STALE: "stale"}
CYCLE_MARKER = "cycle"
EDGE_WIDTH, CHAIN_WIDTH = 1.4, 4.0
HIT_WIDTH = 12  # how wide an arrow answers a pointer, in drawing units
NODE_FILL, NODE_BORDER = "#F4F6F8", "#5A6270"
HOT_SPOT_FILL, HOT_SPOT_BORDER = "#FCEFC7", "#1F1F1F"


def pattern_style(pattern: str | None) -> PatternStyle:
    return PATTERN_STYLES.get(pattern or "", UNKNOWN_STYLE)


def line_style(fact: InteractionFact) -> str:
    """The decision's status (stale or against the advice or not): solid, dashed, dotted."""
    status = fact.decision.status if fact.decision is not None else UNDECIDED
    return LINE_STYLES.get(status, LINE_STYLES[PROPOSED])


def state_phrase(fact: InteractionFact) -> str:
    """Where the interaction's decision stands, in a few words: "accepted (ADR-0004)"."""
    decision = fact.decision
    if decision is None:
        return "no decision yet"
    phrase = f"{'accepted' if decision.status == 'accepted' else 'proposed'} ({decision.reference})"
    if AGAINST in fact.flags:
        phrase += ", against the advice"
    if STALE in fact.flags:
        phrase += ", its answers changed since"
    return phrase


def interaction_summary(facts: SystemFacts, fact: InteractionFact) -> str:
    """What an arrow's tooltip says about an interaction: "Checkout → Orders: Create the
    order — Synchronous request-response, accepted (ADR-0004)"."""
    source, target = facts.service(fact.source_id).name, facts.service(fact.target_id).name
    pattern = facts.pattern_title(fact.pattern)
    if fact.decision is None and fact.pattern:
        pattern += " (as it works today)"
    return f"{source} → {target}: {fact.name} — {pattern}, {state_phrase(fact)}"


def map_title(facts: SystemFacts) -> str:
    return f"Map of the system {facts.system.name}"


@dataclass(frozen=True)
class LegendEntry:
    """One sign of the map and what it means; the page draws a small sample of it."""

    title: str
    meaning: str
    kind: str = "arrow"  # "arrow", "marker" (text on an arrow), "box" or "hot_spot"
    colour: str = NODE_BORDER
    line: str = "solid"
    head: str = "normal"
    tail: str = ""
    width: float = EDGE_WIDTH
    pale: bool = False
    marker: str = ""
    fill: str = NODE_FILL  # a box's ground


def legend(facts: SystemFacts) -> list[tuple[str, list[LegendEntry]]]:
    """What each colour, arrowhead, line and marker of the map means, in three titled
    groups."""
    patterns = []
    for key in facts.framework.pattern_keys:
        style = pattern_style(key)
        patterns.append(
            LegendEntry(facts.pattern_title(key), style.shape.capitalize(), colour=style.colour,
                        head=style.arrowhead, tail=style.arrowtail)
        )  # fmt: skip
    patterns.append(
        LegendEntry("Not known yet", "Grey, hollow arrowhead: no decision, and nobody said how "
                    "it works today", colour=UNKNOWN_STYLE.colour, head=UNKNOWN_STYLE.arrowhead)
    )  # fmt: skip
    decisions = [
        LegendEntry("Accepted", "Solid line"),
        LegendEntry("Proposed", "Dashed line: the decision waits for acceptance",
                    line=LINE_STYLES[PROPOSED]),
        LegendEntry("No decision yet", "Dotted, paler line: drawn as it works today",
                    line=LINE_STYLES[UNDECIDED], pale=True),
        LegendEntry("Against the advice", "The decision chose another pattern than the one "
                    "recommended", kind="marker", marker=MARKERS[AGAINST]),
        LegendEntry("Stale", "The answers changed since the decision was accepted",
                    kind="marker", marker=MARKERS[STALE]),
    ]  # fmt: skip
    analysis = [
        LegendEntry("Longest synchronous chain", "Thick line: the calls a request waits on "
                    "one after the other", width=CHAIN_WIDTH),
        LegendEntry("Synchronous cycle", "Vermilion line marked “cycle”: services that wait "
                    "on each other in a ring", colour=CYCLE_COLOUR, kind="marker",
                    marker=CYCLE_MARKER),
        LegendEntry("Service", "A box; select it to open the service's page", kind="box",
                    colour=NODE_BORDER),
        LegendEntry("Hot spot", "Heavy border on pale yellow: many services call it "
                    "synchronously", kind="hot_spot", colour=HOT_SPOT_BORDER,
                    fill=HOT_SPOT_FILL),
    ]  # fmt: skip
    return [("Patterns: colour and arrowhead", patterns),
            ("Decisions: line and marker", decisions),
            ("Chains and services", analysis)]  # fmt: skip
