"""The questionnaire: answering, live re-scoring, and saving the draft answers.

Several tabs or teammates may answer the same questionnaire. Each form carries the saved
answers it started from (see `advisor.questionnaire.Base`); a save merges its changes with
whatever was saved since, question by question, and only a question both sides changed
differently is put to the person to settle.

The questions are those of the framework the team's configuration names. The page's signed
base also says which framework its questions came from, so that a re-score parses and scores
without reading the team first; the save itself checks that the team still uses that
framework, and if it does not, nothing is saved and the page comes back with the team's
framework and the answers carried over. Nothing in a request names a framework.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from advisor import access, services
from advisor.engine import Framework, Result, check_answers, evaluate
from advisor.frameworks import FrameworkNotFound, framework_get, new_team_framework, team_framework
from advisor.presenters import build_scoreboard
from advisor.question_blocks import (
    ChainHint,
    carry_over,
    conflict_notes,
    error_boxes_oob,
    estimator_inputs,
    folded_now,
    question_blocks,
    questionnaire_sections,
)
from advisor.questionnaire import (
    TAKE_THEIRS,
    Base,
    answer_keys,
    answers_from_post,
    base_from_post,
    base_token,
    changed_keys,
    jsonable,
    pop_unsaved_answers,
    resolution_from_post,
    stash_unsaved_answers,
)
from advisor.selectors import draft_for_interaction
from advisor.services import DraftSave, SaveOutcome
from advisor.system_map.analysis import analyse_system, computed_chain_depth, path_services
from advisor.system_map.facts import system_facts
from advisor.views.common import get_interaction_for_user

PAGE = "advisor/interaction_detail.html"
LIVE_UPDATE = f"{PAGE}#live-update"


def _identity(framework: Framework) -> tuple[str, int]:
    return framework.name, framework.version


def _tab_framework(base: Base) -> Framework | None:
    """The framework the posting page's questions came from, as its signed base says (a
    base from before pages said so is of the framework teams start with); None when it is
    no longer known."""
    try:
        return framework_get(*(base.framework or new_team_framework()))
    except FrameworkNotFound:
        return None


def _stash(session, pk: int, data, fallback: Framework | None = None) -> None:
    """Keep posted answers for the person to find on the page once they can save them."""
    base = base_from_post(data, pk)
    framework = (_tab_framework(base) if base is not None else None) or fallback
    if base is not None and framework is not None:
        stash_unsaved_answers(session, pk, answer_keys(framework), data)


def _chain_hint(interaction, framework: Framework, folded=frozenset()) -> ChainHint | None:
    """What the system's map computes for the question on synchronous hops, if the
    framework asks it and the page shows it open (not among the `folded` questions). It
    costs the reads of `system_facts` (the system's interactions, services and decisions,
    and its team unless already loaded), whatever the size of the system, and none at all
    when the question is folded away. Only people who may answer see it pre-filled."""
    settings = framework.tail_latency
    question = framework.questions_by_key.get(settings.hops) if settings else None
    if question is None or question.key in folded:
        return None
    facts = system_facts(interaction.system)
    try:
        depth = computed_chain_depth(facts, analyse_system(facts), interaction.pk)
    except KeyError:  # deleted since it was read
        return None
    hops = depth.hops
    if question.maximum is not None:
        hops = min(hops, question.maximum)
    return ChainHint(
        key=question.key, hops=hops, through_cycle=depth.through_cycle,
        services=path_services(facts, replace(depth, edges=depth.edges[:hops])),
        map_url=reverse("system_map", args=[interaction.system_id]),
        prefill=access.can(interaction.viewer_role, access.WRITE),
    )  # fmt: skip


def _live_chain_hint(request, pk: int, framework: Framework):
    """`_chain_hint` for a live re-score, read only if the question is sent again."""
    return lambda: _chain_hint(get_interaction_for_user(request, pk, access.READ), framework)


def _page_context(framework: Framework, result: Result, shown: dict, errors=None,
                  conflicts=None, chain: ChainHint | None = None) -> dict:  # fmt: skip
    """What the whole questionnaire page and its scoreboard show."""
    sections = questionnaire_sections(framework, shown, errors, conflicts,
                                      result.not_applicable, chain)  # fmt: skip
    return {
        "sections": sections,
        "estimate_inputs": estimator_inputs(framework, shown, errors, conflicts),
        "board": build_scoreboard(framework, result),
        "conflict_keys": _conflict_keys(framework, conflicts),
    }


def _live_context(request, framework: Framework, result: Result, shown: dict, errors=None,
                  conflicts=None, swapped=(), chain=None) -> dict:  # fmt: skip
    """What a live re-score sends: the scoreboard, and only the parts of the form that must
    change. `swapped` questions are sent again out of band; so is every question the
    posting page shows folded or open while it should now be the other way (each folded
    block posts its key as `folded`), and every message box that shows something now or
    did on the posting page (each posts its key as `flagged`). `chain` reads the map's
    hint, only when the question it is for is sent again open."""
    keys = answer_keys(framework)
    folded = folded_now(framework, errors, result.not_applicable)
    on_page = set(request.POST.getlist("folded"))
    resend = set(swapped) | (folded ^ on_page)
    boxes = set(request.POST.getlist("flagged")) | set(errors or ()) | set(conflicts or ())
    settings = framework.tail_latency
    hint = None
    if chain is not None and settings is not None and settings.hops in resend - folded:
        hint = chain()
    return {
        "error_boxes": error_boxes_oob([key for key in keys if key in boxes], errors, conflicts),
        "board": build_scoreboard(framework, result),
        "swapped": question_blocks(
            framework, resend, shown, errors, conflicts, result.not_applicable, hint
        ),
        "conflict_keys": _conflict_keys(framework, conflicts),
    }


def _conflict_keys(framework: Framework, conflicts) -> list[str]:
    return [key for key in answer_keys(framework) if key in (conflicts or {})]


def _page(request, interaction, draft, framework, *, shown, result, base: Base,
          errors=None, conflicts=None, status=200, **extra) -> HttpResponse:  # fmt: skip
    folded = folded_now(framework, errors, result.not_applicable)
    context = {
        "team": interaction.system.team,
        "interaction": interaction,
        "draft": draft,
        "can_write": access.can(interaction.viewer_role, access.WRITE),
        "base_token": base.token(interaction.pk),
        "decisions": interaction.decisions.order_by("number"),
        **_page_context(
            framework, result, shown, errors, conflicts, _chain_hint(interaction, framework, folded)
        ),
        **extra,
    }
    return render(request, PAGE, context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def interaction_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The questionnaire: GET shows it, POST re-scores and saves (see `_score`).

    Answers posted after the session ran out are not dropped at the login page: they are
    kept in the session and offered again, unsaved, once the person is back.
    """
    if not request.user.is_authenticated:
        if request.method == "POST":
            _stash(request.session, pk, request.POST)
        return redirect_to_login(reverse("interaction_detail", args=[pk]))
    if request.method == "POST":
        return _score(request, pk)
    interaction = get_interaction_for_user(request, pk, access.READ)
    team = interaction.system.team
    services.current_team_remember(session=request.session, team=team)
    framework = team_framework(team)
    draft = draft_for_interaction(interaction)
    unsaved = pop_unsaved_answers(request.session, pk)
    if unsaved is not None and access.can(interaction.viewer_role, access.WRITE):
        restored = _restored_page(request, interaction, draft, framework, unsaved)
        if restored is not None:
            return restored
    shown, change = draft.answers, None
    if (draft.framework_name, draft.framework_version) != _identity(framework):
        shown, change = carry_over(framework, _known(draft), draft.answers)
    result = evaluate(framework, check_answers(framework, shown)[0])
    base = Base(draft.revision, draft.answers, _identity(framework))
    return _page(request, interaction, draft, framework, shown=shown, result=result,
                 base=base, framework_change=change)  # fmt: skip


