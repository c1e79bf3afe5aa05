"""Why one pattern scores above another, answer by answer.

The scoreboard's "why X leads Y" and a decision record's drivers both come from here, so the
explanation a team reads on screen is the one its record keeps.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from advisor.engine.framework import Framework
from advisor.engine.plan import READINESS
from advisor.engine.tally import Tally


@dataclass(frozen=True)
class Lead:
    """One answered question that favours `favoured` over `other`."""

    question: str
    answer: Any
    lead: float  # in score points (0-100), comparable with the margin
    why: str


def leads(
    framework: Framework,
    tally: Tally,
    answers: Mapping[str, Any],
    *,
    favoured: str,
    other: str,
) -> tuple[Lead, ...]:
    """The answers that give `favoured` more points than `other`, largest lead first.

    Every lead carries a reason. A choice's reason is shared by all patterns, but a pattern
    the answer gives no points to lists no contribution for it, so the reason is taken from
    whichever side the answer moved: what it gave `favoured`, or what it took from `other`.
    """
    if tally.scale == 0 or favoured == other:
        return ()
    position = {key: index for index, key in enumerate(framework.pattern_keys)}
    found = []
    for key, weight in framework.factor_weights.items():
        points = tally.unweighted.get(key)
        if points is None:
            continue
        lead = (points[position[favoured]] - points[position[other]]) * weight * 50 / tally.scale
        if lead <= 0:
            continue
        found.append(
            Lead(
                question=key,
                answer=_answer(tally, answers, key, other),
                lead=round(lead, 1),
                why=_reason(tally, key, favoured, other),
            )
        )
    return tuple(sorted(found, key=lambda item: -item.lead))


def _answer(tally: Tally, answers: Mapping[str, Any], key: str, other: str) -> Any:
    """The answer behind a lead; for readiness, the practices `other` lacks."""
    if key != READINESS:
        return answers.get(key)
    gaps = {gap.pattern: gap for gap in tally.readiness or ()}
    gap = gaps.get(other)
    return tuple(code for code, _title in gap.missing) if gap else ()


def _reason(tally: Tally, question: str, favoured: str, other: str) -> str:
    gained = [c for c in tally.contributions[favoured] if c.question == question]
    lost = [c for c in tally.contributions[other] if c.question == question]
    # The choices that moved the lead first (points for one side, against the other), then
    # any choice of the answer, so a multi-choice answer never comes out without a reason.
    telling = [c.why for c in gained if c.points > 0] + [c.why for c in lost if c.points < 0]
    reasons = list(dict.fromkeys(why for why in telling + [c.why for c in gained + lost] if why))
    return " ".join(reasons[:2])
