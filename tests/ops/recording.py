"""Recording decisions through the record form, and reading back from the database whether
a team's log is whole: every decision complete, numbered without a gap."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from tests.ops.cluster import Cluster
from tests.ops.web import Form, Response, WebClient, read_form

JUSTIFICATION = (
    "The ledger must settle every order exactly once, and the team has run this pattern in "
    "production for years; its known costs are accepted and watched by the on-call review."
)


def record_form(client: WebClient, interaction: int) -> Form:
    """The interaction's record form as a person would send it, with an option chosen."""
    page = client.get(f"/interactions/{interaction}/decide/")
    assert page.status == 200, f"record form: {page}\n{page.body[:500]}"
    form = read_form(page.body, "decision-form")
    assert form.get("assessment_revision") is not None, "no record form on the page"
    if not form.get("chosen_option"):
        form.set("chosen_option", form.choices["chosen_option"][0])
    form.set("justification", JUSTIFICATION)
    return form


def post_recording(
    client: WebClient, interaction: int, form: Form, token: uuid.UUID, title: str,
    timeout: float = 30,
) -> Response:  # fmt: skip
    """Post the form once more as another opened form would: its own one-time token."""
    form = _copy(form)
    form.set("record_token", str(token))
    form.set("title", title)
    return client.post(f"/interactions/{interaction}/decide/", form.pairs(), timeout=timeout)


def _copy(form: Form) -> Form:
    copy = Form()
    copy.values, copy.choices = list(form.values), form.choices
    return copy


@dataclass(frozen=True)
class Recorded:
    pk: int
    number: int
    token: uuid.UUID | None


def whole_log(cluster: Cluster, team_id: int) -> dict[uuid.UUID | None, Recorded]:
    """The team's decisions by form token, after checking that each one was recorded whole
    (its first revision, its decision-maker, its search text) and that the numbers run
    from 1 without a gap up to the team's sequence."""
    decisions = cluster.query(
        "SELECT id, number, title, search_text, record_token, version"
        " FROM decisions_decision WHERE team_id = %s ORDER BY number",
        (team_id,),
    )
    numbers = [row[1] for row in decisions]
    assert numbers == list(range(1, len(decisions) + 1)), f"numbers with a gap: {numbers}"
    sequence = cluster.query(
        "SELECT last_number, recorded FROM decisions_decisionsequence WHERE team_id = %s",
        (team_id,),
    )
    if decisions or sequence:
        assert sequence == [(len(decisions), len(decisions))], (
            f"the team's sequence (last number, recorded) is {sequence}, "
            f"for {len(decisions)} decisions"
        )
    revisions = dict(
        cluster.query(
            "SELECT r.decision_id, array_agg(r.version::text || ':' || r.kind)"
            " FROM decisions_revision r JOIN decisions_decision d ON d.id = r.decision_id"
            " WHERE d.team_id = %s GROUP BY r.decision_id",
            (team_id,),
        )
    )
    deciders = dict(
        cluster.query(
            "SELECT m.decision_id, count(*) FROM decisions_decision_deciders m"
            " JOIN decisions_decision d ON d.id = m.decision_id WHERE d.team_id = %s"
            " GROUP BY m.decision_id",
            (team_id,),
        )
    )
    found = {}
    for pk, number, title, search_text, token, version in decisions:
        where = f"ADR-{number:04d}"
        assert version == 1, f"{where} is at version {version}"
        assert revisions.get(pk) == ["1:recorded"], f"{where} revisions: {revisions.get(pk)}"
        assert deciders.get(pk) == 1, f"{where} has {deciders.get(pk, 0)} decision-makers"
        assert title.lower() in search_text.lower(), f"{where} search text: {search_text!r}"
        assert token not in found, f"{where} repeats the form token of another decision"
        found[token] = Recorded(pk, number, token)
    assert set(revisions) <= {row[0] for row in decisions}
    return found
