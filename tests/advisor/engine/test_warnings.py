"""Each warning code: the case that raises it, and the nearest case that does not."""

from __future__ import annotations

import pytest

from tests.advisor.engine.helpers import run, warning_codes

ALL_CAPS = [
    "timeouts_retries", "circuit_breakers", "tracing", "queue_depth_alerts", "dlq_replay",
    "schema_registry", "idempotency_keys", "outbox", "status_endpoint",
]  # fmt: skip


def caps_without(*missing: str) -> list[str]:
    return [cap for cap in ALL_CAPS if cap not in missing]


CASES = [
    # code, pattern, raising answers, near answers
    ("sync_batch", "sync", {"operation": "batch"}, {"operation": "command"}),
    (
        "async_no_feedback", "async",
        {"user_waiting": "ack_ok", "capabilities": caps_without("status_endpoint")},
        {"user_waiting": "ack_ok", "capabilities": ALL_CAPS},
    ),
    (
        "async_no_feedback", "request_reply",
        {"user_waiting": "yes", "capabilities": []},
        {"user_waiting": "no", "capabilities": []},
    ),
    ("consumer_not_idempotent", "async", {"idempotency": "hard"}, {"idempotency": "natural"}),
    (
        "consumer_not_idempotent", "cqrs_lite",
        {"idempotency": "with_keys", "capabilities": []},
        {"idempotency": "with_keys", "capabilities": ["idempotency_keys"]},
    ),
    (
        "sync_no_timeouts", "sync",
        {"capabilities": ["timeouts_retries"]},
        {"capabilities": ["timeouts_retries", "circuit_breakers"]},
    ),
    (
        "sync_no_timeouts", "request_reply",
        {"capabilities": ["circuit_breakers"]},
        {"capabilities": ["timeouts_retries", "circuit_breakers"]},
    ),
    ("queue_no_dlq", "async", {"capabilities": []}, {"capabilities": ["dlq_replay"]}),
    (
        "schema_unversioned", "async",
        {"consumers": "several", "capabilities": []},
        {"consumers": "several", "capabilities": ["schema_registry"]},
    ),
    ("schema_unversioned", "cqrs_lite", {"consumers": "several"}, {"consumers": "one"}),
    ("deep_sync_chain", "sync", {"chain_depth": 4}, {"chain_depth": 3}),
    (
        "unbounded_backlog", "async",
        {"load": "spiky", "capabilities": []},
        {"load": "spiky", "capabilities": ["queue_depth_alerts"]},
    ),
    ("unbounded_backlog", "request_reply", {"load": "sustained_over"}, {"load": "within_capacity"}),
    ("dual_write", "async", {"operation": "event"}, {"operation": "query"}),
    (
        "dual_write", "cqrs_lite",
        {"operation": "command", "capabilities": []},
        {"operation": "command", "capabilities": ["outbox"]},
    ),
    ("ordering_unplanned", "async", {"ordering": "per_key"}, {"ordering": "none"}),
    ("ordering_unplanned", "request_reply", {"ordering": "strict"}, {}),
    ("sustained_overload", "sync", {"load": "sustained_over"}, {"load": "spiky"}),
    (
        "latency_budget_exceeded", "sync",
        {"chain_depth": 3, "latency_budget_ms": 300},
        {"chain_depth": 3, "latency_budget_ms": 2000},
    ),
    (
        "latency_budget_exceeded", "request_reply",
        {"chain_depth": 2, "per_hop_p50_ms": 100, "latency_budget_ms": 400},
        {"chain_depth": 2, "per_hop_p50_ms": 100},
    ),
    (
        "broker_inexperience", "cqrs_lite",
        {"broker_experience": "none"}, {"broker_experience": "some"},
    ),
]  # fmt: skip


@pytest.mark.parametrize(
    ("code", "pattern", "raising", "near"), CASES, ids=[f"{c[0]}-{c[1]}" for c in CASES]
)
def test_the_warning_is_raised_only_when_its_condition_holds(code, pattern, raising, near):
    assert code in warning_codes(raising, pattern)
    assert code not in warning_codes(near, pattern)


@pytest.mark.parametrize(
    ("code", "other"),
    [("sync_batch", "async"), ("queue_no_dlq", "sync"), ("deep_sync_chain", "request_reply")],
)
def test_a_warning_belongs_to_its_patterns_only(code, other):
    answers = {"operation": "batch", "chain_depth": 6, "capabilities": []}
    assert code not in warning_codes(answers, other)


def test_warnings_come_from_the_recommended_pattern_unless_another_is_asked_for():
    answers = {"operation": "batch", "duration": "longer", "capabilities": []}
    recommended = run(answers)
    assert recommended.recommendation == "async"
    assert "queue_no_dlq" in {w.code for w in recommended.warnings}
    chosen = run(answers, pattern="sync")
    assert "sync_batch" in {w.code for w in chosen.warnings}
    assert chosen.recommendation == "async"


def test_the_deep_chain_warning_describes_the_tail():
    message = next(
        w.message for w in run({"chain_depth": 5}, pattern="sync").warnings
        if w.code == "deep_sync_chain"
    )  # fmt: skip
    assert message.startswith("5 synchronous hops in a row: 4.9% of requests")
    assert "end-to-end p99 comes to about" in message
    assert "{" not in message


def test_warnings_are_ordered_high_before_medium():
    answers = {"consumers": "several", "operation": "event", "capabilities": []}
    severities = [w.severity for w in run(answers, pattern="async").warnings]
    assert severities == sorted(severities, key=["high", "medium", "low"].index)
    assert "medium" in severities and "high" in severities
