"""A scored answer set with its explanation: what the result, the sensitivity analysis and
the explanations read. The arithmetic itself is in `arithmetic`; this module only names it.

Every pattern's contributions add up to its raw score exactly: one per answered question
that moves it, plus one for operational readiness when the team lacks practices it needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from advisor.engine.arithmetic import (
    Contribution,
    ReadinessGap,
    Scored,
    Veto,
    margin,
    normalise,
    readiness_points,
    score,
)
from advisor.engine.framework import Framework
from advisor.engine.plan import READINESS


@dataclass(frozen=True)
class Tally:
    """Scores, ranking and viability of one answer set; explanations are built on demand."""

    framework: Framework
    scored: Scored

    @cached_property
    def raw(self) -> dict[str, float]:
        return dict(zip(self.framework.pattern_keys, self.scored.raw, strict=True))

    @property
    def scale(self) -> float:
        return self.scored.scale

    @cached_property
    def viable(self) -> dict[str, bool]:
        return dict(zip(self.framework.pattern_keys, self.scored.viable, strict=True))

    @property
    def vetoes(self) -> tuple[Veto, ...]:
        return tuple(self.scored.vetoes)

    @cached_property
    def ranking(self) -> tuple[str, ...]:
        return tuple(self.framework.pattern_keys[i] for i in self.scored.order)

    @property
    def recommendation(self) -> str:
        return self.framework.pattern_keys[self.scored.order[0]]

    @property
    def fallback(self) -> bool:
        return self.scored.fallback

    @property
    def not_applicable(self) -> tuple[str, ...]:
        return self.scored.away

    @property
    def effective_answers(self) -> Mapping[str, Any]:
        return self.scored.effective

    @cached_property
    def readiness(self) -> tuple[ReadinessGap, ...] | None:
        """What readiness took from each pattern and why, or None when it does not apply."""
        if self.scored.readiness is None:
            return None
        return readiness_points(self.framework.plan, self.scored.effective)

    def normalised(self, pattern: str) -> float:
        return normalise(self.raw[pattern], self.scale)

    @property
    def scores(self) -> dict[str, float]:
        return {pattern: self.normalised(pattern) for pattern in self.raw}

    @property
    def margin(self) -> float | None:
        """Points (0-100 scale) between the recommendation and the best other viable pattern."""
        if self.fallback:
            return None
        scored = self.scored
        return margin(scored.raw, scored.order, scored.viable, scored.scale)

    @cached_property
    def unweighted(self) -> dict[str, tuple[float, ...]]:
        """Points before weight per answered factor, in pattern order: what the weight
        sensitivity and the explanations need. Readiness counts as a factor of its own."""
        points = {row.key: effect.unweighted for row, _answer, effect in self.scored.chosen}
        if self.readiness is not None:
            by_pattern = {gap.pattern: gap.unweighted for gap in self.readiness}
            points[READINESS] = tuple(by_pattern.get(p, 0.0) for p in self.framework.pattern_keys)
        return points

    @cached_property
    def contributions(self) -> dict[str, tuple[Contribution, ...]]:
        patterns = self.framework.pattern_keys
        listed: list[list[Contribution]] = [[] for _ in patterns]
        for row, answer, effect in self.scored.chosen:
            if row.kind == "multi":
                # One line per capability, so each reads on its own.
                for choice in answer:
                    part = row.options[choice][0]
                    for index, weighted in enumerate(part.weighted):
                        if weighted:
                            listed[index].append(Contribution(row.key, choice, weighted, part.why))
                continue
            for index, weighted in enumerate(effect.weighted):
                if weighted:
                    listed[index].append(Contribution(row.key, answer, weighted, effect.why))
        for gap in self.readiness or ():
            if gap.points:
                listed[patterns.index(gap.pattern)].append(
                    Contribution(READINESS, tuple(code for code, _ in gap.missing), gap.points,
                                 readiness_why(self.framework, self.scored.effective, gap))
                )  # fmt: skip
        return {pattern: tuple(listed[i]) for i, pattern in enumerate(patterns)}


def titles_in_words(titles: list[str], last: str = "and") -> str:
    """Titles as the middle of a sentence: "a, b and c", each with a lower-case first
    letter (so an acronym inside a title keeps its capitals)."""
    words = [title[:1].lower() + title[1:] for title in titles]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + f" {last} " + words[-1]


def readiness_why(framework: Framework, answers: Mapping[str, Any], gap: ReadinessGap) -> str:
    """The readiness contribution in words: what is missing, and the team's experience."""
    readiness = framework.readiness
    if not gap.missing:
        return ""
    missing = titles_in_words([title for _code, title in gap.missing], last="or")
    experience = "unknown"
    if readiness.experience and answers.get(readiness.experience) is not None:
        question = framework.questions_by_key[readiness.experience]
        labels = {choice.key: choice.label for choice in question.choices}
        experience = labels[answers[readiness.experience]].lower()
    return readiness.why.format(missing=missing, experience=experience)


def tally(framework: Framework, answers: Mapping[str, Any]) -> Tally:
    """Score, rule out and rank validated answers; explanations are computed when read."""
    return Tally(framework, score(framework.plan, answers))
