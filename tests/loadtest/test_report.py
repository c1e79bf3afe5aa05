"""The load test's table and its goal check."""

from __future__ import annotations

import json

import pytest

from loadtest.report import LOG, LOGIN, PDF, RESCORE, main, percentile, summarize


def raw(samples, seconds=10.0, **extra):
    return {"started": 100.0, "ended": 100.0 + seconds, "samples": samples,
            "visits_completed": 1, **extra}  # fmt: skip


def rows(summary):
    return {row["step"]: row for row in summary["rows"]}


def test_percentiles_interpolate_between_the_nearest_ranks():
    values = [float(v) for v in range(1, 101)]  # 1..100
    assert percentile(values, 0.5) == pytest.approx(50.5)
    assert percentile(values, 0.99) == pytest.approx(99.01)
    assert percentile([7.0], 0.99) == 7.0


def test_each_step_gets_its_counts_throughput_and_percentiles_in_visit_order():
    summary = summarize(raw({
        PDF: [[900.0, True]],
        RESCORE: [[float(ms), True] for ms in range(1, 101)],
        LOGIN: [[250.0, True], [260.0, False]],
    }))  # fmt: skip
    assert [row["step"] for row in summary["rows"]] == [LOGIN, RESCORE, PDF]
    rescore = rows(summary)[RESCORE]
    assert rescore["requests"] == 100 and rescore["failures"] == 0
    assert rescore["throughput_rps"] == pytest.approx(10.0)
    assert rescore["p50_ms"] == pytest.approx(50.5)
    assert rescore["p95_ms"] == pytest.approx(95.05)
    assert summary["total"]["requests"] == 103 and summary["total"]["failures"] == 1


def test_the_goal_is_no_errors_and_p99_within_300_ms_except_for_the_pdf():
    summary = summarize(raw({
        RESCORE: [[120.0, True]] * 99 + [[301.0, True]] * 2,
        LOG: [[80.0, True]],
        PDF: [[2500.0, True]],
    }))  # fmt: skip
    by_step = rows(summary)
    assert not by_step[RESCORE]["met"]
    assert by_step[LOG]["met"] and by_step[PDF]["met"]
    assert not summary["goal_met"]


def test_an_error_misses_the_goal_even_for_the_pdf():
    summary = summarize(raw({PDF: [[500.0, True], [400.0, False]], LOG: [[10.0, True]]}))
    assert not rows(summary)[PDF]["met"] and rows(summary)[LOG]["met"]
    assert not summary["goal_met"]


def test_it_prints_the_table_writes_the_json_and_exits_0_when_a_goal_is_missed(tmp_path, capsys):
    samples = tmp_path / "samples.json"
    samples.write_text(json.dumps(raw({LOG: [[400.0, True]], PDF: [[900.0, True]]})))
    out = tmp_path / "bench" / "loadtest.json"
    assert main([str(samples), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "Decision log" in printed and "NOT MET" in printed
    written = json.loads(out.read_text())
    assert written["goal_met"] is False
    assert [row["step"] for row in written["rows"]] == [LOG, PDF]


def test_it_exits_1_when_the_run_did_not_complete(tmp_path):
    out = tmp_path / "loadtest.json"
    assert main([str(tmp_path / "missing.json"), "--out", str(out)]) == 1
    samples = tmp_path / "samples.json"
    samples.write_text(json.dumps(raw({LOG: [[10.0, True]]}, harness_errors=["KeyError: x"])))
    assert main([str(samples), "--out", str(out)]) == 1


def test_it_says_how_much_cpu_each_part_got_during_the_run(tmp_path, capsys):
    cpu = {"cpus": 2, "busy_percent": 100.0,
           "seconds": {"gunicorn": 40.0, "everything else": 160.0}}  # fmt: skip
    samples = tmp_path / "samples.json"
    samples.write_text(json.dumps(raw({LOG: [[10.0, True]]}, seconds=100.0, cpu=cpu)))
    assert main([str(samples), "--out", str(tmp_path / "out.json")]) == 0
    printed = capsys.readouterr().out
    assert "gunicorn 40.0 s (0.40 CPU)" in printed
    assert "everything else 160.0 s (1.60 CPU)" in printed
