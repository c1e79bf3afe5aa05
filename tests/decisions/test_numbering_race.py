"""Two people recording at once never get the same decision number."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from decisions.services import decision_number_allocate
from tests.factories import SystemFactory, make_interaction, record_decision

pytestmark = pytest.mark.django_db(transaction=True)


def _in_threads(count: int, work) -> list:
    results: list = [None] * count
    errors: list = []
    start = threading.Barrier(count)

    def run(index: int) -> None:
        try:
            start.wait(timeout=10)
            results[index] = work(index)
        except Exception as error:  # reported below, with the thread's own traceback
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    return results


def test_a_number_held_by_an_open_transaction_is_not_handed_out_twice():
    team = SystemFactory().team
    timeline = []

    def allocate(index: int) -> int:
        with transaction.atomic():
            number = decision_number_allocate(team=team)
            timeline.append(("allocated", index, number, time.monotonic()))
            time.sleep(0.3)  # keep the transaction, and its lock, open a while
        timeline.append(("committed", index, number, time.monotonic()))
        return number

    numbers = _in_threads(2, allocate)
    assert sorted(numbers) == [1, 2]
    first_commit = min(t for kind, _, n, t in timeline if kind == "committed" and n == 1)
    second_allocation = next(t for kind, _, n, t in timeline if kind == "allocated" and n == 2)
    assert second_allocation >= first_commit  # the second waited for the first


def test_concurrent_recordings_get_distinct_consecutive_numbers():
    system = SystemFactory()
    interactions = [make_interaction(system=system, name=f"Call {i}") for i in range(4)]
    decisions = _in_threads(4, lambda index: record_decision(interactions[index]))
    assert sorted(d.number for d in decisions) == [1, 2, 3, 4]
    assert connection.vendor in {"postgresql", "sqlite"}