def _known(draft) -> Framework | None:
    """The framework a draft was saved with, if it is still known."""
    try:
        return framework_get(draft.framework_name, draft.framework_version)
    except FrameworkNotFound:
        return None


def _restored_page(request, interaction, draft, framework, unsaved) -> HttpResponse | None:
    """The answers a lapsed session (or a page of the team's previous framework) posted,
    back on the page and marked as not saved yet; None when they cannot be used (a form
    that was not this page's)."""
    base = base_from_post(unsaved, interaction.pk)
    if base is None:
        return None
    tab = _tab_framework(base)
    raw, change = answers_from_post(tab or framework, unsaved), None
    if tab is None or _identity(tab) != _identity(framework):
        raw, change = carry_over(framework, tab, raw)
    answers, errors = check_answers(framework, raw)
    return _page(request, interaction, draft, framework, shown=raw, errors=errors,
                 result=evaluate(framework, answers),
                 base=replace(base, framework=_identity(framework)),
                 save_status="restored", framework_change=change)  # fmt: skip


def _score(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-score the posted answers and save them, merged with any save made meanwhile.

    htmx gets the scoreboard partial plus out-of-band updates of the save status, the base,
    the phone summary, each question's message box and any question whose answer changed
    elsewhere; a plain POST gets a redirect to the scoreboard, or the whole page when
    nothing was saved. Answers with problems are not saved, but the others are still scored.
    """
    base = base_from_post(request.POST, pk)
    if base is None:
        get_interaction_for_user(request, pk, access.READ)  # someone else's: 404 first
        return HttpResponse("The form lacks the answers it started from; reload the page.",
                            status=400)  # fmt: skip
    framework = _tab_framework(base)
    if framework is None:
        return _framework_changed(request, pk)
    posted = answers_from_post(framework, request.POST)
    raw = posted
    resolution = resolution_from_post(request.POST, pk)
    if resolution is not None:
        base = base.resolved(resolution)
        if resolution.take == TAKE_THEIRS:
            raw = _with_answer(posted, resolution.key, resolution.theirs)
    answers, errors = check_answers(framework, raw)
    result = evaluate(framework, answers)
    if errors:
        return _not_saved(request, pk, framework, raw, errors, result, base)
    saved = services.assessment_save_draft(
        interaction_id=pk, user=request.user, answers=answers, result=result,
        base_revision=base.revision, base_answers=base.answers,
    )  # fmt: skip
    if saved.outcome == SaveOutcome.GONE:
        raise Http404("Not found.")
    if saved.outcome == SaveOutcome.NOT_ALLOWED:
        raise PermissionDenied("Your role in this team does not allow this.")
    if saved.outcome == SaveOutcome.FRAMEWORK_CHANGED:
        return _framework_changed(request, pk)
    if saved.saved:
        return _saved(request, pk, framework, posted, saved)
    return _conflict(request, pk, framework, posted, raw, result, base, saved)


def _with_answer(answers: dict, key: str, value: Any) -> dict:
    answers = {**answers, key: value}
    if value is None:
        del answers[key]
    return answers


def _saved(request, pk: int, framework: Framework, posted: dict, saved: DraftSave):
    merged = saved.outcome == SaveOutcome.MERGED
    if not request.htmx:
        messages.success(request, "Answers saved and scored, together with the changes saved "
                         "elsewhere." if merged else "Answers saved and scored.")  # fmt: skip
        return redirect(reverse("interaction_detail", args=[pk]) + "#scoreboard")
    shown = jsonable(saved.answers)
    # Questions changed elsewhere now show their saved answer in this tab too.
    swapped = changed_keys(answer_keys(framework), posted, shown) if merged else ()
    context = {
        "save_status": saved.outcome.value, "saved_at": timezone.now(),
        "swapped_count": len(swapped),
        "base_token": base_token(pk, saved.revision, shown, _identity(framework)),
        **_live_context(request, framework, saved.result, shown, swapped=swapped,
                        chain=_live_chain_hint(request, pk, framework)),
    }  # fmt: skip
    return render(request, LIVE_UPDATE, context)


def _conflict(request, pk, framework, posted, raw, result, base, saved: DraftSave):
    """Nothing was saved: the questions both sides changed are shown with both answers, to
    keep one or the other; the rest of this tab's changes are saved with that choice."""
    by = saved.updated_by
    if by == request.user.get_username():
        by = "you, in another tab or window,"
    notes = conflict_notes(framework, pk, saved.conflicts, theirs=saved.theirs, mine=raw, by=by)
    context = {"save_status": "conflict", "theirs_by": by, "theirs_at": saved.updated_at}
    if request.htmx:
        # A "take theirs" that still conflicts elsewhere shows their answer in its question.
        swapped = changed_keys(answer_keys(framework), posted, raw)
        context.update(base_token=base.token(pk), **_live_context(
            request, framework, result, raw, conflicts=notes, swapped=swapped,
            chain=_live_chain_hint(request, pk, framework)))  # fmt: skip
        return render(request, LIVE_UPDATE, context, status=409)
    interaction = get_interaction_for_user(request, pk, access.WRITE)
    return _page(request, interaction, draft_for_interaction(interaction), framework,
                 shown=raw, result=result, base=base, conflicts=notes, status=409,
                 **context)  # fmt: skip


def _framework_changed(request, pk: int) -> HttpResponse:
    """The team scores with another framework than the posting page asked: nothing is
    saved; the page comes back with the team's questions and these answers carried over
    (see `_restored_page`), not saved yet."""
    interaction = get_interaction_for_user(request, pk, access.READ)
    _stash(request.session, pk, request.POST, fallback=team_framework(interaction.system.team))
    url = reverse("interaction_detail", args=[pk])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


def _not_saved(request, pk, framework, raw, errors, result, base) -> HttpResponse:
    interaction = get_interaction_for_user(request, pk, access.READ)
    if _identity(team_framework(interaction.system.team)) != _identity(framework):
        return _framework_changed(request, pk)
    if request.htmx:
        context = {"save_status": "invalid", "base_token": base.token(pk),
                   **_live_context(request, framework, result, raw, errors,
                                   chain=lambda: _chain_hint(interaction, framework))}  # fmt: skip
        return render(request, LIVE_UPDATE, context, status=422)
    return _page(request, interaction, draft_for_interaction(interaction), framework,
                 shown=raw, errors=errors, result=result, base=base, status=422,
                 save_status="invalid")  # fmt: skip
