"""Every page a member of the demo team can open, for sweeps over the whole product."""

from __future__ import annotations

from django.urls import reverse

from advisor.models import Interaction, Service, System, Team
from decisions.models import Decision, Status

DEMO_TEAM = "checkout-squad"


def demo_pages() -> list[str]:
    """The demo team's pages (GET), from the data `load_demo` made."""
    team = Team.objects.get(slug=DEMO_TEAM)
    pages = [
        reverse("team_detail", args=[team.slug]),
        reverse("team_members", args=[team.slug]),
        reverse("decision_log", args=[team.slug]),
        reverse("decision_log_exports", args=[team.slug]),
        reverse("team_create"),
        reverse("password_change"),
        reverse("catalog_import_upload", args=[team.slug]),
    ]
    for system in System.objects.filter(team=team):
        pages += [reverse(name, args=[system.pk])
                  for name in ("system_detail", "system_edit", "system_delete", "system_map",
                               "system_review", "system_risks")]  # fmt: skip
    for service in Service.objects.filter(system__team=team)[:2]:
        pages += [reverse(name, args=[service.pk])
                  for name in ("service_detail", "service_edit", "service_delete")]  # fmt: skip
    for interaction in Interaction.objects.filter(system__team=team):
        pages += [reverse(name, args=[interaction.pk]) for name in (
            "interaction_detail", "interaction_edit", "interaction_delete", "decision_record",
        )]  # fmt: skip
    for decision in Decision.objects.filter(team=team).order_by("number"):
        pages += [reverse("decision_detail", args=[decision.pk]),
                  reverse("decision_revisions", args=[decision.pk])]  # fmt: skip
        if decision.status == Status.PROPOSED:
            pages.append(reverse("decision_edit", args=[decision.pk]))
        elif decision.status == Status.ACCEPTED:
            pages.append(reverse("decision_amend", args=[decision.pk]))
    return pages


def demo_exports() -> list[str]:
    """Every decision's Markdown and PDF (the JSON is for programs and may hold keys)."""
    exports = [
        reverse("system_export_pdf", args=[pk])
        for pk in System.objects.filter(team__slug=DEMO_TEAM).values_list("pk", flat=True)
    ]
    for decision in Decision.objects.filter(team__slug=DEMO_TEAM).order_by("number"):
        exports += [reverse("decision_export_markdown", args=[decision.pk]),
                    reverse("decision_export_pdf", args=[decision.pk])]  # fmt: skip
    return exports
