"""A decision's history: two versions of each changed field side by side, at bounded cost."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from decisions import services
from decisions.diff import FIELD_STEPS, MAX_CHANGED_LINES, PAGE_STEPS, compare_texts
from decisions.models import Decision
from decisions.sequences import Budget, OverBudget, longest_common
from tests.factories import SystemFactory, make_interaction, record_decision

EVERY_OTHER_LINE = 20_000


def _edited_every_other_line(lines: int) -> tuple[str, str]:
    before = "\n".join(f"line {i} of the original context" for i in range(lines))
    after = "\n".join(
        f"line {i} of the {'edited' if i % 2 else 'original'} context" for i in range(lines)
    )
    return before, after


def _side(change, side: str) -> list[tuple[str, str]]:
    """(line kind, text with its marked words in brackets) for one side of every block."""
    rows = []
    for block in change.blocks:
        for line in getattr(block, side):
            text = "".join(s.text if s.kind == "same" else f"[{s.text}]" for s in line.segments)
            rows.append((line.kind, text))
    return rows


class TestCompareTexts:
    def test_changed_words_are_marked_within_the_changed_line(self):
        change = compare_texts(
            "Context", "We call the stock service.\nIt answers fast.",
            "We call the pricing service.\nIt answers fast.", Budget(PAGE_STEPS),
        )  # fmt: skip
        assert _side(change, "before")[0] == ("changed", "We call the [stock] service.")
        assert _side(change, "after")[0] == ("changed", "We call the [pricing] service.")
        assert ("same", "It answers fast.") in _side(change, "after")

    def test_a_line_with_nothing_in_common_is_replaced_whole(self):
        change = compare_texts("Title", "Call the stock service", "Renamed", Budget(PAGE_STEPS))
        assert _side(change, "before") == [("removed", "Call the stock service")]
        assert _side(change, "after") == [("added", "Renamed")]

    def test_added_and_removed_lines_stand_opposite_nothing(self):
        change = compare_texts("Drivers", "- cost\n- speed", "- speed\n- safety", Budget(1000))
        assert ("removed", "- cost") in _side(change, "before")
        assert ("added", "- safety") in _side(change, "after")

    def test_long_unchanged_runs_fold_into_a_gap_with_context_around_changes(self):
        lines = [f"line {i}" for i in range(30)]
        edited = [*lines[:15], "line fifteen", *lines[16:]]
        change = compare_texts("Context", "\n".join(lines), "\n".join(edited), Budget(10_000))
        kinds = [block.kind for block in change.blocks]
        assert kinds == ["gap", "same", "changed", "same", "gap"]
        assert change.blocks[0].skipped == 13 and change.blocks[-1].skipped == 12

    def test_a_change_of_line_endings_only_is_said_so(self):
        change = compare_texts("Links", "a\r\nb", "a\nb", Budget(1000))
        assert change.note and not change.blocks and change.summary is None

    def test_a_huge_text_edited_on_every_other_line_is_summarised_without_comparing(self):
        before, after = _edited_every_other_line(EVERY_OTHER_LINE)
        budget = Budget(PAGE_STEPS)
        change = compare_texts("Context", before, after, budget)
        assert change.summary is not None and not change.blocks
        assert (change.summary.added, change.summary.removed) == (10_000, 10_000)
        assert change.summary.before[0] == "line 1 of the original context"
        assert change.summary.after[0] == "line 1 of the edited context"
        assert budget.spent == 0  # the size caps decided, before any line was compared

    def test_many_differences_within_the_size_caps_stop_at_the_budget(self):
        # Short lines, so the caps let the comparison start; every other one differs.
        before = "\n".join(f"{i}" for i in range(MAX_CHANGED_LINES))
        after = "\n".join(f"{i}{'x' if i % 2 else ''}" for i in range(MAX_CHANGED_LINES))
        budget = Budget(PAGE_STEPS)
        change = compare_texts("Context", before, after, budget)
        assert change.summary is not None
        assert (change.summary.added, change.summary.removed) == (500, 500)
        # One field never spends more than its share, give or take one run of equal lines.
        assert FIELD_STEPS < budget.spent <= FIELD_STEPS + MAX_CHANGED_LINES

    def test_a_spent_page_budget_still_shows_small_changes_line_by_line(self):
        budget = Budget(10)
        budget.spent = 10
        change = compare_texts("Title", "Old words here", "New words here", budget)
        assert _side(change, "before") == [("removed", "Old words here")]
        assert _side(change, "after") == [("added", "New words here")]

    def test_the_line_comparison_gives_up_past_its_budget(self):
        with pytest.raises(OverBudget):
            longest_common(list(range(200)), list(range(200, 400)), Budget(500))


@given(
    st.lists(st.integers(0, 4), max_size=25), st.lists(st.integers(0, 4), max_size=25)
)  # fmt: skip
def test_the_matches_are_a_longest_common_subsequence(a, b):
    pairs = longest_common(a, b, Budget(10**6))
    assert all(a[i] == b[j] for i, j in pairs)
    assert all(p[0] < q[0] and p[1] < q[1] for p, q in pairwise(pairs))
    longest = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            longest[i][j] = (
                longest[i + 1][j + 1] + 1 if a[i] == b[j]
                else max(longest[i + 1][j], longest[i][j + 1])
            )  # fmt: skip
    assert len(pairs) == longest[0][0]


@pytest.mark.django_db
class TestRevisionsPage:
    @pytest.fixture
    def decision(self, team, owner):
        interaction = make_interaction(
            system=SystemFactory(team=team, name="Shop"), answers={"operation": "batch"}
        )
        return record_decision(interaction, user=owner, context="We call the stock service.")

    def _update(self, decision, owner, **changes):
        data = {field: getattr(decision, field) or "" for field in services.EDITABLE_FIELDS}
        data.update(decided_on=None, **changes)
        return services.decision_update(
            decision=decision, user=owner, data=data, deciders=[owner],
            base_version=decision.version,
        )  # fmt: skip

    def test_it_shows_both_versions_side_by_side_with_words_marked(
        self, client, viewer, decision, owner
    ):
        self._update(decision, owner, context="We call the pricing service.")
        client.force_login(viewer)
        text = client.get(reverse("decision_revisions", args=[decision.pk])).text
        assert '<th scope="col">Version 1</th><th scope="col">Version 2</th>' in text
        assert '<del><span class="visually-hidden">removed: </span>stock</del>' in text
        assert '<ins><span class="visually-hidden">added: </span>pricing</ins>' in text
        assert 'href="/static/css/revisions.css"' in text

    def test_it_names_statuses_and_options_never_their_keys(self, client, viewer, decision, owner):
        self._update(decision, owner, chosen_option="sync", justification="Tiny batch")
        services.decision_change_status(
            decision=decision, user=owner, status="accepted", base_version=decision.version
        )
        client.force_login(viewer)
        url = reverse("decision_revisions", args=[decision.pk])
        text = client.get(url, {"from": 1, "to": 3}).text
        assert '<span class="removed">Proposed</span>' in text
        assert '<span class="added">Accepted</span>' in text
        assert "Synchronous request-response" in text
        assert '<span class="added">sync</span>' not in text
        assert '<span class="removed">proposed</span>' not in text

    def test_user_text_is_escaped(self, client, viewer, decision, owner):
        self._update(decision, owner, context='We call the <script>alert("x")</script> service.')
        client.force_login(viewer)
        text = client.get(reverse("decision_revisions", args=[decision.pk])).text
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text

    def test_a_huge_edit_shows_a_summary_and_the_start_of_the_change(
        self, client, viewer, decision, owner
    ):
        before, after = _edited_every_other_line(EVERY_OTHER_LINE)
        # Longer than the cap: a record stored before caps existed, kept as it was.
        Decision.objects.filter(pk=decision.pk).update(kept_over_caps=True)
        self._update(decision, owner, context=before)
        self._update(decision, owner, context=after)
        client.force_login(viewer)
        url = reverse("decision_revisions", args=[decision.pk])
        response = client.get(url, {"from": 2, "to": 3})
        assert response.status_code == 200
        assert "10000 lines added, 10000 removed" in response.text
        assert "line 1 of the edited context" in response.text
        assert "line 19999 of the" not in response.text  # only the first part
