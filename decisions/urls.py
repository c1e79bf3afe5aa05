from __future__ import annotations

from django.urls import path

from decisions import views

urlpatterns = [
    path("interactions/<int:pk>/decide/", views.decision_record, name="decision_record"),
    path("decisions/<int:pk>/", views.decision_detail, name="decision_detail"),
    path("decisions/<int:pk>/edit/", views.decision_edit, name="decision_edit"),
    path("decisions/<int:pk>/amend/", views.decision_amend, name="decision_amend"),
    path("decisions/<int:pk>/status/", views.decision_status, name="decision_status"),
    path("decisions/<int:pk>/revisions/", views.decision_revisions, name="decision_revisions"),
    path(
        "decisions/<int:pk>/interaction/",
        views.decision_interaction_link,
        name="decision_interaction_link",
    ),
    path(
        "decisions/<int:pk>/export.md",
        views.decision_export_markdown,
        name="decision_export_markdown",
    ),
    path("decisions/<int:pk>/export.json", views.decision_export_json, name="decision_export_json"),
    path("decisions/<int:pk>/export.pdf", views.decision_export_pdf, name="decision_export_pdf"),
    path("t/<slug:slug>/decisions/", views.decision_log_page, name="decision_log"),
    path("t/<slug:slug>/decisions/import/", views.decision_import, name="decision_import"),
    path(
        "t/<slug:slug>/decisions/import/<int:pk>/",
        views.decision_import_preview,
        name="decision_import_preview",
    ),
    path("t/<slug:slug>/decisions/exports/", views.log_exports, name="decision_log_exports"),
    path(
        "t/<slug:slug>/decisions/exports/<int:pk>/",
        views.log_export_job,
        name="decision_log_export",
    ),
    path(
        "t/<slug:slug>/decisions/exports/<int:pk>/download",
        views.log_export_download,
        name="decision_log_export_download",
    ),
]
