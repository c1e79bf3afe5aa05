"""The judgement rules of the default framework, checked over its whole answer space.

Each property restates one rule from the framework's own data (premises, hard rules and the
fallback, questions that apply only sometimes, sensitivity) and would fail if the engine
stopped applying it. Readiness, the target advice, warnings and practices are in
test_judgement_properties_practices; the shared examples in test_examples.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor.engine import evaluate, parse_answers, parse_framework, tally
from tests.advisor.engine.helpers import default_framework, default_source

FRAMEWORK = default_framework()
SOURCE = default_source()
PATTERNS = FRAMEWORK.pattern_keys
CAPABILITIES = FRAMEWORK.question("capabilities").choice_keys
# The questions the default framework asks only of commands, events and batches.
FOLDED_FOR_QUERIES = ("ordering", "replay", "drop_policy", "consumers")
PREMISES = {
    (pattern["key"], premise["key"]): premise
    for pattern in SOURCE["patterns"]
    for premise in pattern.get("premises", ())
}

PROPERTY = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEWER = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Answer sets are decoded from one string of bytes: generating them takes a single draw (the
# properties stay fast), and shrinking bytes towards zero shrinks towards unanswered
# questions, so a counter-example comes out small.
SINGLE = [q for q in FRAMEWORK.questions if q.kind == "single"]
INTEGER = [q for q in FRAMEWORK.questions if q.kind == "integer"]
SIZE = len(SINGLE) + len(INTEGER) + 1 + len(CAPABILITIES) + 6 * 3


def _scaled(data: bytes, low: float, high: float) -> float:
    """A value from `low` to `high` on a log scale, from two bytes."""
    return low * (high / low) ** (int.from_bytes(data, "big") / 65535)


def _decode(data: bytes, capabilities: str) -> dict:
    answers: dict = {}
    for question, byte in zip(SINGLE, data, strict=False):
        pick = byte % (len(question.choice_keys) + 1)  # 0: unanswered
        if pick:
            answers[question.key] = question.choice_keys[pick - 1]
    at = len(SINGLE)
    for question in INTEGER:
        if data[at] % 3:  # answered two times in three, at any depth
            span = question.maximum - question.minimum + 1
            answers[question.key] = question.minimum + data[at] % span
        at += 1
    ticked = tuple(c for c, byte in zip(CAPABILITIES, data[at + 1 :], strict=False) if byte % 2)
    if capabilities == "answered" or (capabilities == "any" and data[at] % 2):
        answers["capabilities"] = ticked
    at += 1 + len(CAPABILITIES)
    numbers = [data[i : i + 3] for i in range(at, at + 18, 3)]
    (p50, p99, budget, backlog, processing, arrival) = numbers
    if p50[0] % 2:
        answers["per_hop_p50_ms"] = _scaled(p50[1:], 0.5, 2000)
    if p99[0] % 2:
        answers["per_hop_p99_ms"] = answers.get("per_hop_p50_ms", 0.5) * _scaled(p99[1:], 1, 20)
    if budget[0] % 2:
        answers["latency_budget_ms"] = _scaled(budget[1:], 1, 20000)
    if backlog[0] % 3:
        answers["backlog_messages"] = (
            0 if backlog[0] % 3 == 1 else round(_scaled(backlog[1:], 1, 1e9))
        )
    for key, (mode, *value) in (
        ("processing_rate_per_s", processing),
        ("arrival_rate_per_s", arrival),
    ):
        if mode % 5 == 1:
            answers[key] = 0.0
        elif mode % 5 == 2:
            answers[key] = float(10 ** (value[0] % 4))  # round rates, which often tie
        elif mode % 5 >= 3:
            answers[key] = _scaled(bytes(value), 0.01, 5000)
    if arrival[0] % 7 == 6 and "processing_rate_per_s" in answers:
        answers["arrival_rate_per_s"] = answers["processing_rate_per_s"]  # exactly keeps up
    return answers


def answer_sets(*, capabilities: str = "any", **fixed) -> st.SearchStrategy[dict]:
    """Any answer set: each question answered or not, any capabilities (none ticked too),
    the estimators' inputs sometimes. `capabilities` is "any", "answered" or "unanswered";
    `fixed` answers replace what was drawn (None leaves the question unanswered)."""

    def decode(data: bytes) -> dict:
        answers = {**_decode(data, capabilities), **fixed}
        return {key: value for key, value in answers.items() if value is not None}

    return st.binary(min_size=SIZE, max_size=SIZE).map(decode)


def evaluated(answers, framework=FRAMEWORK, **kwargs):
    return evaluate(framework, parse_answers(framework, answers), **kwargs)


def vetoes_of(result, pattern: str, kind: str) -> list:
    return [v for v in result.tally.vetoes if v.pattern == pattern and v.kind == kind]


def _cqrs_premises_failing(answers) -> list[str]:
    """CQRS-lite's premises that fail: reads are said not to dominate; or the interaction
    changes state, announces a fact or processes a batch while neither reads dominate nor
    fast reads are the constraint."""
    split = answers.get("read_write_split")
    failing = []
    if split == "no":
        failing.append("reads_dominate")
    if (
        answers.get("operation") in ("command", "event", "batch")
        and split != "yes"
        and answers.get("dominant_constraint") != "fast_reads_resilient_writes"
    ):
        failing.append("read_path")
    return failing


# Premises -------------------------------------------------------------------------------


@PROPERTY
@given(answer_sets())
def test_cqrs_lite_is_an_option_only_where_there_is_a_read_path(answers):
    result = evaluated(answers, with_sensitivity=False)
    failing = _cqrs_premises_failing(answers)
    vetoes = vetoes_of(result, "cqrs_lite", "premise")
    held = {p["premise"]: p["holds"] for p in result.premises if p["pattern"] == "cqrs_lite"}
    assert held == {key: key not in failing for key in ("reads_dominate", "read_path")}
    if not failing:
        assert vetoes == []
        return
    assert result.recommendation != "cqrs_lite"
    assert result.tally.viable["cqrs_lite"] is False
    expected = [PREMISES[("cqrs_lite", key)] for key in failing]
    assert [(v.rule, v.title, v.reason) for v in vetoes] == [
        (premise["key"], premise["title"], premise["reason"]) for premise in expected
    ]


@PROPERTY
@given(answer_sets())
def test_request_reply_needs_someone_waiting_and_a_caller_that_can_listen(answers):
    result = evaluated(answers, with_sensitivity=False)
    nobody_waits = answers.get("caller_needs_result") == "no" and answers.get("user_waiting") in (
        "no",
        "ack_ok",
    )
    client = answers.get("caller_kind") == "end_user_client"
    expected = []
    if nobody_waits:
        expected.append(PREMISES[("request_reply", "someone_waits")])
    if client:
        expected.append(PREMISES[("request_reply", "caller_listens")])
    vetoes = vetoes_of(result, "request_reply", "premise")
    assert [(v.rule, v.reason) for v in vetoes] == [(p["key"], p["reason"]) for p in expected]
    if expected:
        assert result.recommendation != "request_reply"
        assert result.tally.viable["request_reply"] is False
    held = {p["premise"]: p["holds"] for p in result.premises if p["pattern"] == "request_reply"}
    assert held == {"someone_waits": not nobody_waits, "caller_listens": not client}


# Hard rules and the fallback -----------------------------------------------------------


@PROPERTY
@given(answer_sets())
def test_the_hard_rules_rule_out_what_the_spec_says(answers):
    result = evaluated(answers, with_sensitivity=False)
    viable = result.tally.viable
    ruled = {(v.pattern, v.rule) for v in result.tally.vetoes if v.kind == "rule"}
    expected = set()
    if answers.get("consistency") == "immediate":
        expected |= {("async", "consistency"), ("cqrs_lite", "consistency")}
    if answers.get("caller_needs_result") == "yes":
        expected |= {("async", "caller_needs_result")}
    assert ruled == expected
    for pattern, _rule in expected:
        assert viable[pattern] is False
        assert result.recommendation != pattern
    # sync breaks no hard rule and has no premise here, so the fallback never comes into play.
    assert viable["sync"] is True
    assert result.tally.fallback is False
    assert "no_viable_pattern" not in {w.code for w in result.warnings}
    assert viable[result.recommendation] is True


def _framework_that_can_rule_out_everything():
    source = default_source()
    source["viability"].append(
        {
            "key": "direct_call_forbidden",
            "title": "No direct call from a client that needs immediate consistency",
            "when": "consistency == immediate and caller_kind == end_user_client",
            "rules_out": ["sync"],
            "reason": "A tuned rule that leaves no pattern for these answers.",
        }
    )
    return parse_framework(source)


TUNED = _framework_that_can_rule_out_everything()


@PROPERTY
@given(answer_sets(), st.booleans())
def test_when_every_pattern_is_ruled_out_the_advice_falls_back_to_sync_and_says_so(
    answers, rule_everything_out
):
    if rule_everything_out:  # async, cqrs_lite, request_reply and the tuned rule's sync
        answers = {**answers, "consistency": "immediate", "caller_kind": "end_user_client"}
    result = evaluated(answers, framework=TUNED, with_sensitivity=False)
    codes = [w.code for w in result.warnings]
    if all(not ok for ok in result.tally.viable.values()):
        assert result.recommendation == "sync" == result.ranking[0]
        assert codes[0] == "no_viable_pattern"
        assert result.warnings[0].severity == "high"
        assert result.margin is None
    else:
        assert not rule_everything_out
        assert "no_viable_pattern" not in codes
        assert result.tally.viable[result.recommendation]


# Questions that apply only sometimes ---------------------------------------------------


def _folded_answers():
    """Any answer, or none, to each question folded away for queries."""
    return st.fixed_dictionaries(
        {
            key: st.one_of(st.none(), st.sampled_from(FRAMEWORK.question(key).choice_keys))
            for key in FOLDED_FOR_QUERIES
        }
    )


@PROPERTY
@given(answer_sets(operation="query"), _folded_answers())
def test_questions_that_do_not_apply_to_a_query_count_for_nothing(answers, folded):
    result = evaluated(answers, with_sensitivity=False)
    assert set(result.not_applicable) == set(FOLDED_FOR_QUERIES)
    assert not set(FOLDED_FOR_QUERIES) & set(result.unanswered)
    assert not set(FOLDED_FOR_QUERIES) & set(result.advice_missing)
    for items in result.tally.contributions.values():
        assert not {item.question for item in items} & set(FOLDED_FOR_QUERIES)
    without = {k: v for k, v in answers.items() if k not in FOLDED_FOR_QUERIES}
    changed = {**without, **{k: v for k, v in folded.items() if v is not None}}
    before = result.as_dict()
    after = evaluated(changed, with_sensitivity=False).as_dict()
    assert after == before


@PROPERTY
@given(answer_sets(), st.sampled_from(["command", "event", "batch", None]))
def test_the_same_questions_apply_to_everything_else(answers, operation):
    answers = {**answers, "operation": operation}
    result = evaluated({k: v for k, v in answers.items() if v is not None}, with_sensitivity=False)
    assert result.not_applicable == ()
    for key in FOLDED_FOR_QUERIES:
        assert (key in result.unanswered) is (key not in answers)


# Sensitivity ---------------------------------------------------------------------------


def _rescored(answers: dict):
    return tally(FRAMEWORK, parse_answers(FRAMEWORK, answers))


@PROPERTY
@given(answer_sets())
def test_every_answer_flip_the_analysis_reports_is_real(answers):
    result = evaluated(answers)
    for flip in result.sensitivity["answer_flips"]:
        assert flip["question"] not in result.not_applicable
        changed = _rescored({**answers, flip["question"]: flip["to"]})
        assert changed.recommendation == flip["recommendation"] != result.recommendation
        assert changed.margin == flip["margin"]


def _single_changes(answers: dict, away: tuple[str, ...]):
    """Every change of one answer to a question that applies: another choice, a value in
    another band, one capability more or less."""
    for question in FRAMEWORK.questions:
        if question.key in away:
            continue
        current = answers.get(question.key)
        if question.kind == "single":
            options = [choice for choice in question.choice_keys if choice != current]
        elif question.kind == "integer":
            options = [
                band.minimum for band in question.bands
                if current is None or not band.minimum <= current <= band.maximum
            ]  # fmt: skip
        else:
            ticked = set(current or ())
            options = [
                [c for c in question.choice_keys if (c in ticked) != (c == toggled)]
                for toggled in question.choice_keys
            ]
        for option in options:
            yield question.key, option


def assert_every_advice_changing_answer_is_reported(framework, answers: dict) -> None:
    """Re-score every single change from scratch: the analysis reports exactly those that
    change the recommendation, in order, with the same margin."""
    result = evaluate(framework, parse_answers(framework, answers))
    expected = []
    for key, option in _single_changes(answers, result.not_applicable):
        changed = tally(framework, parse_answers(framework, {**answers, key: option}))
        if changed.recommendation != result.recommendation:
            expected.append((key, option, changed.recommendation, changed.margin))
    reported = [
        (flip["question"], flip["to"], flip["recommendation"], flip["margin"])
        for flip in result.sensitivity["answer_flips"]
    ]
    assert reported == expected
    assert result.sensitivity["stable"] is (not expected)


@FEWER
@given(answer_sets())
def test_every_single_change_that_moves_the_advice_is_reported(answers):
    assert_every_advice_changing_answer_is_reported(FRAMEWORK, answers)
