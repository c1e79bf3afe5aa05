"""The estimates of an answer set, and the figures warning and practice texts may quote.

`estimates` runs the estimators on the answers the framework names for them; `derived` adds
their figures to the answers, for conditions (`estimated_p99_ms`, `estimated_drain_seconds`,
`estimated_net_drain_per_s`); `figures` formats everything a message may name.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from advisor.engine.estimators import Backlog, TailLatency, estimate_backlog, estimate_tail_latency
from advisor.engine.framework import Framework


def estimates(
    framework: Framework, answers: Mapping[str, Any]
) -> tuple[TailLatency | None, Backlog | None]:
    tail = None
    settings = framework.tail_latency
    if settings is not None and answers.get(settings.hops) is not None:
        ratio = settings.default_p99_ratio
        p50 = answers.get(settings.p50_ms) if settings.p50_ms else None
        p99 = answers.get(settings.p99_ms) if settings.p99_ms else None
        if p50 is None:
            p50 = p99 / ratio if p99 is not None else settings.default_p50_ms
        if p99 is None:
            p99 = p50 * ratio
        tail = estimate_tail_latency(int(answers[settings.hops]), p50, p99)
    backlog = None
    queue = framework.backlog
    if (
        queue is not None
        and answers.get(queue.messages) is not None
        and answers.get(queue.processing_rate) is not None
    ):
        backlog = estimate_backlog(
            answers[queue.messages],
            answers[queue.processing_rate],
            (answers.get(queue.arrival_rate) if queue.arrival_rate else None) or 0.0,
        )
    return tail, backlog


def derived(answers: Mapping[str, Any], tail: TailLatency | None, backlog: Backlog | None):
    """The answers plus the figures warning and practice conditions may compare against."""
    derived = dict(answers)
    if tail is not None:
        derived["estimated_p99_ms"] = tail.p99_ms
    if backlog is not None:
        # A backlog that never drains takes forever: conditions on the drain time see that.
        derived["estimated_drain_seconds"] = (
            backlog.drain_seconds if backlog.drain_seconds is not None else float("inf")
        )
        derived["estimated_net_drain_per_s"] = backlog.net_rate_per_s
    return derived


def figures(answers: Mapping[str, Any], tail: TailLatency | None, backlog: Backlog | None):
    shown: dict[str, Any] = {
        key: f"{value:,.6g}"
        if isinstance(value, float)
        else f"{value:,}"
        if isinstance(value, int)
        else value
        for key, value in answers.items()
        if value is not None
    }
    if tail is not None:
        shown.update(
            hops=tail.hops,
            tail_p50_ms=f"{tail.p50_ms:,.0f}",
            tail_p99_ms=f"{tail.p99_ms:,.0f}",
            p_hit_any_pct=f"{tail.p_hit_any_p99 * 100:.1f}",
        )
    if backlog is not None and backlog.drain_seconds is not None:
        shown["drain_hours"] = f"{backlog.drain_seconds / 3600:,.1f}"
    if backlog is not None and backlog.net_rate_per_s < 0:
        shown["backlog_growth_per_hour"] = f"{-backlog.net_rate_per_s * 3600:,.0f}"
    return shown
