"""One world per test module, built once and rolled back after the module's last test;
each test runs in a savepoint inside it (pytest-django's `db`)."""

from __future__ import annotations

import pytest
from django.db import transaction

from tests.security.world import World, build_world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker) -> World:
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)
