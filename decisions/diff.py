"""What changed between two revisions of a decision: field by field, side by side.

Texts are compared line by line, then word by word within the lines that changed. Every
comparison spends from a fixed budget of steps (Myers' algorithm stops once its budget is
gone), so no text, however long or however edited, makes a page request quadratic: past the
budget or the size caps a field is summarised (lines added and removed, and the first lines
of the changed part) instead of compared.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

from advisor.engine import Framework
from advisor.presenters import answer_label
from decisions.models import Status
from decisions.presenters import pattern_name
from decisions.sequences import Budget, OverBudget, common_head, longest_common

FIELD_LABELS = {
    "title": "Title", "status": "Status", "decided_on": "Decided on",
    "deciders": "Decision-makers", "consulted": "Consulted", "informed": "Informed",
    "context": "Context and problem statement", "drivers": "Decision drivers",
    "chosen_option": "Chosen option", "chosen_title": "Chosen option",
    "justification": "Justification",
    "good_consequences": "Good consequences", "bad_consequences": "Bad consequences",
    "confirmation": "Confirmation", "links": "Links", "supersedes": "Supersedes",
    "recommendation": "Advisor's recommendation", "framework": "Framework",
}  # fmt: skip

# Past these, the changed part of a field (what is left once the lines both versions share
# at the start and at the end are set aside) is summarised rather than compared.
MAX_CHANGED_LINES = 1_000
MAX_CHANGED_CHARS = 20_000
# Comparison steps: for one field's lines, and for a whole page (lines and words).
FIELD_STEPS = 100_000
PAGE_STEPS = 400_000
# Word-level highlighting only within lines of at most this many words and spaces.
MAX_LINE_TOKENS = 400
# Below this share of characters in common, a changed line is shown as replaced outright:
# marking nearly every word of it would only be noise.
MIN_SIMILARITY = 0.4
# Past this many (old line, new line) candidates in one change, lines pair by position.
MAX_LINE_PAIRINGS = 400
CONTEXT_LINES = 2
SUMMARY_LINES = 12
SUMMARY_CHARS = 2_000

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]")
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Segment:
    text: str
    kind: str = "same"  # "same", "removed" or "added"


@dataclass(frozen=True)
class Line:
    segments: tuple[Segment, ...]
    # "same"; "changed" (its words are marked); "removed" or "added" (the whole line).
    kind: str = "same"

    @property
    def text(self) -> str:
        return "".join(segment.text for segment in self.segments)


@dataclass(frozen=True)
class Block:
    """A run of lines both versions share ("same"), lines that differ ("changed"), or
    unchanged lines folded away ("gap", `skipped` of them)."""

    kind: str
    before: tuple[Line, ...] = ()
    after: tuple[Line, ...] = ()
    skipped: int = 0


@dataclass(frozen=True)
class Summary:
    added: int
    removed: int
    before: tuple[str, ...]
    after: tuple[str, ...]


@dataclass(frozen=True)
class FieldChange:
    label: str
    blocks: tuple[Block, ...] = ()
    summary: Summary | None = None
    note: str = ""


def revision_diff(
    framework: Framework, old: dict[str, Any], new: dict[str, Any], budget: Budget | None = None
) -> list[FieldChange]:
    """Field by field, what changed between two revisions, answers and scores included."""
    budget = budget or Budget(PAGE_STEPS)
    changes = []
    for field, label in FIELD_LABELS.items():
        before, after = old.get(field), new.get(field)
        if before != after:
            changes.append(
                compare_texts(
                    label, _field_text(framework, field, before),
                    _field_text(framework, field, after), budget,
                )
            )  # fmt: skip
    old_answers, new_answers = old.get("answers", {}), new.get("answers", {})
    for question in framework.questions:
        a, b = old_answers.get(question.key), new_answers.get(question.key)
        if a != b:
            changes.append(compare_texts(
                f"Answer: {question.text}",
                "not answered" if a is None else answer_label(framework, question.key, a),
                "not answered" if b is None else answer_label(framework, question.key, b),
                budget,
            ))  # fmt: skip
    for numeric in framework.inputs:
        a, b = old_answers.get(numeric.key), new_answers.get(numeric.key)
        if a != b:
            changes.append(compare_texts(
                f"Answer: {numeric.label}", _quantity(a, numeric.unit),
                _quantity(b, numeric.unit), budget,
            ))  # fmt: skip
    old_scores, new_scores = old.get("scores", {}), new.get("scores", {})
    for key in sorted(set(old_scores) | set(new_scores)):
        if old_scores.get(key) != new_scores.get(key):
            changes.append(compare_texts(
                f"Score: {pattern_name(framework, key)}",
                _plain(old_scores.get(key)), _plain(new_scores.get(key)), budget,
            ))  # fmt: skip
    return changes


def _field_text(framework: Framework, field: str, value: Any) -> str:
    """A stored value as a reader knows it: labels and names, never keys."""
    if value is None or value == "":
        return ""
    if field == "status" and value in Status.values:
        return Status(value).label
    if field in ("chosen_option", "recommendation"):
        return pattern_name(framework, value)
    if field == "framework" and isinstance(value, dict):
        return f"{value.get('name', '')} v{value.get('version', '')}"
    if isinstance(value, str):
        return value
    return _plain(value)


def _quantity(value: Any, unit: str) -> str:
    if value is None:
        return "not answered"
    if isinstance(value, (int, float)):
        return f"{value:g} {unit}".strip()
    return f"{value} {unit}".strip()


def _plain(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return str(value)


def compare_texts(label: str, before: str, after: str, budget: Budget) -> FieldChange:
    """Two versions of one field as blocks of lines side by side, or a summary past the caps."""
    old, new = before.splitlines(), after.splitlines()
    if old == new:
        return FieldChange(label=label, note="Only line endings changed.")
    # Lines become small integers, so comparing two of them costs the same however long.
    ids: dict[str, int] = {}
    a = [ids.setdefault(line, len(ids)) for line in old]
    b = [ids.setdefault(line, len(ids)) for line in new]
    head = common_head(a, b)
    tail = common_head(a[head:][::-1], b[head:][::-1])
    middle_old, middle_new = old[head : len(old) - tail], new[head : len(new) - tail]
    too_large = (
        max(len(middle_old), len(middle_new)) > MAX_CHANGED_LINES
        or max(sum(map(len, middle_old)), sum(map(len, middle_new))) > MAX_CHANGED_CHARS
    )
    matches: list[tuple[int, int]] = []
    # One line against one line needs no search: they differ, or the head would hold them.
    if not too_large and not len(middle_old) == len(middle_new) == 1:
        try:
            matches = longest_common(a[head : len(a) - tail], b[head : len(b) - tail],
                               budget.share(FIELD_STEPS))  # fmt: skip
        except OverBudget:
            too_large = True
    if too_large:
        return FieldChange(label=label, summary=_summary(middle_old, middle_new))
    pairs = [(head + i, head + j) for i, j in matches]
    pairs = [(i, i) for i in range(head)] + pairs
    pairs += [(len(old) - tail + k, len(new) - tail + k) for k in range(tail)]
    return FieldChange(label=label, blocks=tuple(_blocks(old, new, pairs, budget)))


def _blocks(old: list[str], new: list[str], pairs: list[tuple[int, int]], budget: Budget):
    """Blocks for the page: changed lines, with a little unchanged context around them."""
    runs: list[tuple[list[str], list[str]] | list[str]] = []
    i = j = 0
    for x, y in [*pairs, (len(old), len(new))]:
        if x > i or y > j:
            runs.append((old[i:x], new[j:y]))
        if x < len(old):
            if runs and isinstance(runs[-1], list):
                runs[-1].append(old[x])
            else:
                runs.append([old[x]])
        i, j = x + 1, y + 1
    for index, run in enumerate(runs):
        if isinstance(run, list):
            yield from _context(run, first=index == 0, last=index == len(runs) - 1)
        else:
            yield _changed(*run, budget)


def _context(lines: list[str], *, first: bool, last: bool):
    """Unchanged lines: those next to a change are shown, the rest folded into a gap."""
    keep_before = 0 if first else CONTEXT_LINES
    keep_after = 0 if last else CONTEXT_LINES
    if len(lines) <= keep_before + keep_after + 1:
        if lines:
            yield _same(lines)
        return
    if keep_before:
        yield _same(lines[:keep_before])
    yield Block("gap", skipped=len(lines) - keep_before - keep_after)
    if keep_after:
        yield _same(lines[-keep_after:])


def _same(lines: list[str]) -> Block:
    # Unchanged lines are only context: a very long one (text kept from before the caps)
    # shows its start.
    shown = tuple(Line((Segment(_clipped(line)),)) for line in lines)
    return Block("same", before=shown, after=shown)


def _clipped(line: str) -> str:
    return line if len(line) <= SUMMARY_CHARS else line[:SUMMARY_CHARS] + "…"


def _changed(old: list[str], new: list[str], budget: Budget) -> Block:
    """Lines that differ, each old line set against the new line most like it, word by word."""
    before, after = [], []
    for i, j in _line_pairs(old, new):
        words = _word_diff(old[i], new[j], budget) if i is not None and j is not None else None
        if words:
            before.append(words[0])
            after.append(words[1])
            continue
        if i is not None:
            before.append(Line((Segment(old[i]),), kind="removed"))
        if j is not None:
            after.append(Line((Segment(new[j]),), kind="added"))
    return Block("changed", before=tuple(before), after=tuple(after))


def _line_pairs(old: list[str], new: list[str]) -> list[tuple[int | None, int | None]]:
    """Old and new lines of a change in order, each old line paired with the next new line
    that shares most of its words (or with none); in large changes, simply n-th with n-th."""
    if len(old) * len(new) > MAX_LINE_PAIRINGS:
        return [
            (i if i < len(old) else None, i if i < len(new) else None)
            for i in range(max(len(old), len(new)))
        ]
    old_words = [set(_WORD.findall(line)) for line in old]
    new_words = [set(_WORD.findall(line)) for line in new]
    pairs: list[tuple[int | None, int | None]] = []
    start = 0
    for i, words in enumerate(old_words):
        best, best_j = MIN_SIMILARITY, None
        for j in range(start, len(new)):
            union = len(words | new_words[j])
            likeness = len(words & new_words[j]) / union if union else 0
            if likeness >= best:
                best, best_j = likeness, j
        if best_j is None:
            pairs.append((i, None))
            continue
        pairs.extend((None, j) for j in range(start, best_j))
        pairs.append((i, best_j))
        start = best_j + 1
    pairs.extend((None, j) for j in range(start, len(new)))
    return pairs


def _word_diff(a: str, b: str, budget: Budget) -> tuple[Line, Line] | None:
    """The two lines with their removed and added words marked, or None when they have too
    little in common (or are too long) for that to help."""
    old, new = _TOKEN.findall(a), _TOKEN.findall(b)
    if len(old) > MAX_LINE_TOKENS or len(new) > MAX_LINE_TOKENS:
        return None
    try:
        pairs = longest_common(old, new, budget.share(budget.left))
    except OverBudget:
        return None
    shared = sum(len(old[i]) for i, _ in pairs if not old[i].isspace())
    visible = sum(len(t) for t in old if not t.isspace()) + sum(
        len(t) for t in new if not t.isspace()
    )
    if not visible or 2 * shared / visible < MIN_SIMILARITY:
        return None
    kept_old, kept_new = {i for i, _ in pairs}, {j for _, j in pairs}
    return (
        Line(_segments(old, kept_old, "removed"), kind="changed"),
        Line(_segments(new, kept_new, "added"), kind="changed"),
    )


def _segments(tokens: list[str], kept: set[int], kind: str) -> tuple[Segment, ...]:
    kinds = ["same" if index in kept else kind for index in range(len(tokens))]
    # A space kept between two changed words belongs to the change: one mark, not two.
    for index in range(1, len(tokens) - 1):
        if tokens[index].isspace() and kinds[index - 1] == kinds[index + 1] == kind:
            kinds[index] = kind
    segments: list[Segment] = []
    for token, token_kind in zip(tokens, kinds, strict=True):
        if segments and segments[-1].kind == token_kind:
            segments[-1] = Segment(segments[-1].text + token, token_kind)
        else:
            segments.append(Segment(token, token_kind))
    return tuple(segments)


def _summary(old: list[str], new: list[str]) -> Summary:
    """Counts of lines only one version has (a multiset difference: linear), and the first
    lines of the changed part of each."""
    old_counts, new_counts = Counter(old), Counter(new)
    return Summary(
        added=sum((new_counts - old_counts).values()),
        removed=sum((old_counts - new_counts).values()),
        before=_first_lines(old),
        after=_first_lines(new),
    )


def _first_lines(lines: list[str]) -> tuple[str, ...]:
    shown, length = [], 0
    for line in lines[:SUMMARY_LINES]:
        if length + len(line) > SUMMARY_CHARS:
            shown.append(line[: max(0, SUMMARY_CHARS - length)] + "…")
            break
        shown.append(line)
        length += len(line)
    return tuple(shown)
