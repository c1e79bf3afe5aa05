"""Loading the framework file: it validates, and a broken file names the broken path."""

from __future__ import annotations

import json

import pytest

from advisor.engine import FrameworkError, load_framework, parse_framework
from tests.advisor.engine.helpers import default_source, run, with_weight


def test_the_default_framework_has_every_key_of_the_contract():
    framework = load_framework("default")
    assert framework.name == "default" and framework.version == 3
    assert framework.pattern_keys == ("sync", "async", "request_reply", "cqrs_lite")
    assert [q.key for q in framework.questions] == [
        "dominant_constraint", "operation", "caller_kind", "caller_needs_result", "user_waiting",
        "duration", "chain_depth", "consistency", "idempotency", "ordering", "replay",
        "read_write_split", "latency_sensitivity", "receiver_availability", "load", "drop_policy",
        "temporal_decoupling", "consumers", "broker_experience", "capabilities",
    ]  # fmt: skip
    assert [i.key for i in framework.inputs] == [
        "per_hop_p50_ms", "per_hop_p99_ms", "latency_budget_ms",
        "arrival_rate_per_s", "processing_rate_per_s", "backlog_messages",
    ]  # fmt: skip
    assert framework.question("capabilities").choice_keys == (
        "timeouts_retries", "circuit_breakers", "tracing", "queue_depth_alerts", "dlq_replay",
        "schema_registry", "idempotency_keys", "outbox", "status_endpoint",
    )  # fmt: skip


def test_every_question_and_choice_explains_itself():
    for question in load_framework().questions:
        assert question.help and question.example, question.key
        for choice in question.choices:
            assert choice.label and choice.help, f"{question.key}.{choice.key}"


@pytest.mark.parametrize(
    ("break_it", "message"),
    [
        (
            lambda s: s["questions"][3]["choices"][1]["points"].__setitem__("sync", "lots"),
            "questions[3].choices[1].points.sync: expected a number",
        ),
        (
            lambda s: s["questions"][0]["choices"][0]["points"].__setitem__("grpc", 1),
            "questions[0].choices[0].points.grpc: unknown pattern 'grpc'",
        ),
        (
            lambda s: s["viability"][0].__setitem__("when", "consistency == instant"),
            "viability[0].when: 'instant' is not a choice of 'consistency' in condition "
            "'consistency == instant'",
        ),
        (
            lambda s: s["warnings"][2].__setitem__("when", "idempotency == hard and"),
            "warnings[2].when: unexpected end in condition 'idempotency == hard and'",
        ),
        (
            lambda s: s["warnings"][0].__setitem__("severity", "severe"),
            "warnings[0].severity: expected one of high, medium, low",
        ),
        (
            lambda s: s["practices"]["sync"][0].__setitem__("capability", "magic"),
            "practices.sync[0].capability: unknown capability 'magic'",
        ),
        (
            lambda s: s["questions"][6]["bands"][1].__setitem__("min", 4),
            "questions[6].bands: bands must cover 1..50 without gaps or overlaps",
        ),
        (
            lambda s: s["questions"][2].__setitem__("weight", -1),
            "questions[2].weight: expected a weight of zero or more",
        ),
        (
            lambda s: s["questions"][1]["choices"].append(dict(s["questions"][1]["choices"][0])),
            "questions[1].choices[4].key: duplicate choice key 'query'",
        ),
        (lambda s: s.pop("patterns"), "patterns: expected a list"),
        (
            lambda s: s["warnings"][0].__setitem__("message", "Tail of {__class__} ms"),
            "warnings[0].message: unknown placeholder {__class__} in the message",
        ),
        (
            lambda s: s["practices"]["async"][0].__setitem__("message", "Broken {brace"),
            "practices.async[0].message: cannot read the message template "
            "(expected '}' before end of string)",
        ),
        (
            lambda s: s["warnings"][1].__setitem__("when", "chain_depth > consistency"),
            "warnings[1].when: cannot compare the number 'chain_depth' with 'consistency' in "
            "condition 'chain_depth > consistency'",
        ),
    ],
)
def test_a_broken_framework_names_the_path_of_the_problem(break_it, message):
    source = default_source()
    break_it(source)
    with pytest.raises(FrameworkError) as raised:
        parse_framework(source)
    assert str(raised.value) == message


def test_an_unknown_framework_name_lists_the_available_ones():
    with pytest.raises(FrameworkError, match=r"no framework 'tuned' \(available: default\)"):
        load_framework("tuned")


def test_a_framework_file_that_is_not_json_is_reported(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"name": ')
    with pytest.raises(FrameworkError, match=r"broken.json is not valid JSON \(line 1"):
        load_framework(path)


def test_changing_a_weight_in_the_data_changes_the_recommendation():
    answers = json.loads(json.dumps({
        "operation": "query", "user_waiting": "yes", "caller_needs_result": "yes",
        "latency_sensitivity": "moderate", "receiver_availability": "sometimes_down",
        "temporal_decoupling": "required",
    }))  # fmt: skip
    assert run(answers).recommendation == "request_reply"
    heavier = with_weight("operation", 17)
    assert run(answers, framework=heavier).recommendation == "sync"
