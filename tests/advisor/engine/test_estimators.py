"""The estimators against the contract's figures."""

from __future__ import annotations

import pytest

from advisor.engine.estimators import estimate_backlog, estimate_tail_latency
from tests.advisor.engine.helpers import run


def test_the_share_of_requests_meeting_a_slow_hop_grows_with_depth():
    assert estimate_tail_latency(1, 50, 250).p_hit_any_p99 == pytest.approx(0.01)
    assert estimate_tail_latency(3, 50, 250).p_hit_any_p99 == pytest.approx(0.0297, abs=1e-4)
    assert estimate_tail_latency(5, 50, 250).p_hit_any_p99 == pytest.approx(0.049, abs=1e-3)


def test_three_hops_of_about_100ms_give_600ms_or_more_for_the_slowest_percent():
    estimate = run({"chain_depth": 3, "per_hop_p50_ms": 100}).tail_latency
    assert estimate.hops == 3
    assert 250 <= estimate.p50_ms <= 400
    assert estimate.p99_ms >= 600


def test_one_hop_reproduces_its_own_percentiles():
    estimate = estimate_tail_latency(1, 80, 200)
    assert estimate.p50_ms == pytest.approx(80, abs=0.1)
    assert estimate.p99_ms == pytest.approx(200, abs=0.1)


def test_the_gap_between_median_and_tail_widens_with_every_hop():
    gaps = [
        estimate_tail_latency(hops, 80, 300).p99_ms - estimate_tail_latency(hops, 80, 300).p50_ms
        for hops in (1, 2, 3, 5, 8)
    ]
    assert gaps == sorted(gaps) and len(set(gaps)) == 5


def test_a_backlog_of_500000_at_10_per_second_takes_about_13_9_hours():
    backlog = estimate_backlog(500_000, 10)
    assert backlog.drains
    assert backlog.drain_seconds / 3600 == pytest.approx(13.9, abs=0.05)


def test_a_backlog_never_drains_when_arrivals_keep_up():
    assert estimate_backlog(1000, 10, 10).as_dict() == {"drains": False, "drain_seconds": None}
    assert estimate_backlog(1000, 10, 12).drains is False


def test_new_arrivals_slow_the_drain():
    assert estimate_backlog(1000, 10, 5).drain_seconds == 200


def test_estimates_appear_only_when_their_inputs_are_given():
    assert run({"operation": "query"}).as_dict()["estimates"] == {}
    answers = {"chain_depth": 2, "backlog_messages": 500000, "processing_rate_per_s": 10}
    estimates = run(answers).as_dict()["estimates"]
    assert set(estimates["tail_latency"]) == {"hops", "p_hit_any_p99", "p50_ms", "p99_ms"}
    assert estimates["backlog"] == {"drains": True, "drain_seconds": 50000.0}


def test_a_consumer_that_processes_nothing_never_drains_the_backlog():
    answers = {"backlog_messages": 10, "processing_rate_per_s": 0}
    assert run(answers).as_dict()["estimates"]["backlog"] == {
        "drains": False,
        "drain_seconds": None,
    }


def test_only_a_p99_given_derives_the_p50_from_the_default_ratio():
    estimate = run({"chain_depth": 1, "per_hop_p99_ms": 400}).tail_latency
    assert estimate.p50_ms == pytest.approx(80, abs=0.1)
    assert estimate.p99_ms == pytest.approx(400, abs=0.1)
