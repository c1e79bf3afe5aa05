"""The risk register: missing practices and warnings, grouped by the practice that deals
with them, and ordered as a plan."""

from __future__ import annotations

from advisor.engine.risk_register import (
    RegisterEntry,
    RiskGroup,
    build_register,
    known_answers,
)
from tests.advisor.engine.helpers import default_framework, run

BASE = {"dominant_constraint": "unsure", "caller_needs_result": "no", "user_waiting": "no",
        "duration": "longer", "operation": "query"}  # fmt: skip
# Everything a queue needs except a dead-letter queue and a status for the user.
NO_DLQ = ["idempotency_keys", "queue_depth_alerts", "outbox", "status_endpoint"]


def entry(key: int, pattern: str, **answers) -> RegisterEntry:
    """An interaction whose result is the one the engine gives for `pattern`."""
    answers = {**BASE, **answers}
    result = run(answers, pattern=pattern).as_dict()
    return RegisterEntry(key, answers, result["warnings"], result["mitigations"])


def register(*entries: RegisterEntry) -> tuple[RiskGroup, ...]:
    return build_register(default_framework(), entries)


def group(groups, code: str) -> RiskGroup:
    (found,) = [g for g in groups if g.code == code]
    return found


def test_a_queue_without_a_dead_letter_queue_joins_the_dead_letter_queue_practice():
    groups = register(entry(1, "async", capabilities=NO_DLQ))
    dlq = group(groups, "dlq_replay")
    assert (dlq.kind, dlq.title, dlq.severity) == ("practice", "Dead-letter queue with replay",
                                                   "high")  # fmt: skip
    assert [(w.code, w.count) for w in dlq.closes_warnings] == [("queue_no_dlq", 1)]
    (item,) = dlq.items
    assert item.missing and item.warnings == ("Queue without a dead-letter queue",)
    assert "queue_no_dlq" not in {g.code for g in groups}


def test_no_feedback_for_a_waiting_user_joins_the_status_endpoint_practice():
    groups = register(
        entry(
            1,
            "async",
            operation="command",
            user_waiting="yes",
            capabilities=["dlq_replay", "idempotency_keys", "outbox"],
        )
    )
    status = group(groups, "status_endpoint")
    assert [w.code for w in status.closes_warnings] == ["async_no_feedback"]
    assert status.items[0].missing
    assert all(g.kind == "practice" for g in groups)


def test_a_deep_synchronous_chain_is_a_step_of_its_own():
    groups = register(
        entry(1, "sync", chain_depth=5, capabilities=["timeouts_retries", "circuit_breakers"])
    )
    chain = group(groups, "deep_sync_chain")
    assert (chain.kind, chain.title, chain.severity) == ("warning", "Deep synchronous chain",
                                                         "high")  # fmt: skip
    assert chain.closes_warnings == ()
    assert chain.items[0].warnings == ("Deep synchronous chain",)
    assert not chain.items[0].missing
    # The chain's missing practices still go in, each as its own step.
    assert {"tracing", "latency_budget"} <= {g.code for g in groups}


def test_a_warning_two_capabilities_must_close_together_is_its_own_step():
    groups = register(entry(1, "sync", capabilities=[]))
    assert group(groups, "sync_no_timeouts").kind == "warning"


def test_a_warning_joins_a_practice_its_interaction_does_not_list():
    # Request-reply lists no circuit breakers, but adding them closes the warning.
    groups = register(entry(1, "request_reply", capabilities=["timeouts_retries"]))
    breakers = group(groups, "circuit_breakers")
    assert breakers.title == "Circuit breakers"
    assert [w.code for w in breakers.closes_warnings] == ["sync_no_timeouts"]
    assert not breakers.items[0].missing and breakers.missing == 0


def test_closing_is_checked_exactly_against_the_answers():
    framework = default_framework()
    rule = {r.code: r for r in framework.warnings}["sync_no_timeouts"]
    known = known_answers(framework, {"capabilities": ["circuit_breakers"]})
    assert rule.when(known)
    assert not rule.when({**known, "capabilities": ("circuit_breakers", "timeouts_retries")})
    groups = register(RegisterEntry(
        1, {"capabilities": ["circuit_breakers"]},
        [{"code": "sync_no_timeouts", "severity": "high", "title": "Waiting"}], (),
    ))  # fmt: skip
    assert group(groups, "timeouts_retries").closes_warnings[0].code == "sync_no_timeouts"


