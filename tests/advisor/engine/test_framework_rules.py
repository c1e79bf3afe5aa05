"""Reading a framework's premises, readiness and estimators: what a tuned copy may and may
not say, and how files of older format versions are read."""

from __future__ import annotations

import json

import pytest

from advisor.engine import FrameworkError, parse_answers, parse_framework
from advisor.engine.framework_files import FRAMEWORKS_DIR
from advisor.engine.scoring import evaluate
from tests.advisor.engine.helpers import default_source


def _fails(change, message: str) -> None:
    source = default_source()
    change(source)
    with pytest.raises(FrameworkError) as raised:
        parse_framework(source)
    assert str(raised.value) == message


def test_every_experience_answer_needs_a_readiness_factor():
    _fails(lambda s: s["readiness"]["factors"].pop("strong"),
           "readiness.factors: expected a factor for the choice 'strong'")  # fmt: skip


def test_readiness_factors_and_points_cannot_be_negative():
    _fails(lambda s: s["readiness"]["factors"].__setitem__("none", -1),
           "readiness.factors.none: expected a number of zero or more")  # fmt: skip
    _fails(lambda s: s["readiness"]["severity_points"].__setitem__("high", -2),
           "readiness.severity_points.high: expected a number of zero or more")  # fmt: skip


def test_no_question_may_take_the_key_readiness_keeps():
    _fails(lambda s: s["questions"][0].__setitem__("key", "readiness"),
           "questions[0].key: 'readiness' is kept for operational readiness")  # fmt: skip


def test_a_practice_readiness_counts_cannot_depend_on_an_estimate():
    def change(source):
        source["practices"]["async"][1]["when"] = "estimated_drain_seconds > 60"

    _fails(change, "practices.async[1]: a practice backed by a capability cannot depend on the "
                   "estimate 'estimated_drain_seconds'")  # fmt: skip


def _legacy(version: int) -> dict:
    return json.loads((FRAMEWORKS_DIR / "history" / f"default-{version}.json").read_text())


@pytest.mark.parametrize("version", [1, 2])
def test_an_older_file_reads_with_the_keys_its_engine_used(version):
    source = _legacy(version)
    source["estimators"].pop("tail_latency")  # its engine estimated the tail all the same
    framework = parse_framework(source)
    assert framework.capabilities == "capabilities"
    assert framework.tail_latency.hops == "chain_depth"
    assert framework.backlog.messages == "backlog_messages"
    answers = parse_answers(framework, {"chain_depth": 5, "operation": "query"})
    result = evaluate(framework, answers, pattern="sync", with_sensitivity=False)
    assert result.tail_latency is not None and result.tail_latency.hops == 5
    assert all("{" not in warning.message for warning in result.warnings)


def test_a_current_file_is_taken_as_it_declares_itself():
    source = default_source()
    del source["estimators"]["backlog"]
    framework = parse_framework(source)
    assert framework.backlog is None
    answers = parse_answers(
        framework, {"backlog_messages": 10, "processing_rate_per_s": 1, "chain_depth": 2}
    )
    assert evaluate(framework, answers, with_sensitivity=False).backlog is None
