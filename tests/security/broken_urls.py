"""An address book of the holes the sweep exists to find, for the tests of the sweep
itself (test_probe.py): never part of the app's own URLs."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseForbidden
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from advisor.models import System


def system_shown_to_anyone(request, pk: int) -> HttpResponse:
    """No access check: any visitor reads any team's system."""
    return HttpResponse(f"<h1>{System.objects.get(pk=pk).name}</h1>")


@csrf_exempt
@login_required
def system_renamed_then_refused(request, pk: int) -> HttpResponse:
    """Writes first, checks the role after: the refusal comes too late. And takes a POST
    from any site."""
    System.objects.filter(pk=pk).update(name="Renamed by anyone")
    return HttpResponseForbidden("Your role in this team does not allow this.")


def a_view_nobody_registered(request) -> HttpResponse:
    return HttpResponse("new")


urlpatterns = [
    path("systems/<int:pk>/", system_shown_to_anyone, name="system_detail"),
    path("systems/<int:pk>/edit/", system_renamed_then_refused, name="system_edit"),
    path("brand-new/", a_view_nobody_registered, name="brand_new"),
]
