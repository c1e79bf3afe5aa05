"""Records keep the framework version they were made with, in the database."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from advisor import frameworks
from advisor.models import FrameworkVersion
from decisions.models import Decision
from tests.factories import NOBODY_WAITS, make_interaction, record_decision

pytestmark = pytest.mark.django_db
freeze_migration = importlib.import_module("decisions.migrations.0006_framework_frozen")


def test_recording_freezes_the_framework_once_for_all_its_records():
    first = record_decision(make_interaction(name="One", answers=NOBODY_WAITS))
    second = record_decision(make_interaction(name="Two", answers=NOBODY_WAITS))
    assert first.framework_frozen_id == second.framework_frozen_id
    frozen = FrameworkVersion.objects.get()
    assert (frozen.name, frozen.version) == frameworks.new_team_framework()
    with pytest.raises(ValueError, match="cannot be changed"):
        frozen.save()


def test_records_from_before_freezing_get_the_version_they_name():
    current = record_decision(make_interaction(name="Now", answers=NOBODY_WAITS))
    older = record_decision(make_interaction(name="Then", answers=NOBODY_WAITS))
    lost = record_decision(make_interaction(name="Lost", answers=NOBODY_WAITS))
    Decision.objects.update(framework_frozen=None)
    Decision.objects.filter(pk=older.pk).update(framework_version=1)
    Decision.objects.filter(pk=lost.pk).update(framework_version=99)

    freeze_migration.freeze_existing(apps, None)

    older.refresh_from_db()
    current.refresh_from_db()
    lost.refresh_from_db()
    assert older.framework_frozen.version == 1
    assert "advice_requires" not in older.framework_frozen.document  # the file as v1 was
    assert current.framework_frozen.version == frameworks.new_team_framework()[1]
    assert lost.framework_frozen is None  # no copy of version 99 anywhere: left unfrozen
