"""Answer sets are checked against the framework before scoring."""

from __future__ import annotations

import pytest

from advisor.engine import AnswerError, parse_answers
from tests.advisor.engine.helpers import default_framework


def parse(raw):
    return parse_answers(default_framework(), raw)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"latency": "critical"}, "latency: unknown question"),
        (
            {"consistency": "strong"},
            "consistency: unknown choice 'strong' (expected one of immediate, "
            "read_your_writes, eventual)",
        ),
        ({"consistency": 3}, "consistency: expected one of immediate, read_your_writes, eventual"),
        ({"capabilities": "tracing"}, "capabilities: expected a list of choice keys"),
        ({"capabilities": ["tracing", "magic"]}, "capabilities: unknown choice 'magic' (expected "
         "some of timeouts_retries, circuit_breakers, tracing, queue_depth_alerts, dlq_replay, "
         "schema_registry, idempotency_keys, outbox, status_endpoint)"),
        ({"chain_depth": 0}, "chain_depth: expected a number from 1 to 50"),
        ({"chain_depth": 2.5}, "chain_depth: expected a whole number"),
        ({"chain_depth": True}, "chain_depth: expected a whole number"),
        ({"per_hop_p50_ms": "fast"}, "per_hop_p50_ms: expected a number"),
        ({"backlog_messages": -1}, "backlog_messages: expected a number from 0 to 1e+12"),
        (["consistency"], "answers: expected an object of question keys to answers"),
        ({"per_hop_p50_ms": 100, "per_hop_p99_ms": 20},
         "per_hop_p99_ms: expected at least 100, the typical latency per hop (p50)"),
    ],
)  # fmt: skip
def test_bad_answers_are_named(raw, message):
    with pytest.raises(AnswerError) as raised:
        parse(raw)
    assert str(raised.value) == message


def test_null_means_unanswered():
    assert dict(parse({"consistency": None, "operation": "query"})) == {"operation": "query"}


def test_capabilities_are_kept_once_in_framework_order():
    parsed = parse({"capabilities": ["outbox", "tracing", "outbox"]})
    assert parsed["capabilities"] == ("tracing", "outbox")


def test_parsed_answers_cannot_be_changed():
    with pytest.raises(TypeError):
        parse({"operation": "query"})["operation"] = "event"
