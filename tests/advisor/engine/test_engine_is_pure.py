"""The engine runs without Django: it can be used by the CLI, tasks and tests alike."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

PROBE = """
import sys
import advisor.engine
from advisor.engine import evaluate, load_framework, parse_answers
framework = load_framework()
evaluate(framework, parse_answers(framework, {"operation": "query", "chain_depth": 4}))
loaded = sorted(name for name in sys.modules if name == "django" or name.startswith("django."))
print(",".join(loaded) or "none")
"""


def test_scoring_imports_no_part_of_django():
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "none"


def test_no_engine_module_imports_django():
    importing = re.compile(r"^\s*(from|import)\s+django\b", re.MULTILINE)
    for path in (ROOT / "advisor" / "engine").glob("*.py"):
        assert not importing.search(path.read_text()), path.name
