"""Pages for decision records, one module per concern."""

from __future__ import annotations

from decisions.views.changes import (
    decision_amend,
    decision_edit,
    decision_interaction_link,
    decision_status,
)
from decisions.views.exports import (
    decision_export_json,
    decision_export_markdown,
    decision_export_pdf,
)
from decisions.views.imports import decision_import, decision_import_preview
from decisions.views.log import decision_log_page
from decisions.views.log_exports import log_export_download, log_export_job, log_exports
from decisions.views.pages import decision_detail, decision_revisions
from decisions.views.records import decision_record

__all__ = [
    "decision_amend",
    "decision_detail",
    "decision_edit",
    "decision_export_json",
    "decision_export_markdown",
    "decision_export_pdf",
    "decision_import",
    "decision_import_preview",
    "decision_interaction_link",
    "decision_log_page",
    "decision_record",
    "decision_revisions",
    "decision_status",
    "log_export_download",
    "log_export_job",
    "log_exports",
]
