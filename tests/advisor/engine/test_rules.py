"""One test per behaviour rule of the framework contract."""

from __future__ import annotations

import pytest

from advisor.engine import parse_framework
from tests.advisor.engine.helpers import default_source, run


class TestViability:
    def test_immediate_consistency_rules_out_async_and_cqrs_lite(self):
        result = run({"consistency": "immediate", "operation": "event"})
        assert result.tally.viable == {
            "sync": True, "async": False, "request_reply": True, "cqrs_lite": False,
        }  # fmt: skip
        assert {(v.pattern, v.rule) for v in result.tally.vetoes if v.kind == "rule"} == {
            ("async", "consistency"), ("cqrs_lite", "consistency"),
        }  # fmt: skip
        assert result.recommendation not in {"async", "cqrs_lite"}

    def test_read_your_writes_rules_nothing_out(self):
        assert all(run({"consistency": "read_your_writes"}).tally.viable.values())

    def test_a_caller_that_needs_the_result_rules_out_fire_and_forget(self):
        result = run({"caller_needs_result": "yes", "operation": "event", "duration": "longer"})
        assert result.tally.viable["async"] is False
        assert result.recommendation != "async"
        veto = next(v for v in result.tally.vetoes if v.pattern == "async")
        assert veto.kind == "rule" and "never brings one back" in veto.reason

    def test_a_ruled_out_pattern_ranks_after_every_viable_one(self):
        result = run({"caller_needs_result": "yes", "operation": "batch", "duration": "longer"})
        assert result.tally.raw["async"] > result.tally.raw["sync"]
        viable = [result.tally.viable[pattern] for pattern in result.ranking]
        assert viable == sorted(viable, reverse=True) and result.ranking[-2:].count("async") == 1

    def test_when_every_pattern_is_ruled_out_it_falls_back_to_sync_and_says_so(self):
        source = default_source()
        source["viability"].append(
            {"key": "everything", "when": "load == sustained_over",
             "rules_out": ["sync", "request_reply"], "reason": "Nothing copes."}
        )  # fmt: skip
        framework = parse_framework(source)
        result = run(
            {"load": "sustained_over", "consistency": "immediate", "caller_needs_result": "yes"},
            framework=framework,
        )
        assert not any(result.tally.viable.values())
        assert result.recommendation == "sync"
        assert result.ranking[0] == "sync"
        assert result.margin is None
        assert result.warnings[0].code == "no_viable_pattern"
        assert "falls back to Synchronous request-response" in result.warnings[0].message
        other = run(
            {"load": "sustained_over", "consistency": "immediate", "caller_needs_result": "yes"},
            framework=framework, pattern="async",
        )  # fmt: skip
        assert "falls back to Synchronous request-response" in other.warnings[0].message


class TestMakeTheCall:
    def test_user_waiting_immediate_consistency_and_simplicity_give_sync(self):
        answers = {
            "user_waiting": "yes", "consistency": "immediate",
            "dominant_constraint": "ops_simplicity",
        }  # fmt: skip
        assert run(answers).recommendation == "sync"

    def test_resilience_load_absorption_and_auditability_give_async(self):
        answers = {"dominant_constraint": "resilience", "load": "spiky", "replay": "required"}
        assert run(answers).recommendation == "async"

    def test_a_waiting_user_with_temporal_decoupling_and_tolerable_latency_gives_request_reply(
        self,
    ):
        answers = {
            "user_waiting": "yes", "caller_needs_result": "yes",
            "temporal_decoupling": "required", "receiver_availability": "sometimes_down",
            "latency_sensitivity": "moderate",
        }  # fmt: skip
        assert run(answers).recommendation == "request_reply"

    def test_the_same_call_with_critical_latency_is_not_request_reply(self):
        answers = {
            "user_waiting": "yes", "caller_needs_result": "yes",
            "temporal_decoupling": "required", "receiver_availability": "sometimes_down",
            "latency_sensitivity": "critical",
        }  # fmt: skip
        assert run(answers).recommendation != "request_reply"
        assert run({**answers, "operation": "command"}).recommendation == "sync"

    def test_write_resilience_fast_reads_and_eventual_reads_give_cqrs_lite(self):
        answers = {
            "dominant_constraint": "fast_reads_resilient_writes",
            "read_write_split": "yes", "consistency": "eventual",
        }  # fmt: skip
        assert run(answers).recommendation == "cqrs_lite"

    def test_unsure_with_nothing_else_gives_sync(self):
        assert run({"dominant_constraint": "unsure"}).recommendation == "sync"

    def test_no_answers_at_all_start_with_sync(self):
        result = run({})
        assert result.recommendation == "sync"
        assert set(result.scores.values()) == {50.0}
        assert len(result.unanswered) == 20


