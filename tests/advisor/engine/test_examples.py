"""Every shared scenario gets the recommendation the framework's sources give."""

from __future__ import annotations

import json

import pytest

from tests.advisor.engine.helpers import run, scenario_files

SCENARIOS = scenario_files()


def test_the_shared_scenarios_are_all_here():
    assert len(SCENARIOS) >= 10


@pytest.mark.parametrize("path", SCENARIOS, ids=[path.stem for path in SCENARIOS])
def test_the_scenario_gets_its_expected_recommendation(path):
    scenario = json.loads(path.read_text())
    result = run(scenario["answers"])
    assert result.recommendation == scenario["expect"], result.scores
    assert result.margin is not None and result.margin > 0
