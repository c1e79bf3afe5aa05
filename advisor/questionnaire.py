"""Reading the questionnaire from a POST, and merging answers saved from several tabs.

The engine validates the answers (one set of rules for the web, the CLI and the API); this
module turns form strings into typed values, carries what a tab started from, and merges
two sets of changes made from the same starting point.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from django.core import signing

from advisor.engine import Framework

# The extra checkbox that lets a multi-choice question be answered with "none of these".
NONE_YET = "none-yet"
# ASCII digits only, and few enough of them to be a sensible number.
_WHOLE = re.compile(r"-?[0-9]{1,9}")

_BASE_SALT = "advisor.questionnaire.base"
_RESOLVE_SALT = "advisor.questionnaire.resolve"
KEEP_MINE = "mine"
TAKE_THEIRS = "theirs"
# Answers posted by a session that had run out, kept until the person is back: one form at
# a time, each value cut to size, so what an anonymous post can leave in a session is small.
_UNSAVED_KEY = "unsaved_answers"
_MAX_STASHED_VALUE = 200
_MAX_STASHED_BASE = 8_000


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


def error_sentence(problem: str) -> str:
    return problem[:1].upper() + problem[1:] + ("" if problem.endswith(".") else ".")


def jsonable(answers: Mapping[str, Any]) -> dict[str, Any]:
    """Answers as stored in JSON: multi-choice answers as lists."""
    return {
        key: list(value) if isinstance(value, tuple) else value for key, value in answers.items()
    }


# --- what a tab started from -----------------------------------------------------------


@dataclass(frozen=True)
class Base:
    """The saved revision a tab started from, the answers it had, and the framework (name,
    version) its questions came from.

    The answers travel with the form, signed, rather than being kept server side for every
    past revision: a save then needs no extra read to find what the tab started from, no
    table of old revisions has to be stored and pruned, and the signature means a posted
    base is one the server issued for this interaction. It is small: under a kilobyte of
    JSON (not compressed: on every re-score, compressing costs more than the bytes saved).
    `framework` is None in a base issued before the page named its framework.
    """

    revision: int
    answers: dict[str, Any]
    framework: tuple[str, int] | None = None

    def resolved(self, resolution: Resolution) -> Base:
        """This base with one question's starting point moved to the answer it conflicted
        with, so the next merge takes this tab's answer to it (see `Resolution`)."""
        answers = {**self.answers, resolution.key: resolution.theirs}
        if resolution.theirs is None:
            del answers[resolution.key]
        return replace(self, answers=answers)

    def token(self, interaction_id: int) -> str:
        return base_token(interaction_id, self.revision, self.answers, self.framework)


def base_token(
    interaction_id: int,
    revision: int,
    answers: Mapping[str, Any],
    framework: tuple[str, int] | None = None,
) -> str:
    payload: dict[str, Any] = {"i": interaction_id, "r": revision, "a": jsonable(answers)}
    if framework is not None:
        payload["f"] = list(framework)
    return signing.dumps(payload, salt=_BASE_SALT)


def base_from_post(data, interaction_id: int) -> Base | None:
    """The base a form posted, or None when it is missing, altered or another page's."""
    try:
        payload = signing.loads(data.get("base", ""), salt=_BASE_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(payload, dict) or payload.get("i") != interaction_id:
        return None
    framework = payload.get("f")
    return Base(revision=payload["r"], answers=payload["a"],
                framework=(framework[0], framework[1]) if framework else None)  # fmt: skip


@dataclass(frozen=True)
class Resolution:
    """A person's answer to one conflicting question: keep their own answer, or take the one
    saved elsewhere. `theirs` is the saved answer they were shown; if it has changed again
    since, the question conflicts again rather than overriding an answer nobody saw."""

    key: str
    take: str  # KEEP_MINE or TAKE_THEIRS
    theirs: Any


def resolution_token(interaction_id: int, key: str, take: str, theirs: Any) -> str:
    return signing.dumps({"i": interaction_id, "k": key, "t": take, "v": theirs},
                         salt=_RESOLVE_SALT)  # fmt: skip


def resolution_from_post(data, interaction_id: int) -> Resolution | None:
    try:
        payload = signing.loads(data.get("resolve", ""), salt=_RESOLVE_SALT)
    except signing.BadSignature:
        return None
    if payload.get("i") != interaction_id or payload.get("t") not in (KEEP_MINE, TAKE_THEIRS):
        return None
    return Resolution(key=payload["k"], take=payload["t"], theirs=payload["v"])


# --- merging ----------------------------------------------------------------------------


def same_answer(a: Any, b: Any) -> bool:
    """Equal as answers: the order of multi-choice answers does not matter, 4 equals 4.0."""
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return sorted(a) == sorted(b)
    return a == b


def answer_keys(framework: Framework) -> list[str]:
    return [q.key for q in framework.questions] + [i.key for i in framework.inputs]


def merge_answers(
    keys: Iterable[str],
    *,
    base: Mapping[str, Any],
    theirs: Mapping[str, Any],
    mine: Mapping[str, Any],
) -> tuple[dict[str, Any], tuple[str, ...]]:
    """Three-way merge, question by question: the merged answers and the conflicting keys.

    A question only this tab changed takes this tab's answer; one only the saved side
    changed keeps the saved answer; both changed to the same answer is no conflict; both
    changed differently is a conflict, and the merged answers keep the saved one there.
    Answers to keys outside `keys` (a retired question) are kept as saved.
    """
    merged: dict[str, Any] = {}
    conflicts: list[str] = []
    keys = list(keys)
    for key in keys:
        b, t, m = base.get(key), theirs.get(key), mine.get(key)
        if same_answer(m, b) or same_answer(m, t):
            value = t
        elif same_answer(t, b):
            value = m
        else:
            conflicts.append(key)
            value = t
        if value is not None:
            merged[key] = value
    merged.update({key: value for key, value in theirs.items() if key not in merged
                   and key not in keys})  # fmt: skip
    return merged, tuple(conflicts)


def changed_keys(keys: Iterable[str], before: Mapping[str, Any], after: Mapping[str, Any]):
    """The keys whose answer differs between two answer sets."""
    return [key for key in keys if not same_answer(before.get(key), after.get(key))]


# --- answers kept across a lapsed session ------------------------------------------------


def stash_unsaved_answers(session, interaction_id: int, keys: Iterable[str], data) -> None:
    """Keep a posted questionnaire (the fields `keys` and its base) in the session, to offer
    it again once the person can save it."""
    fields = {}
    for key in [*keys, "base"]:
        values = data.getlist(key)
        if values:
            limit = _MAX_STASHED_BASE if key == "base" else _MAX_STASHED_VALUE
            fields[key] = [value[:limit] for value in values[:20]]
    session[_UNSAVED_KEY] = {"interaction": interaction_id, "fields": fields}


def pop_unsaved_answers(session, interaction_id: int):
    """The stashed form for `interaction_id` as a QueryDict, once; None if there is none."""
    from django.http import QueryDict

    stashed = session.get(_UNSAVED_KEY)
    if not isinstance(stashed, dict) or stashed.get("interaction") != interaction_id:
        return None
    fields = session.pop(_UNSAVED_KEY)["fields"]
    if not isinstance(fields, dict):
        return None
    data = QueryDict(mutable=True)
    for key, values in fields.items():
        data.setlist(key, values)
    return data
