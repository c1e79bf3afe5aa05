from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import path

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
    path(
        "t/<slug:slug>/members/<int:member_id>/role/", views.membership_role, name="membership_role"
    ),
    path(
        "t/<slug:slug>/members/<int:member_id>/remove/",
        views.membership_remove,
        name="membership_remove",
    ),
    path("admin/", admin.site.urls),
]
