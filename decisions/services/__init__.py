"""Writes for decision records: recording, editing, amending, status changes, superseding.

Every write saves the decision and an immutable revision in one transaction. Saves carry
the version the editor started from; a save over a newer version raises `DecisionConflict`
instead of overwriting it.
"""

from __future__ import annotations

from decisions.services.changes import (
    decision_amend,
    decision_change_status,
    decision_update,
    option_texts_for,
)
from decisions.services.common import (
    AGAINST_ADVICE,
    EDITABLE_FIELDS,
    DecisionConflict,
    decision_number_allocate,
)
from decisions.services.recording import (
    AlreadyRecorded,
    decision_defaults,
    decision_record,
)

__all__ = [
    "AGAINST_ADVICE",
    "EDITABLE_FIELDS",
    "AlreadyRecorded",
    "DecisionConflict",
    "decision_amend",
    "decision_change_status",
    "decision_defaults",
    "decision_number_allocate",
    "decision_record",
    "decision_update",
    "option_texts_for",
]
