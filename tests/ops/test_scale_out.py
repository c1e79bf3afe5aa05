"""Scale-out: two app servers on one PostgreSQL record decisions for the same team at the
same time; the team's numbers stay unique and gapless, and every answer the people got
is exactly one record."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter

import pytest

from tests.ops.recording import post_recording, record_form, whole_log
from tests.ops.web import redirect_target

pytestmark = pytest.mark.ops

RECORDINGS = 40


def test_two_servers_recording_at_once_number_every_decision_once_without_gaps(
    site, client, figures
):
    team = site.teams["scale"]
    # One sign-in serves both: the servers share the database and therefore the sessions.
    servers = site.servers
    # Several interactions: recordings of one interaction queue for its answers, those of
    # different ones race for the team's next number.
    forms = {pk: record_form(client, pk) for pk in team["interactions"]}
    tokens = [uuid.uuid4() for _ in range(RECORDINGS)]
    answers: dict[int, object] = {}
    ready = threading.Barrier(RECORDINGS + 1)

    def record(index: int) -> None:
        session = client.copy(servers[index % 2].url)
        interaction = team["interactions"][index // 2 % len(forms)]
        ready.wait()
        answers[index] = post_recording(session, interaction, forms[interaction], tokens[index],
                                        f"Scale-out {index}", timeout=60)  # fmt: skip

    threads = [threading.Thread(target=record, args=(n,)) for n in range(RECORDINGS)]
    for thread in threads:
        thread.start()
    ready.wait()
    started = time.monotonic()
    for thread in threads:
        thread.join(timeout=90)
    elapsed = time.monotonic() - started

    outcomes = Counter(answer.outcome for answer in answers.values())
    figures(f"{RECORDINGS} concurrent recordings ({len(forms)} interactions of one team) on 2 "
            f"servers x 2 workers: {dict(outcomes)} in "
            f"{elapsed:.2f} s, {RECORDINGS / elapsed:.1f} recordings/s")  # fmt: skip
    assert len(answers) == RECORDINGS, "some recordings never answered"
    assert outcomes == {"302": RECORDINGS}, f"not every recording succeeded: {outcomes}"
    log = whole_log(site.cluster, team["team_id"])  # unique, gapless 1..N, each whole
    assert sorted(record.number for record in log.values()) == list(range(1, RECORDINGS + 1))
    for index, answer in answers.items():
        assert log[tokens[index]].pk == redirect_target(answer), f"recording {index}: {answer}"
