from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from advisor import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"
    ),
    path("teams/new/", views.team_create, name="team_create"),
    path("teams/switch/", views.team_switch, name="team_switch"),
    path("t/<slug:slug>/", views.team_detail, name="team_detail"),
    path("t/<slug:slug>/members/", views.team_members_page, name="team_members"),
    path("t/<slug:slug>/members/<int:member_id>/role/", views.membership_role,
         name="membership_role"),
    path("t/<slug:slug>/members/<int:member_id>/remove/", views.membership_remove,
         name="membership_remove"),
    path("t/<slug:slug>/leave/", views.team_leave, name="team_leave"),
    path("t/<slug:slug>/invitations/<int:pk>/withdraw/", views.invitation_withdraw,
         name="invitation_withdraw"),
    path("invitations/", views.invitation_list, name="invitation_list"),
    path("invitations/<int:pk>/accept/", views.invitation_accept, name="invitation_accept"),
    path("invitations/<int:pk>/decline/", views.invitation_decline, name="invitation_decline"),
    path("t/<slug:slug>/systems/new/", views.system_create, name="system_create"),
    path("t/<slug:slug>/systems/import/", views.catalog_import_upload,
         name="catalog_import_upload"),
    path("t/<slug:slug>/systems/import/confirm/", views.catalog_import_confirm,
         name="catalog_import_confirm"),
    path("systems/<int:pk>/", views.system_detail, name="system_detail"),
    path("systems/<int:pk>/edit/", views.system_edit, name="system_edit"),
    path("systems/<int:pk>/delete/", views.system_delete, name="system_delete"),
    path("systems/<int:pk>/map/", views.system_map, name="system_map"),
    path("systems/<int:pk>/map.svg", views.system_map_svg, name="system_map_svg"),
    path("services/<int:pk>/", views.service_detail, name="service_detail"),
    path("systems/<int:pk>/review/", views.system_review, name="system_review"),
    path("systems/<int:pk>/risks/", views.system_risks, name="system_risks"),
    path("systems/<int:pk>/risks.csv", views.system_risks_csv, name="system_risks_csv"),
    path("systems/<int:pk>/report.pdf", views.system_report_pdf, name="system_export_pdf"),
    path("systems/<int:pk>/services/new/", views.service_create, name="service_create"),
    path("systems/<int:pk>/interactions/new/", views.interaction_create,
         name="interaction_create"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("services/<int:pk>/delete/", views.service_delete, name="service_delete"),
    path("interactions/<int:pk>/", views.interaction_detail, name="interaction_detail"),
    path("interactions/<int:pk>/edit/", views.interaction_edit, name="interaction_edit"),
    path("interactions/<int:pk>/delete/", views.interaction_delete, name="interaction_delete"),
    path("admin/", admin.site.urls),
    path("", include("decisions.urls")),
]  # fmt: skip