def test_a_warning_whose_condition_does_not_hold_on_the_answers_is_its_own_step():
    groups = register(RegisterEntry(
        1, {"capabilities": ["dlq_replay"]},
        [{"code": "queue_no_dlq", "severity": "high", "title": "Queue without a DLQ"}], (),
    ))  # fmt: skip
    assert [(g.code, g.kind) for g in groups] == [("queue_no_dlq", "warning")]


def test_low_warnings_are_left_out_and_every_missing_practice_goes_in():
    groups = register(RegisterEntry(
        1, {},
        [{"code": "minor", "severity": "low", "title": "Minor"}],
        [{"code": "tracing", "title": "Distributed tracing", "status": "missing",
          "severity": "low"},
         {"code": "outbox", "title": "Transactional outbox", "status": "in_place",
          "severity": "high"}],
    ))  # fmt: skip
    assert [(g.code, g.severity, g.risk) for g in groups] == [("tracing", "low", 1)]


def test_warnings_and_practices_the_framework_no_longer_knows_keep_their_own_titles():
    groups = register(RegisterEntry(
        1, BASE,
        [{"code": "retired_rule", "severity": "medium", "title": "An old worry"}],
        [{"code": "retired_practice", "title": "An old habit", "status": "missing",
          "severity": "high"}],
    ))  # fmt: skip
    assert {(g.code, g.kind, g.title) for g in groups} == {
        ("retired_rule", "warning", "An old worry"),
        ("retired_practice", "practice", "An old habit"),
    }


def test_risk_counts_the_missing_practice_and_the_warnings_it_closes():
    groups = register(
        entry(1, "async", capabilities=NO_DLQ),
        entry(2, "async", capabilities=NO_DLQ),
        entry(3, "async", capabilities=[*NO_DLQ, "dlq_replay"]),
    )
    dlq = group(groups, "dlq_replay")
    # Two interactions: a missing high practice (3) and a closed high warning (3) each.
    assert (dlq.interactions, dlq.risk, dlq.missing) == (2, 12, 2)
    assert dlq.closes_warnings == (("queue_no_dlq", "Queue without a dead-letter queue", 2),)
    assert dlq.closed_by_severity == (("high", 2),)
    assert [item.key for item in dlq.items] == [1, 2]


def test_the_group_takes_the_title_most_of_its_interactions_use():
    groups = register(
        entry(1, "request_reply", capabilities=["timeouts_retries", "circuit_breakers"]),
        entry(2, "async", capabilities=NO_DLQ),
        entry(3, "async", capabilities=NO_DLQ),
    )
    assert group(groups, "dlq_replay").title == "Dead-letter queue with replay"


def test_items_come_worst_first_and_groups_by_reach_then_risk_then_title():
    groups = register(
        RegisterEntry(1, {}, (), [
            {"code": "b", "title": "Bravo", "status": "missing", "severity": "medium"},
            {"code": "a", "title": "Alpha", "status": "missing", "severity": "medium"},
            {"code": "c", "title": "Charlie", "status": "missing", "severity": "low"},
        ]),
        RegisterEntry(2, {}, (), [
            {"code": "c", "title": "Charlie", "status": "missing", "severity": "high"},
            {"code": "d", "title": "Delta", "status": "missing", "severity": "high"},
        ]),
    )  # fmt: skip
    assert [g.title for g in groups] == ["Charlie", "Delta", "Alpha", "Bravo"]
    charlie = groups[0]
    assert [(item.key, item.severity) for item in charlie.items] == [(2, "high"), (1, "low")]
    assert (charlie.severity, charlie.risk, charlie.interactions) == ("high", 4, 2)


def test_nothing_missing_makes_an_empty_register():
    everything = ["timeouts_retries", "circuit_breakers", "tracing"]
    assert register(entry(1, "sync", capabilities=everything, load="within_capacity")) == ()
