"""Reading the questionnaire from a POST. The engine validates the answers (one set of rules
for the web, the CLI and the API); this module only turns form strings into typed values.
"""

from __future__ import annotations

import math
import re
from typing import Any

from advisor.engine import Framework

# ASCII digits only, and few enough of them to be a sensible number.
# The extra checkbox that lets a multi-choice question be answered with "none of these".
NONE_YET = "none-yet"
_WHOLE = re.compile(r"-?[0-9]{1,9}")


def answers_from_post(framework: Framework, data) -> dict[str, Any]:
    """Raw answers from a QueryDict: blank means unanswered; values that do not parse are
    passed on as typed so the engine can say what is wrong with them."""
    raw: dict[str, Any] = {}
    for question in framework.questions:
        if question.kind == "multi":
            values = data.getlist(question.key)
            chosen = [value for value in values if value != NONE_YET]
            if chosen or NONE_YET in values:  # "none of these yet" answers with nothing
                raw[question.key] = chosen
            continue
        value = data.get(question.key, "").strip()
        if not value:
            continue
        if question.kind == "integer" and _WHOLE.fullmatch(value):
            raw[question.key] = int(value)
        else:
            raw[question.key] = value
    for numeric in framework.inputs:
        value = data.get(numeric.key, "").strip()
        if not value:
            continue
        try:
            number = float(value)
        except ValueError:
            raw[numeric.key] = value
        else:  # "nan" and "inf" parse as floats but are not numbers anyone means
            raw[numeric.key] = number if math.isfinite(number) else value
    return raw


def revision_from_post(data, name: str) -> int | None:
    value = data.get(name, "")
    return int(value) if _WHOLE.fullmatch(value) and not value.startswith("-") else None


def error_sentence(problem: str) -> str:
    return problem[:1].upper() + problem[1:] + ("" if problem.endswith(".") else ".")
