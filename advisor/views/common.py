"""What several advisor pages share: the one way to each team object, and small renders."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import reswap, retarget

from advisor import access
from advisor.models import Interaction, Membership, Service, System


def count(number: int, noun: str, plural: str = "") -> str:
    """“1 service”, “2 services”: a number with its noun in the right form."""
    return f"{number} {noun if number == 1 else plural or noun + 's'}"


def get_membership_for_user(request: HttpRequest, slug: str, action: str) -> Membership:
    return access.get_membership_for_user(request.user, slug, action=action)


def get_system_for_user(request: HttpRequest, pk: int, action: str) -> System:
    return access.get_team_object_for_user(
        System.objects.select_related("team"), request.user,
        team_path="team", action=action, pk=pk,
    )  # fmt: skip


def get_service_for_user(request: HttpRequest, pk: int, action: str) -> Service:
    return access.get_team_object_for_user(
        Service.objects.select_related("system__team"), request.user,
        team_path="system__team", action=action, pk=pk,
    )  # fmt: skip


def get_interaction_for_user(request: HttpRequest, pk: int, action: str) -> Interaction:
    return access.get_team_object_for_user(
        Interaction.objects.select_related("system__team", "source", "target"), request.user,
        team_path="system__team", action=action, pk=pk,
    )  # fmt: skip


def render_section(
    request: HttpRequest, template: str, section: str, context: dict, status: int = 200
) -> HttpResponse:
    """The named section of a page: swapped in place of itself when asked by htmx."""
    response = render(request, f"{template}#{section}", context, status=status)
    return reswap(retarget(response, f"#{section}"), "outerHTML")
