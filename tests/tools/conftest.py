"""The tests of the ADR tool harness run only against the real tools, never skipped."""

from __future__ import annotations

import pytest

from tests.tools.harness import require_tools


@pytest.fixture(autouse=True, scope="session")
def _real_adr_tools() -> None:
    # A missing tool fails every test here with the command that installs it.
    require_tools()
