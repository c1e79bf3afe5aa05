"""Every URL pattern the project serves is known to the sweep, and the sweep knows no
pattern that is gone."""

from __future__ import annotations

import pytest

from tests.security.patterns import all_patterns
from tests.security.registry import ROUTES, route_for

PATTERNS = all_patterns()


@pytest.mark.parametrize("pattern", PATTERNS, ids=[p.key for p in PATTERNS])
def test_the_sweep_knows_how_to_probe_the_pattern(pattern):
    if route_for(pattern) is None:
        pytest.fail(
            f"URL pattern {pattern.key!r} ({pattern.route}) is not in the security sweep's "
            "registry: add it to tests/security/registry.py with its arguments, the access "
            "each method needs and a valid POST body."
        )


def test_the_registry_names_only_patterns_that_exist():
    served = {pattern.key for pattern in PATTERNS}
    assert sorted(set(ROUTES) - served) == []
