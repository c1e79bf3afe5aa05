"""The decision engine: plain Python with no Django import.

    framework = load_framework("default")
    answers = parse_answers(framework, {"user_waiting": "yes", ...})
    result = evaluate(framework, answers)
    result.recommendation, result.as_dict()

It is called alike by the views, the CLI (`manage.py advise`), exports and background tasks.
"""

from __future__ import annotations

from advisor.engine.answers import check_answers, parse_answers
from advisor.engine.errors import AnswerError, EngineError, FrameworkError
from advisor.engine.framework import Framework
from advisor.engine.framework_files import load_framework
from advisor.engine.framework_reader import parse_framework
from advisor.engine.scoring import Result, evaluate
from advisor.engine.tally import tally

__all__ = [
    "AnswerError",
    "EngineError",
    "Framework",
    "FrameworkError",
    "Result",
    "check_answers",
    "evaluate",
    "load_framework",
    "parse_answers",
    "parse_framework",
    "tally",
]
