"""The text a record starts with for a chosen option: its drivers and its consequences.

Pure functions of the framework and an engine result, so the record form, the services and
the demo all pre-fill the same words. The text belongs to the option the team chose, never
to the recommendation alone: choosing against the advice lists both sides.
"""

from __future__ import annotations

from collections.abc import Mapping

from advisor.engine import Framework, Result
from advisor.engine.explain import Lead, leads
from advisor.engine.plan import READINESS
from advisor.engine.tally import readiness_why, titles_in_words
from advisor.presenters import answer_label

# The fields whose pre-filled text depends on the chosen option.
OPTION_FIELDS = ("drivers", "good_consequences", "bad_consequences")
MAX_DRIVERS = 5
MAX_EACH_SIDE = 4


def _lines(framework: Framework, result: Result, *, favoured: str, other: str, limit: int):
    found = leads(framework, result.tally, result.answers, favoured=favoured, other=other)
    return [
        _line(framework, result, lead, favoured=favoured, other=other) for lead in found[:limit]
    ]


def _line(framework: Framework, result: Result, lead: Lead, *, favoured: str, other: str) -> str:
    if lead.question != READINESS:
        return (
            f"- {framework.factor_title(lead.question)} "
            f"**{answer_label(framework, lead.question, lead.answer)}**: {lead.why}"
        )
    # Readiness is no answer: it speaks of the practices the team does not run yet, and the
    # pattern that lacks more of them is the one it counts against.
    gaps = {gap.pattern: gap for gap in result.tally.readiness or ()}
    lacking, ahead = gaps.get(other), gaps.get(favoured)
    name = {pattern.key: pattern.name for pattern in framework.patterns}
    why = lacking and readiness_why(framework, result.tally.effective_answers, lacking)
    line = (
        f"- {framework.factor_title(READINESS)}, for {name[other]}: {_lower_first(why or lead.why)}"
    )
    if ahead is not None and ahead.missing:
        lacks = titles_in_words([title for _code, title in ahead.missing])
        line += f" {name[favoured]} lacks less: {lacks}."
    return line


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _best_other(result: Result, chosen: str) -> str | None:
    """The pattern the chosen one is measured against: the best other viable one."""
    viable = result.tally.viable
    return next((key for key in result.ranking if key != chosen and viable[key]), None) or next(
        (key for key in result.ranking if key != chosen), None
    )


def drivers_text(framework: Framework, result: Result, chosen: str) -> str:
    """Markdown: the answers that argue for `chosen`, and, against the advice, those that
    argue for the recommendation too."""
    name = {pattern.key: pattern.name for pattern in framework.patterns}
    if result.advised and chosen != result.recommendation:
        recommended = result.recommendation
        ours = _lines(framework, result, favoured=chosen, other=recommended, limit=MAX_EACH_SIDE)
        theirs = _lines(framework, result, favoured=recommended, other=chosen, limit=MAX_EACH_SIDE)
        parts = [f"In favour of {name[chosen]} (chosen):", ""]
        parts += ours or ["- No answer favours it over the recommendation."]
        parts += ["", f"In favour of {name[recommended]} (the advisor's recommendation):", ""]
        parts += theirs or ["- No answer favours it over the chosen option."]
        return "\n".join(parts)
    other = _best_other(result, chosen)
    if other is None:
        return ""
    return "\n".join(_lines(framework, result, favoured=chosen, other=other, limit=MAX_DRIVERS))


def option_texts(framework: Framework, result: Result, chosen: str) -> dict[str, str]:
    """The option-dependent fields as a record for `chosen` starts with them."""
    pattern = framework.pattern(chosen)
    return {
        "drivers": drivers_text(framework, result, chosen),
        "good_consequences": "\n".join(f"- {line}" for line in pattern.good_consequences),
        "bad_consequences": "\n".join(f"- {line}" for line in pattern.bad_consequences),
    }


def all_option_texts(framework: Framework, result: Result) -> dict[str, dict[str, str]]:
    return {key: option_texts(framework, result, key) for key in framework.pattern_keys}


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def refill(
    values: Mapping[str, str],
    texts: Mapping[str, Mapping[str, str]],
    chosen: str,
    *,
    fill_empty: bool = False,
) -> tuple[dict[str, str], tuple[str, ...]]:
    """`values` with every option field the author left as pre-filled (for any option)
    replaced by the text for `chosen`; what the author wrote is kept. An emptied field is
    kept empty when saving (the author cleared it); `fill_empty` fills it, for the form's
    live re-fill when the choice changes.

    Returns the new values and the fields that were replaced.
    """
    refilled = dict(values)
    changed = []
    for field in OPTION_FIELDS:
        current = str(values.get(field) or "")
        untouched = (fill_empty and not current.strip()) or any(
            _same(current, option[field]) for option in texts.values() if option[field]
        )
        if untouched and not _same(current, texts[chosen][field]):
            refilled[field] = texts[chosen][field]
            changed.append(field)
    return refilled, tuple(changed)
