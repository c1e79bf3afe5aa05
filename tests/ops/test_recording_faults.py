"""The database goes away while decisions are being recorded through the record form: each
recording is all or nothing (its number, its first revision, its decision-makers and its
search text together), the numbers keep running without a gap, and the person can send
the same form again once the database is back."""

from __future__ import annotations

import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.ops.recording import post_recording, record_form, whole_log
from tests.ops.web import redirect_target

pytestmark = pytest.mark.ops

UNREACHABLE = "cannot reach its database"
CUT_OFF = "Cut off mid-write"
# Holds a recording inside its transaction, after its decision row, its number and its
# first revision are written and before its search text is: the moment to pull the plug.
PAUSE_RECORDING = f"""
CREATE OR REPLACE FUNCTION ops_pause_recording() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM decisions_decision
               WHERE id = NEW.decision_id AND title LIKE '{CUT_OFF}%') THEN
        PERFORM pg_sleep(20);
    END IF;
    RETURN NULL;
END $$;
CREATE OR REPLACE TRIGGER ops_pause_recording AFTER INSERT ON decisions_revision
    FOR EACH ROW EXECUTE FUNCTION ops_pause_recording();
"""
PAUSED = "SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep'"


def _record_once_back(client, interaction, form, token, title, within: float = 20):
    """Send the form until the database answers again (503 meanwhile)."""
    deadline = time.monotonic() + within
    while True:
        answer = post_recording(client, interaction, form, token, title, timeout=15)
        if answer.status != 503 or time.monotonic() > deadline:
            return answer
        time.sleep(0.25)


@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_a_recording_cut_off_mid_write_leaves_nothing_and_sending_it_again_records_it_once(
    site, client, figures, mode
):
    team, cluster = site.teams["crash"], site.cluster
    form = record_form(client, team["interaction"])
    warm_up = post_recording(client, team["interaction"], form, uuid.uuid4(), "Before the cut")
    assert redirect_target(warm_up), f"recording before the fault: {warm_up}"
    before = whole_log(cluster, team["team_id"])

    cluster.query(PAUSE_RECORDING)
    token, title = uuid.uuid4(), f"{CUT_OFF} ({mode})"
    with ThreadPoolExecutor(1) as pool:
        sent = pool.submit(post_recording, client.copy(), team["interaction"], form, token, title)
        assert cluster.wait_for(PAUSED, within=20), f"the recording never reached its write: {sent}"
        cluster.stop(mode)
        cut_off = sent.result()
    figures(f"recording cut off by `pg_ctl stop -m {mode}` mid-transaction: {cut_off}")

    cluster.start()
    cluster.query("DROP TRIGGER ops_pause_recording ON decisions_revision")
    after = whole_log(cluster, team["team_id"])
    assert token not in after, "a recording cut off mid-write was kept"
    assert after.keys() == before.keys()

    again = _record_once_back(client, team["interaction"], form, token, title)
    assert redirect_target(again), f"sending the form again: {again}"
    recorded = whole_log(cluster, team["team_id"])
    assert recorded[token].pk == redirect_target(again)
    assert recorded[token].number == len(before) + 1
    assert len(recorded) == len(before) + 1

    # What the person saw when the write was cut off: the database page, not an error.
    assert cut_off.status == 503, f"the cut-off recording answered {cut_off}"
    assert UNREACHABLE in cut_off.body, f"the 503 page says {cut_off.body[:400]!r}"


def test_recordings_in_a_burst_through_database_crashes_are_each_all_or_nothing(
    site, client, figures
):
    team, cluster = site.teams["burst"], site.cluster
    form = record_form(client, team["interaction"])
    sent: list[tuple[uuid.UUID, object]] = []
    done = threading.Event()

    def keep_recording(writer: int) -> None:
        session = client.copy()
        while not done.is_set():
            token = uuid.uuid4()
            answer = post_recording(session, team["interaction"], form, token,
                                    f"Burst {writer}-{token.hex[:6]}", timeout=15)  # fmt: skip
            sent.append((token, answer))
            if answer.status != 302:
                time.sleep(0.1)

    def recorded_since(start: int) -> int:
        return sum(1 for _, answer in sent[start:] if answer.status == 302)

    def wait_for_recordings(count: int, within: float = 20) -> None:
        start, deadline = len(sent), time.monotonic() + within
        while recorded_since(start) < count and time.monotonic() < deadline:
            time.sleep(0.05)

    writers = [threading.Thread(target=keep_recording, args=(n,)) for n in range(3)]
    for writer in writers:
        writer.start()
    try:
        for _crash in range(3):
            wait_for_recordings(2)
            cluster.stop("immediate")  # recordings are on their way: some are mid-write
            time.sleep(0.3)
            cluster.start()
        wait_for_recordings(2)
    finally:
        done.set()
        for writer in writers:
            writer.join(timeout=30)

    log = whole_log(cluster, team["team_id"])
    for token, answer in sent:
        if answer.status == 302:
            assert log[token].pk == redirect_target(answer), f"answered {answer}, not kept"
    unsure = [(token, answer) for token, answer in sent if answer.status != 302]
    outcomes = Counter(answer.outcome for _, answer in sent)
    figures(f"burst through 3 crashes (3 writers): answers {dict(outcomes)}; "
            f"{sum(token in log for token, _ in unsure)} of the {len(unsure)} not answered "
            f"302 had been recorded (committed before the crash)")  # fmt: skip
    # Whatever the person saw, sending the same form again ends with its one record.
    for token, answer in unsure:
        again = _record_once_back(client, team["interaction"], form, token, f"Again {token}")
        assert redirect_target(again), f"sending again a form that answered {answer}: {again}"
    log = whole_log(cluster, team["team_id"])
    assert len(log) == len(sent) == len({token for token, _ in sent})
    assert outcomes["500"] == 0, f"recordings answered 500 when the database went away: {outcomes}"
