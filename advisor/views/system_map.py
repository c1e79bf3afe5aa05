"""A system seen whole: its map with the chain analysis, the map as a file, and the page of
one service with who calls it and whom it calls."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from advisor import access, services
from advisor.system_map.analysis import SystemAnalysis, analyse_system
from advisor.system_map.drawing import DOT_SERVICE_LIMIT, map_svg, map_svg_document
from advisor.system_map.facts import (
    STATE_TITLES,
    InteractionFact,
    SystemFacts,
    object_url,
    system_facts,
)
from advisor.system_map.map_style import interaction_summary, legend, pattern_style
from advisor.views.common import count, get_service_for_user, get_system_for_user

# The chain analysis shows this many cycles, hot spots or breakers before "n more".
LISTED = 8


@dataclass(frozen=True)
class Stop:
    """A service on a chain or a ring, as a link."""

    id: int
    name: str
    url: str


@dataclass(frozen=True)
class Row:
    """One interaction as the pages list it."""

    fact: InteractionFact
    source: Stop
    target: Stop
    pattern: str
    state: str
    summary: str
    colour: str


def _stop(facts: SystemFacts, service_id: int) -> Stop:
    url = object_url("service_detail", service_id)
    return Stop(service_id, facts.service(service_id).name, url)


def _row(facts: SystemFacts, fact: InteractionFact) -> Row:
    return Row(
        fact=fact, source=_stop(facts, fact.source_id), target=_stop(facts, fact.target_id),
        pattern=facts.pattern_title(fact.pattern), state=STATE_TITLES[fact.state],
        summary=interaction_summary(facts, fact), colour=pattern_style(fact.pattern).colour,
    )  # fmt: skip


def duration(milliseconds: float) -> str:
    """“320 ms”, “1.4 s”: a latency as people say it."""
    if milliseconds >= 1000:
        return f"{milliseconds / 1000:.1f} s"
    return f"{milliseconds:.0f} ms"


def _longest_chain(facts: SystemFacts, analysis: SystemAnalysis) -> dict | None:
    chain = analysis.graph.longest_chain
    if chain is None:
        return None
    found = {"stops": [_stop(facts, node) for node in chain.nodes], "hops": chain.hops,
             "hops_text": count(chain.hops, "hop"), "through_cycle": chain.through_cycle,
             "estimate": None}  # fmt: skip
    estimate = analysis.longest
    if estimate is not None:
        tail = estimate.tail
        found["estimate"] = {
            "p50": duration(tail.p50_ms), "p99": duration(tail.p99_ms),
            "hit_share": f"{tail.p_hit_any_p99:.0%}",
            "per_hop_p50": duration(estimate.per_hop_p50_ms),
            "per_hop_p99": duration(estimate.per_hop_p99_ms),
            "assumed": estimate.assumed_latency,
            "budget": duration(estimate.budget_ms) if estimate.budget_ms else "",
            "budget_state": {True: "over", False: "within", None: "none"}[estimate.over_budget],
        }  # fmt: skip
    return found


def _cycles(facts: SystemFacts, analysis: SystemAnalysis) -> list[list[Stop]]:
    """Each ring of services in call order, back to where it starts."""
    return [
        [_stop(facts, node) for node in (*cycle.nodes, cycle.nodes[0])]
        for cycle in analysis.graph.cycles
    ]


def _hot_spots(facts: SystemFacts, analysis: SystemAnalysis) -> list[dict]:
    spots = []
    for spot in analysis.graph.hot_spots:
        callers, dependents = len(spot.callers), spot.dependents
        spots.append({
            "service": _stop(facts, spot.node),
            "callers": f"{count(callers, 'service')} {'calls' if callers == 1 else 'call'} "
                       "it synchronously",
            "dependents": f"{dependents} {'depends' if dependents == 1 else 'depend'} on it",
        })  # fmt: skip
    return spots


def _breakers(facts: SystemFacts, analysis: SystemAnalysis) -> list[dict]:
    by_id = {fact.id: fact for fact in facts.interactions}
    return [
        {
            "row": _row(facts, by_id[breaker.edge]),
            "joined": count(breaker.joined, "hop"),
            "closes_cycle": breaker.closes_cycle,
        }
        for breaker in analysis.graph.breakers
    ]


def _listed(items: list) -> dict[str, list]:
    """The first few of a list shown at once, the rest behind a disclosure."""
    return {"first": items[:LISTED], "rest": items[LISTED:]}


def _map_context(system, facts: SystemFacts, analysis: SystemAnalysis) -> dict:
    drawable = bool(facts.services)
    return {
        "team": system.team,
        "system": system,
        "tab": "map",
        "facts": facts,
        "svg": map_svg(facts, analysis) if drawable else "",
        "drawable": drawable,
        # Shrunk to the page's width, a large map is unreadable: it keeps its size and
        # scrolls inside its frame.
        "large_map": len(facts.services) > DOT_SERVICE_LIMIT,
        "legend_groups": legend(facts),
        "rows": [_row(facts, fact) for fact in facts.interactions],
        "chain": _longest_chain(facts, analysis),
        "cycles": _listed(_cycles(facts, analysis)),
        "hot_spots": _listed(_hot_spots(facts, analysis)),
        "breakers": _listed(_breakers(facts, analysis)),
    }


@never_cache
@require_GET
@login_required
def system_map(request: HttpRequest, pk: int) -> HttpResponse:
    system = get_system_for_user(request, pk, access.READ)
    services.current_team_remember(session=request.session, team=system.team)
    facts = system_facts(system)
    context = _map_context(system, facts, analyse_system(facts))
    return render(request, "advisor/system_map.html", context)


@never_cache
@require_GET
@login_required
def system_map_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The map on its own, to open in a tab and zoom; 404 when there is nothing to draw,
    503 when Graphviz could not draw it."""
    system = get_system_for_user(request, pk, access.READ)
    facts = system_facts(system)
    if not facts.services:
        return HttpResponse("This system has no services yet, so it has no map.",
                            status=404, content_type="text/plain; charset=utf-8")  # fmt: skip
    document = map_svg_document(facts, analyse_system(facts))
    if not document:
        return HttpResponse("The map could not be drawn. Try again in a few minutes.",
                            status=503, content_type="text/plain; charset=utf-8")  # fmt: skip
    # Shown in the browser (no attachment), so a tab can zoom it; the site's
    # Content-Security-Policy applies to it as to any page.
    return HttpResponse(document, content_type="image/svg+xml; charset=utf-8")