class TestDefaults:
    def test_a_command_whose_caller_needs_the_result_does_not_lean_async(self):
        answers = {"operation": "command", "caller_needs_result": "yes", "user_waiting": "no"}
        contribution = next(
            c for c in run(answers).tally.contributions["sync"] if c.question == "operation"
        )
        assert contribution.points > 0
        assert run(answers).recommendation == "sync"

    def test_reads_lean_sync(self):
        assert run({"operation": "query"}).recommendation == "sync"

    @pytest.mark.parametrize("waiting", ["no", "ack_ok"])
    def test_writes_nobody_waits_for_lean_async(self, waiting):
        assert run({"operation": "command", "user_waiting": waiting}).recommendation == "async"

    def test_quick_work_a_caller_waits_on_leans_sync(self):
        answers = {"duration": "under_100ms", "caller_needs_result": "yes"}
        assert run(answers).recommendation == "sync"

    def test_long_running_work_leans_async(self):
        assert run({"duration": "longer"}).recommendation == "async"

    def test_batch_work_leans_async(self):
        assert run({"operation": "batch"}).recommendation == "async"


BROKER_BASED = ("async", "request_reply", "cqrs_lite")
BASE = {"operation": "command", "user_waiting": "ack_ok", "load": "spiky"}


class TestSoftPenalties:
    def _raw(self, answers):
        return run(answers).tally.raw

    def test_no_broker_experience_pulls_every_broker_pattern_down(self):
        before = self._raw({**BASE, "broker_experience": "some"})
        after = self._raw({**BASE, "broker_experience": "none"})
        for pattern in BROKER_BASED:
            assert after[pattern] < before[pattern], pattern
        assert after["sync"] >= before["sync"]

    def test_a_receiver_that_cannot_be_made_idempotent_pulls_broker_patterns_down(self):
        before = self._raw({**BASE, "idempotency": "natural"})
        after = self._raw({**BASE, "idempotency": "hard"})
        for pattern in BROKER_BASED:
            assert after[pattern] < before[pattern], pattern

    def test_critical_latency_pulls_request_reply_and_async_down(self):
        before = self._raw({**BASE, "latency_sensitivity": "moderate"})
        after = self._raw({**BASE, "latency_sensitivity": "critical"})
        assert after["request_reply"] < before["request_reply"]
        assert after["async"] < before["async"]
        assert after["sync"] > before["sync"]

    def test_deep_synchronous_chains_pull_sync_down(self):
        shallow = self._raw({**BASE, "chain_depth": 1})["sync"]
        three = self._raw({**BASE, "chain_depth": 3})["sync"]
        deep = self._raw({**BASE, "chain_depth": 5})["sync"]
        very_deep = self._raw({**BASE, "chain_depth": 8})["sync"]
        assert shallow > three > deep > very_deep


class TestExplanations:
    def test_contributions_add_up_to_the_raw_score(self):
        result = run({**BASE, "chain_depth": 4, "capabilities": ["outbox", "tracing"]})
        for pattern, items in result.tally.contributions.items():
            assert sum(item.points for item in items) == pytest.approx(result.tally.raw[pattern])

    def test_scores_are_normalised_on_a_shared_scale(self):
        result = run({"operation": "query"})
        # query gives sync +2, async -3 on a scale of 3 (times the weight, 2).
        assert result.scores["sync"] == pytest.approx(50 + 50 * 4 / 6, abs=0.05)
        assert result.scores["async"] == 0.0

    def test_every_contribution_says_why(self):
        result = run({**BASE, "consistency": "eventual", "capabilities": ["dlq_replay"]})
        for items in result.tally.contributions.values():
            for item in items:
                assert len(item.why) > 20

    def test_a_multi_choice_answer_lists_one_contribution_per_choice(self):
        result = run({"capabilities": ["timeouts_retries", "circuit_breakers"]})
        answers = [c.answer for c in result.tally.contributions["sync"]]
        assert answers == ["timeouts_retries", "circuit_breakers"]

    def test_the_margin_is_the_lead_over_the_best_other_viable_pattern(self):
        result = run({"operation": "query", "caller_needs_result": "yes"})
        viable = [p for p in result.ranking if result.tally.viable[p]]
        assert result.margin == pytest.approx(
            result.scores[viable[0]] - result.scores[viable[1]], abs=0.05
        )
