"""Each pattern's practices: in place when the team runs them, missing otherwise."""

from __future__ import annotations

import pytest

from tests.advisor.engine.helpers import practice, run

EXPECTED_CODES = {
    "sync": ["timeouts_retries", "circuit_breakers", "tracing", "latency_budget"],
    "async": [
        "idempotency_keys", "dlq_replay", "queue_depth_alerts", "outbox", "schema_registry",
        "status_endpoint", "edge_backpressure",
    ],
    "request_reply": [
        "timeouts_retries", "queue_depth_alerts", "dlq_replay", "idempotency_keys",
        "correlation_ids", "edge_backpressure",
    ],
    "cqrs_lite": ["outbox", "idempotency_keys", "dlq_replay", "read_model_lag", "read_your_writes"],
}  # fmt: skip

EVERYTHING = {"chain_depth": 3, "consumers": "several", "user_waiting": "ack_ok"}


@pytest.mark.parametrize("pattern", EXPECTED_CODES)
def test_each_pattern_lists_its_practices(pattern):
    codes = [p.code for p in run(EVERYTHING, pattern=pattern).practices]
    assert codes == EXPECTED_CODES[pattern]


CAPABILITY_PRACTICES = [
    (pattern, code)
    for pattern, codes in EXPECTED_CODES.items()
    for code in codes
    if code not in {"latency_budget", "edge_backpressure", "correlation_ids",
                    "read_model_lag", "read_your_writes"}
]  # fmt: skip


@pytest.mark.parametrize(("pattern", "code"), CAPABILITY_PRACTICES)
def test_a_practice_is_in_place_exactly_when_the_team_runs_it(pattern, code):
    assert practice({**EVERYTHING, "capabilities": [code]}, pattern, code).status == "in_place"
    assert practice({**EVERYTHING, "capabilities": []}, pattern, code).status == "missing"


@pytest.mark.parametrize(
    ("pattern", "code"),
    [("sync", "latency_budget"), ("async", "edge_backpressure"),
     ("request_reply", "correlation_ids"), ("cqrs_lite", "read_model_lag"),
     ("cqrs_lite", "read_your_writes")],
)  # fmt: skip
def test_practices_without_a_capability_are_missing_until_recorded_done(pattern, code):
    assert practice(EVERYTHING, pattern, code).status == "missing"
    assert practice(EVERYTHING, pattern, code, done_practices=[code]).status == "in_place"


def test_a_latency_budget_is_asked_for_from_three_hops():
    assert practice({"chain_depth": 2}, "sync", "latency_budget") is None
    assert practice({"chain_depth": 3}, "sync", "latency_budget").severity == "medium"
    assert practice({"chain_depth": 4}, "sync", "latency_budget").severity == "high"


def test_a_schema_registry_is_asked_for_only_with_several_consumers():
    assert practice({"consumers": "one"}, "async", "schema_registry") is None
    assert practice({"consumers": "several"}, "async", "schema_registry") is not None


def test_a_status_endpoint_is_asked_for_only_when_a_user_waits():
    assert practice({"user_waiting": "no"}, "async", "status_endpoint") is None
    assert practice({"user_waiting": "ack_ok"}, "async", "status_endpoint").severity == "high"


def test_backpressure_matters_more_under_bursts():
    assert practice({"load": "within_capacity"}, "async", "edge_backpressure").severity == "medium"
    assert practice({"load": "spiky"}, "async", "edge_backpressure").severity == "high"
