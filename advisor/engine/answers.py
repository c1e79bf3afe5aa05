"""Checking an answer set against a framework before it is scored."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from advisor.engine.errors import AnswerError
from advisor.engine.framework import Framework


def parse_answers(framework: Framework, raw: Any) -> Mapping[str, Any]:
    """Return a read-only, validated copy of `raw`; raise AnswerError naming the first problem.

    Single-choice answers are choice keys, multi-choice answers lists of choice keys,
    integer questions and numeric inputs numbers. `null` means unanswered.
    """
    clean, errors = check_answers(framework, raw)
    if errors:
        key, problem = next(iter(errors.items()))
        raise AnswerError(key, problem)
    return clean


def check_answers(framework: Framework, raw: Any) -> tuple[Mapping[str, Any], dict[str, str]]:
    """The valid answers of `raw`, and a problem for each invalid one, in `raw`'s order.

    For forms that show every problem next to its field and still score the rest.
    """
    if not isinstance(raw, Mapping):
        raise AnswerError("answers", "expected an object of question keys to answers")
    clean: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for key, value in raw.items():
        if not isinstance(key, str):
            errors[str(key)] = "question keys must be strings"
            continue
        if value is None:
            continue
        try:
            clean[key] = _check_one(framework, key, value)
        except AnswerError as error:
            errors[key] = error.problem
    for numeric in framework.inputs:
        if numeric.at_least is None:
            continue
        value, floor = clean.get(numeric.key), clean.get(numeric.at_least)
        if value is not None and floor is not None and value < floor:
            other = framework.inputs_by_key[numeric.at_least]
            label = other.label[:1].lower() + other.label[1:]
            errors[numeric.key] = f"expected at least {_fmt(floor)}, the {label}"
            del clean[numeric.key]
    return MappingProxyType(clean), errors


def _check_one(framework: Framework, key: str, value: Any) -> Any:
    question = framework.questions_by_key.get(key)
    if question is None:
        numeric = framework.inputs_by_key.get(key)
        if numeric is None:
            raise AnswerError(key, "unknown question")
        return _number(key, value, numeric.minimum, numeric.maximum)
    if question.kind == "single":
        if not isinstance(value, str):
            raise AnswerError(key, f"expected one of {', '.join(question.choice_keys)}")
        if value not in question.choice_keys:
            raise AnswerError(
                key,
                f"unknown choice {value!r} (expected one of {', '.join(question.choice_keys)})",
            )
        return value
    if question.kind == "multi":
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise AnswerError(key, "expected a list of choice keys")
        for item in value:
            if item not in question.choice_keys:
                raise AnswerError(
                    key,
                    f"unknown choice {item!r} (expected some of {', '.join(question.choice_keys)})",
                )
        # Framework order, no duplicates: equal sets of answers compare equal.
        return tuple(choice for choice in question.choice_keys if choice in value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise AnswerError(key, "expected a whole number")
    return int(_number(key, value, question.minimum, question.maximum))


def _number(key: str, value: Any, minimum: float, maximum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise AnswerError(key, "expected a number")
    if not minimum <= value <= maximum:
        raise AnswerError(key, f"expected a number from {_fmt(minimum)} to {_fmt(maximum)}")
    return value


def _fmt(number: float) -> str:
    return f"{number:g}"
