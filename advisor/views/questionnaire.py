"""The questionnaire: answering, live re-scoring, and saving the draft answers.

Several tabs or teammates may answer the same questionnaire. Each form carries the saved
answers it started from (see `advisor.questionnaire.Base`); a save merges its changes with
whatever was saved since, question by question, and only a question both sides changed
differently is put to the person to settle.
"""

from __future__ import annotations

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

from advisor import access, services
from advisor.engine import Framework, FrameworkError, Result, check_answers, evaluate
from advisor.frameworks import DEFAULT_FRAMEWORK, get_framework
from advisor.presenters import build_scoreboard
from advisor.question_blocks import (
    conflict_notes,
    error_boxes_oob,
    estimator_inputs,
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
from advisor.views.common import get_interaction_for_user

PAGE = "advisor/interaction_detail.html"
LIVE_UPDATE = f"{PAGE}#live-update"


def _framework_named(data) -> Framework | None:
    try:
        return get_framework(data.get("framework", DEFAULT_FRAMEWORK))
    except FrameworkError:
        return None


def _questionnaire_context(
    framework: Framework,
    result: Result,
    shown: dict,
    errors=None,
    conflicts=None,
    swapped=(),
    folded: set[str] | None = None,
) -> dict:
    """What the questionnaire and its scoreboard show. `swapped` questions are sent again
    out of band; so is every question that `folded` (the questions folded on the page that
    posted) shows folded or open while it should now be the other way."""
    away = result.not_applicable
    sections = questionnaire_sections(framework, shown, errors, conflicts, away)
    inputs = estimator_inputs(framework, shown, errors, conflicts)
    blocks = [q for section in sections for q in section.questions] + list(inputs)
    resend = set(swapped)
    if folded is not None:
        resend.update(q.key for q in blocks if (q.key in folded) != q.folded)
    return {
        "framework_name": framework.name,
        "sections": sections,
        "estimate_inputs": inputs,
        "error_boxes": error_boxes_oob(sections, inputs),
        "board": build_scoreboard(framework, result),
        "swapped": [q for q in blocks if q.key in resend],
        "conflict_keys": [q.key for q in blocks if q.conflict],
    }  # fmt: skip


def _folded_on_page(request: HttpRequest) -> set[str]:
    """The questions the posting page showed folded away (each folded block posts its key)."""
    return set(request.POST.getlist("folded"))


def _page(request, interaction, draft, framework, *, shown, result, base: Base,
          errors=None, conflicts=None, status=200, **extra) -> HttpResponse:  # fmt: skip
    context = {
        "team": interaction.system.team,
        "interaction": interaction,
        "draft": draft,
        "can_write": access.can(interaction.viewer_role, access.WRITE),
        "base_token": base.token(interaction.pk),
        "decisions": interaction.decisions.order_by("number"),
        **_questionnaire_context(framework, result, shown, errors, conflicts),
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
        framework = _framework_named(request.POST) if request.method == "POST" else None
        if framework is not None:
            stash_unsaved_answers(request.session, pk, framework, request.POST)
        return redirect_to_login(reverse("interaction_detail", args=[pk]))
    if request.method == "POST":
        return _score(request, pk)
    interaction = get_interaction_for_user(request, pk, access.READ)
    services.current_team_remember(session=request.session, team=interaction.system.team)
    draft = draft_for_interaction(interaction)
    unsaved = pop_unsaved_answers(request.session, pk)
    if unsaved is not None and access.can(interaction.viewer_role, access.WRITE):
        restored = _restored_page(request, interaction, draft, unsaved)
        if restored is not None:
            return restored
    framework = get_framework(draft.framework_name)
    result = evaluate(framework, check_answers(framework, draft.answers)[0])
    base = Base(draft.revision, draft.answers)
    return _page(request, interaction, draft, framework, shown=draft.answers, result=result,
                 base=base)  # fmt: skip


def _restored_page(request, interaction, draft, unsaved) -> HttpResponse | None:
    """The answers a lapsed session posted, back on the page and marked as not saved yet;
    None when they cannot be used (another framework, or a form that was not this page's)."""
    framework = _framework_named(unsaved)
    base = base_from_post(unsaved, interaction.pk)
    if framework is None or base is None:
        return None
    raw = answers_from_post(framework, unsaved)
    answers, errors = check_answers(framework, raw)
    return _page(request, interaction, draft, framework, shown=raw, errors=errors,
                 result=evaluate(framework, answers), base=base,
                 save_status="restored")  # fmt: skip


def _score(request: HttpRequest, pk: int) -> HttpResponse:
    """Re-score the posted answers and save them, merged with any save made meanwhile.

    htmx gets the scoreboard partial plus out-of-band updates of the save status, the base,
    the phone summary, each question's message box and any question whose answer changed
    elsewhere; a plain POST gets a redirect to the scoreboard, or the whole page when
    nothing was saved. Answers with problems are not saved, but the others are still scored.
    """
    framework = _framework_named(request.POST)
    if framework is None:
        return HttpResponse("The form names an unknown framework; reload the page.", status=400)
    base = base_from_post(request.POST, pk)
    if base is None:
        return HttpResponse("The form lacks the answers it started from; reload the page.",
                            status=400)  # fmt: skip
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
        "swapped_count": len(swapped), "base_token": base_token(pk, saved.revision, shown),
        **_questionnaire_context(framework, saved.result, shown, swapped=swapped,
                                 folded=_folded_on_page(request)),
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
        context.update(base_token=base.token(pk), **_questionnaire_context(
            framework, result, raw, conflicts=notes, swapped=swapped,
            folded=_folded_on_page(request)))  # fmt: skip
        return render(request, LIVE_UPDATE, context, status=409)
    interaction = get_interaction_for_user(request, pk, access.WRITE)
    return _page(request, interaction, draft_for_interaction(interaction), framework,
                 shown=raw, result=result, base=base, conflicts=notes, status=409,
                 **context)  # fmt: skip


def _not_saved(request, pk, framework, raw, errors, result, base) -> HttpResponse:
    interaction = get_interaction_for_user(request, pk, access.READ)
    if request.htmx:
        context = {"save_status": "invalid", "base_token": base.token(pk),
                   **_questionnaire_context(framework, result, raw, errors,
                                            folded=_folded_on_page(request))}  # fmt: skip
        return render(request, LIVE_UPDATE, context, status=422)
    return _page(request, interaction, draft_for_interaction(interaction), framework,
                 shown=raw, errors=errors, result=result, base=base, status=422,
                 save_status="invalid")  # fmt: skip
