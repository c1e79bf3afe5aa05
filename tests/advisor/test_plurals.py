"""Counts in the advisor's sentences take the right form for one and for several."""

from __future__ import annotations

import pytest
from django.urls import reverse

from advisor.frameworks import framework_get
from advisor.presenters import _flip_sentence
from tests.factories import record_decision

FRAMEWORK = framework_get("default", 3)
NAMES = {pattern.key: pattern.name for pattern in FRAMEWORK.patterns}


@pytest.mark.parametrize(("margin", "words"), [(1, "(by 1 point)"), (2.5, "(by 2.5 points)")])
def test_what_would_change_it_says_point_for_one(margin, words):
    flip = {"question": "operation", "from": "query", "to": "event", "recommendation": "async",
            "margin": margin}  # fmt: skip
    assert _flip_sentence(FRAMEWORK, flip, NAMES).endswith(f"would win {words}.")


@pytest.mark.django_db
def test_deleting_a_system_with_one_decision_says_it_stays(client):
    decision = record_decision()
    system = decision.interaction.system
    owner = system.team.memberships.get(role="owner").user
    client.force_login(owner)
    text = client.get(reverse("system_delete", args=[system.pk])).text
    assert "The decision record made for it stays in the team&#x27;s log" in text
    assert "2 services and 1 interaction with its questionnaire (answered)." in text