def _service_standing(service_id: int, facts: SystemFacts, analysis: SystemAnalysis) -> dict:
    """Where the service stands in the chain analysis."""
    graph = analysis.graph
    spot = next((spot for spot in graph.hot_spots if spot.node == service_id), None)
    chain = graph.longest_chain
    ends = {fact.id: (fact.source_id, fact.target_id) for fact in facts.interactions}
    rings = [
        [_stop(facts, node) for node in (*cycle.nodes, cycle.nodes[0])]
        for cycle in graph.cycles
        if any(service_id in ends[edge] for edge in cycle.component_edges)
    ]
    return {
        "hot_spot": _hot_spots(facts, analysis)[graph.hot_spots.index(spot)] if spot else None,
        "on_chain": chain is not None and service_id in chain.nodes,
        "chain": _longest_chain(facts, analysis) if chain and service_id in chain.nodes else None,
        "cycles": rings,
    }


@never_cache
@require_GET
@login_required
def service_detail(request: HttpRequest, pk: int) -> HttpResponse:
    service = get_service_for_user(request, pk, access.READ)
    system = service.system
    facts = system_facts(system)
    analysis = analyse_system(facts)
    context = {
        "team": system.team,
        "system": system,
        "service": service,
        "can_write": access.can(service.viewer_role, access.WRITE),
        "callers": [_row(facts, f) for f in facts.interactions if f.target_id == service.pk],
        "callees": [_row(facts, f) for f in facts.interactions if f.source_id == service.pk],
        **_service_standing(service.pk, facts, analysis),
    }
    return render(request, "advisor/service_detail.html", context)
