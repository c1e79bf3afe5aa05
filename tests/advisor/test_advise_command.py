"""`manage.py advise`: the SPEC's JSON on stdout, or exit 2 with one line on stderr."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from tests.advisor.engine.helpers import default_source, scenario_files

ROOT = Path(__file__).resolve().parents[2]
TOP_LEVEL_KEYS = [
    "framework", "recommendation", "ranking", "scores", "viable", "vetoes", "contributions",
    "margin", "sensitivity", "warnings", "mitigations", "estimates", "unanswered",
    "advice", "not_applicable", "premises", "readiness", "target", "normalisation",
]  # fmt: skip


def advise(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", "advise", *args],
        cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=60,
    )  # fmt: skip


def advise_in_process(*args: str) -> dict:
    out = StringIO()
    call_command("advise", *args, stdout=out)
    return json.loads(out.getvalue())


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: p.stem)
def test_it_prints_the_expected_recommendation_for_each_scenario(path):
    output = advise_in_process(str(path))
    assert output["recommendation"] == json.loads(path.read_text())["expect"]
    assert list(output) == TOP_LEVEL_KEYS


def test_its_json_has_the_contracts_shape(tmp_path):
    path = tmp_path / "rich.json"
    path.write_text(json.dumps({"answers": {
        "operation": "event", "caller_needs_result": "yes", "consistency": "immediate",
        "chain_depth": 4, "consumers": "several", "capabilities": ["tracing"],
        "backlog_messages": 500000, "processing_rate_per_s": 10,
    }}))  # fmt: skip
    output = advise_in_process(str(path), "--pattern", "async")
    assert list(output) == TOP_LEVEL_KEYS
    assert output["framework"] == {"name": "default", "version": 3}
    assert set(output["scores"]) == set(output["viable"]) == set(output["contributions"])
    assert sorted(output["ranking"]) == sorted(output["scores"])
    assert output["vetoes"] and all(
        set(v) == {"pattern", "rule", "kind", "title", "reason"} for v in output["vetoes"]
    )
    # An event without reads to serve: CQRS-lite's premise does not hold, and says why.
    premise = next(p for p in output["premises"] if p["premise"] == "read_path")
    assert premise["holds"] is False and premise["pattern"] == "cqrs_lite" and premise["reason"]
    assert {"pattern": "cqrs_lite", "rule": "read_path", "kind": "premise",
            "title": premise["title"], "reason": premise["reason"]} in output["vetoes"]  # fmt: skip
    # Only tracing in place: every broker-based pattern loses points for what it lacks.
    assert set(output["readiness"]) == {"async", "request_reply", "cqrs_lite"}
    assert all(r["points"] < 0 and r["missing"] for r in output["readiness"].values())
    target = output["target"]
    assert set(target) == {"recommendation", "changes", "scores", "margin", "put_in_place_first"}
    assert target["recommendation"] in output["scores"]
    contributions = [c for items in output["contributions"].values() for c in items]
    assert contributions and all(
        set(c) == {"question", "answer", "points", "why"} for c in contributions
    )
    assert output["warnings"] and all(
        set(w) == {"code", "severity", "title", "message"} for w in output["warnings"]
    )
    assert output["mitigations"] and all(
        set(m) == {"code", "title", "status", "severity", "message"}
        and m["status"] in {"in_place", "missing"}
        for m in output["mitigations"]
    )
    assert set(output["estimates"]["tail_latency"]) == {"hops", "p_hit_any_p99", "p50_ms", "p99_ms"}
    assert output["estimates"]["backlog"] == {"drains": True, "drain_seconds": 50000.0}
    # Titles are what people read; codes stay for programs.
    assert all(w["title"] and w["title"] != w["code"] for w in output["warnings"])
    assert output["advice"] == {"given": False, "missing": ["dominant_constraint", "user_waiting",
                                                            "duration"]}  # fmt: skip
    assert {"weights", "most_critical_weight", "answer_flips", "stable"} <= set(
        output["sensitivity"]
    )
    assert "ordering" in output["unanswered"]
    raw = output["normalisation"]["raw"]
    for pattern, items in output["contributions"].items():
        assert sum(item["points"] for item in items) == pytest.approx(raw[pattern])
        assert output["scores"][pattern] == pytest.approx(
            50 + 50 * raw[pattern] / output["normalisation"]["scale"], abs=0.05
        )


def test_it_reads_a_bare_answers_object_from_standard_input():
    result = advise("-", stdin=json.dumps({"operation": "batch", "duration": "longer"}))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["recommendation"] == "async"


def test_pattern_reports_another_patterns_warnings(tmp_path):
    path = tmp_path / "batch.json"
    path.write_text(json.dumps({"answers": {"operation": "batch"}}))
    output = advise_in_process(str(path), "--pattern", "sync")
    assert output["recommendation"] == "async"
    assert "sync_batch" in [warning["code"] for warning in output["warnings"]]
    assert [m["code"] for m in output["mitigations"]][:2] == [
        "timeouts_retries",
        "circuit_breakers",
    ]


def test_a_weight_changed_in_a_framework_file_changes_the_answer(tmp_path):
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"answers": {
        "operation": "query", "user_waiting": "yes", "caller_needs_result": "yes",
        "latency_sensitivity": "moderate", "receiver_availability": "sometimes_down",
        "temporal_decoupling": "required",
    }}))  # fmt: skip
    source = default_source()
    source["name"] = "tuned"
    next(q for q in source["questions"] if q["key"] == "operation")["weight"] = 17
    framework = tmp_path / "tuned.json"
    framework.write_text(json.dumps(source))

    assert advise_in_process(str(answers))["recommendation"] == "request_reply"
    tuned = advise_in_process(str(answers), "--framework", str(framework))
    assert tuned["recommendation"] == "sync"
    assert tuned["framework"]["name"] == "tuned"


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (["-"], '{"answers": {"latency": "critical"}}', "latency: unknown question"),
        (["-"], '{"consistency": "strong"}', "consistency: unknown choice 'strong'"),
        (["-"], '{"answers": {"operation": ', "standard input is not valid JSON (line 1"),
        (["-"], "[1, 2]", "expected a JSON object with the answers"),
        (["-"], '{"chain_depth": "3"}', "chain_depth: expected a whole number"),
        (["missing.json"], None, "cannot read missing.json: No such file or directory"),
        (["-", "--pattern", "grpc"], "{}", "pattern: unknown pattern 'grpc'"),
        (["-", "--framework", "nope"], "{}", "no framework 'nope' (available: default)"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_no_output(args, stdin, message):
    result = advise(*args, stdin=stdin)
    assert result.returncode == 2
    assert result.stdout == ""
    assert len(result.stderr.strip().splitlines()) == 1
    assert message in result.stderr
