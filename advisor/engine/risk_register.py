"""A system's risk register: what is missing across its interactions, grouped into steps.

Every missing practice and every high or medium warning of every interaction goes in. They
are grouped by the practice that deals with them, so the register reads as a plan: one step
per practice, listing the interactions that lack it and the warnings it would close there.

A warning joins a practice's group only when the framework says that practice closes it:
the warning's condition holds on the interaction's answers, and no longer holds once the
practice's capability is added to the team's answer to the capabilities question. A
warning no practice closes that way (a deep synchronous chain, load above capacity) is a
step of its own. Warnings and practices the current framework no longer knows (an older
decision's frozen result) still count, under their own titles.

Plain Python, no Django.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from advisor.engine.answers import check_answers
from advisor.engine.arithmetic import applicable
from advisor.engine.errors import AnswerError
from advisor.engine.figures import derived, estimates
from advisor.engine.framework import Framework, WarningRule

SEVERITY_RANK = {"high": 0, "medium": 1, "low": 2}
POINTS = {"high": 3, "medium": 2, "low": 1}
COUNTED_WARNINGS = frozenset(("high", "medium"))
PRACTICE, WARNING = "practice", "warning"


@dataclass(frozen=True)
class RegisterEntry:
    """One interaction: its key, the answers its result was made from, and that result's
    warnings and practices (the dicts of a result's "warnings" and "mitigations")."""

    key: int
    answers: Mapping[str, Any]
    warnings: Sequence[Mapping[str, Any]] = ()
    mitigations: Sequence[Mapping[str, Any]] = ()


@dataclass(frozen=True)
class RiskItem:
    """One interaction in a group: whether the practice is missing there, and the titles
    of the warnings the group closes there."""

    key: int
    severity: str
    missing: bool
    warnings: tuple[str, ...]


class ClosedWarning(NamedTuple):
    code: str
    title: str
    count: int  # on how many of the group's interactions


@dataclass(frozen=True)
class RiskGroup:
    """One step of the plan: a practice to put in place, or a warning to deal with."""

    code: str
    title: str
    kind: str  # "practice" or "warning"
    severity: str  # the worst of its items
    items: tuple[RiskItem, ...]
    closes_warnings: tuple[ClosedWarning, ...]
    risk: int  # high 3, medium 2, low 1, over the missing practice and its warnings
    interactions: int
    # How many warnings the group closes, by severity, worst first: (("high", 3), ...).
    closed_by_severity: tuple[tuple[str, int], ...] = ()

    @property
    def missing(self) -> int:
        """On how many interactions the practice itself is missing."""
        return sum(1 for item in self.items if item.missing)


@dataclass
class _Draft:
    kind: str
    code: str
    titles: Counter = field(default_factory=Counter)
    # key -> [practice severity or None, {warning code: (title, severity)}]
    items: dict[int, list] = field(default_factory=dict)

    def item(self, key: int) -> list:
        return self.items.setdefault(key, [None, {}])


def _severity(value: Any) -> str:
    return value if value in SEVERITY_RANK else "low"


def _worst(severities: Iterable[str]) -> str:
    return min(severities, key=SEVERITY_RANK.__getitem__, default="low")


def known_answers(framework: Framework, answers: Mapping[str, Any]) -> dict[str, Any]:
    """What warning conditions are tested on: the answers the framework accepts, without
    the questions that do not apply, plus the figures derived from them (as scoring does)."""
    try:
        clean, _ = check_answers(framework, answers)
    except AnswerError:
        clean = {}
    effective, _ = applicable(framework.plan, clean)
    return derived(effective, *estimates(framework, effective))


def closes(framework: Framework, rule: WarningRule, known: Mapping[str, Any], capability: str):
    """Whether adding `capability` to the team's practices makes `rule` stop holding."""
    if framework.capabilities is None or not rule.when(known):
        return False
    have = tuple(known.get(framework.capabilities) or ())
    if capability in have:
        return False
    return not rule.when({**known, framework.capabilities: (*have, capability)})


class _Closers:
    """The practices that can close warnings: each practice code with its capability, the
    framework's order first."""

    def __init__(self, framework: Framework) -> None:
        self.framework = framework
        self.capability: dict[str, str] = {}
        self.titles: dict[str, str] = {}
        for practices in framework.practices.values():
            for practice in practices:
                self.titles.setdefault(practice.code, practice.title)
                if practice.capability is not None:
                    self.capability.setdefault(practice.code, practice.capability)
        self.rules = {rule.code: rule for rule in framework.warnings}

    def closer(self, code: str, known: Mapping[str, Any], missing: Sequence[str]) -> str | None:
        """The practice that closes the warning `code`: one missing on the interaction
        first, else any the framework knows; None when no single practice closes it."""
        rule = self.rules.get(code)
        if rule is None or not rule.when(known):
            return None
        candidates = [c for c in missing if c in self.capability]
        candidates += [c for c in self.capability if c not in candidates]
        for candidate in candidates:
            if closes(self.framework, rule, known, self.capability[candidate]):
                return candidate
        return None


def _collect(framework: Framework, entries: Iterable[RegisterEntry]):
    closers = _Closers(framework)
    drafts: dict[tuple[str, str], _Draft] = {}
    order: dict[int, int] = {}

    def draft(kind: str, code: str) -> _Draft:
        return drafts.setdefault((kind, code), _Draft(kind=kind, code=code))

    for entry in entries:
        order.setdefault(entry.key, len(order))
        missing = [m for m in entry.mitigations if m.get("status") == "missing" and m.get("code")]
        for practice in missing:
            group = draft(PRACTICE, practice["code"])
            group.titles[practice.get("title") or practice["code"]] += 1
            group.item(entry.key)[0] = _severity(practice.get("severity"))
        known = None
        for warning in entry.warnings:
            severity, code = warning.get("severity"), warning.get("code")
            if severity not in COUNTED_WARNINGS or not code:
                continue
            rule = closers.rules.get(code)
            title = rule.title if rule is not None else warning.get("title") or code
            if known is None:
                known = known_answers(framework, entry.answers)
            closer = closers.closer(code, known, [m["code"] for m in missing])
            group = draft(PRACTICE, closer) if closer else draft(WARNING, code)
            if not closer:
                group.titles[title] += 1
            group.item(entry.key)[1][code] = (title, severity)
    return drafts, order, closers.titles


def _group(draft: _Draft, order: Mapping[int, int], titles: Mapping[str, str]) -> RiskGroup:
    items, risk = [], 0
    closed: Counter = Counter()
    closed_titles: dict[str, tuple[str, str]] = {}
    severities: Counter = Counter()
    for key, (practice_severity, warnings) in draft.items.items():
        found = [severity for _, severity in warnings.values()]
        if practice_severity is not None:
            found.append(practice_severity)
            risk += POINTS[practice_severity]
        for code, (title, severity) in warnings.items():
            risk += POINTS[severity]
            if draft.kind == PRACTICE:
                closed[code] += 1
                closed_titles[code] = (title, severity)
                severities[severity] += 1
        items.append(RiskItem(
            key=key, severity=_worst(found), missing=practice_severity is not None,
            warnings=tuple(title for title, _ in warnings.values()),
        ))  # fmt: skip
    items.sort(key=lambda item: (SEVERITY_RANK[item.severity], order[item.key]))
    if draft.titles:
        title = draft.titles.most_common(1)[0][0]
    else:
        title = titles.get(draft.code, draft.code)
    closes_warnings = sorted(
        (ClosedWarning(code, closed_titles[code][0], count) for code, count in closed.items()),
        key=lambda w: (SEVERITY_RANK[closed_titles[w.code][1]], -w.count, w.title),
    )
    return RiskGroup(
        code=draft.code, title=title, kind=draft.kind,
        severity=_worst(item.severity for item in items), items=tuple(items),
        closes_warnings=tuple(closes_warnings), risk=risk, interactions=len(items),
        closed_by_severity=tuple(sorted(severities.items(), key=lambda s: SEVERITY_RANK[s[0]])),
    )  # fmt: skip


def build_register(framework: Framework, entries: Iterable[RegisterEntry]) -> tuple[RiskGroup, ...]:
    """The register's groups: most interactions first, then most risk, then by title."""
    drafts, order, titles = _collect(framework, entries)
    groups = [_group(draft, order, titles) for draft in drafts.values()]
    groups.sort(key=lambda g: (-g.interactions, -g.risk, g.title, g.kind, g.code))
    return tuple(groups)
