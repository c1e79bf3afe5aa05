"""What the sweep knows of each URL: how to build its address for team A's objects, what a
GET and a POST need (an access level, or nothing when the method is refused) and a valid
POST body, as team A's owner would send it.

A pattern the resolver serves and this registry does not know fails the sweep (see
test_url_registry.py): a new view cannot go unprobed. The admin's patterns are derived from
the resolver instead of listed: every admin view needs a staff account, which nobody in
the world has, so each of them is probed for a redirect to the admin's login.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from advisor import access
from advisor.models import Assessment
from advisor.questionnaire import base_token
from advisor.selectors import draft_for_interaction
from decisions.services import EDITABLE_FIELDS, decision_defaults
from tests.factories import PASSWORD
from tests.security.patterns import Pattern
from tests.security.world import ANSWERS, World, madr_file

# Who may do something. READ to LEAVE are actions in team A (advisor.access); USER is
# anyone signed in (their own account and teams); INVITED the person an invitation names.
PUBLIC = "public"
USER = "user"
READ = access.READ
WRITE = access.WRITE
INVITE = access.INVITE
MANAGE = access.MANAGE
LEAVE = access.LEAVE
INVITED = "invited"
STAFF = "staff"

ADVISOR = "advisor.forms."
DECISIONS = "decisions.forms."
Args = Callable[[World], dict]
Body = Callable[[World], dict]


@dataclass(frozen=True)
class Route:
    """`get`/`post`: the level each method needs, None when the view refuses the method.
    `crossed`: for an address naming a team and one of its objects, team B's slug with
    team A's object (the outsider owns team B, so only the object check stands between)."""

    get: str | None = None
    post: str | None = None
    args: Args = lambda world: {}
    data: Body = lambda world: {}
    crossed: Args | None = None
    # For a pattern that cannot be reversed (unnamed): its address.
    path: Callable[[World], str] | None = None
    # Where a view that takes only POSTs shows its form (a list page, a record's page).
    page: Callable[[World], str] | None = None
    # The form class the view reads a POST with (dotted path, resolved when needed).
    form: str | None = None


def _page(name: str, args: Args) -> Callable[[World], str]:
    return lambda world: reverse(name, kwargs=args(world))


def sign_in(user) -> dict:
    # Not team A's people: a login form shows the name it was given back.
    return {"username": user.username, "password": PASSWORD}


def _slug(world: World) -> dict:
    return {"slug": world.team_a.slug}


def _pk(attribute: str) -> Args:
    return lambda world: {"pk": getattr(world, attribute).pk}


def _edit(attribute: str, name: str) -> Body:
    def body(world: World) -> dict:
        obj = getattr(world, attribute)
        return {f"edit-{obj.pk}-name": name, f"edit-{obj.pk}-description": "Edited."}

    return body


def _questionnaire(world: World) -> dict:
    interaction = world.interaction_a
    draft = Assessment.objects.get(interaction=interaction)
    return {
        "framework": draft.framework_name,
        "base": base_token(interaction.pk, draft.revision, draft.answers),
        **{**ANSWERS, "duration": "under_2s"},
    }


def _record(world: World) -> dict:
    interaction = world.interaction_a
    defaults = decision_defaults(interaction=interaction, draft=draft_for_interaction(interaction))
    fields = ("title", "chosen_option", "context", "drivers", "good_consequences",
              "bad_consequences", "confirmation", "assessment_revision")  # fmt: skip
    return {
        **{field: defaults[field] for field in fields if defaults.get(field) is not None},
        "record_token": str(uuid.uuid4()),
        "deciders": [world.owner_a.pk],
    }


def _decision_form(attribute: str, **extra) -> Body:
    def body(world: World) -> dict:
        decision = getattr(world, attribute)
        decision.refresh_from_db()
        values = {field: getattr(decision, field) or "" for field in EDITABLE_FIELDS}
        return {**values, "version": decision.version, "deciders": [world.owner_a.pk], **extra}

    return body


CATALOG = (
    b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger-feed\n"
    b"spec:\n  type: service\n  consumesApis: [ledger-api]\n---\n"
    b"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: ledger-core\n"
    b"spec:\n  type: service\n  providesApis: [ledger-api]\n"
)


def _catalog_upload(world: World) -> dict:
    return {"files": SimpleUploadedFile("catalog-info.yaml", CATALOG), "into": ""}


def _catalog_confirm(world: World) -> dict:
    """A preview's signed plan for a new system, as the preview page posts it."""
    from advisor.catalogs import plan_from_files
    from advisor.views.catalog_import import plan_token

    plan = plan_from_files([("catalog-info.yaml", CATALOG)])
    token = plan_token(team=world.team_a, user=world.owner_a, system=None, plan=plan)
    return {"plan": token, "system-name": "Ledger imports", "system-description": ""}


def _upload(world: World) -> dict:
    return {"files": SimpleUploadedFile("0060-upload.md", madr_file("An uploaded record"))}


def _member(world: World) -> dict:
    return {"slug": world.team_a.slug, "member_id": world.editor_membership_a.pk}


def _crossed(args: Args) -> Args:
    return lambda world: {**args(world), "slug": world.team_b.slug}


def _invitation_args(world: World) -> dict:
    return {"slug": world.team_a.slug, "pk": world.invitation_a.pk}


def _upload_args(world: World) -> dict:
    return {"slug": world.team_a.slug, "pk": world.upload_a.pk}


def _export_args(world: World) -> dict:
    return {"slug": world.team_a.slug, "pk": world.export_a.pk}


ROUTES: dict[str, Route] = {
    # Public: signing in and out, the health check.
    "login": Route(get=PUBLIC, post=PUBLIC, data=lambda w: sign_in(w.outsider)),
    "logout": Route(post=PUBLIC),
    "healthz": Route(get=PUBLIC),
    # A person's own account and teams.
    # It answers any method with a redirect to the person's team (no @require_GET).
    "home": Route(get=USER, post=USER),
    "password_change": Route(
        get=USER,
        post=USER,
        data=lambda w: {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-secret-9",
            "new_password2": "a-much-longer-secret-9",
        },
    ),
    "password_change_done": Route(get=USER),
    "team_create": Route(
        get=USER, post=USER, data=lambda w: {"name": "Fresh team"}, form=ADVISOR + "TeamForm"
    ),
    "team_switch": Route(post=READ, data=lambda w: {"team": w.team_a.slug}),
    # Team A's pages.
    "team_detail": Route(get=READ, args=_slug),
    "team_members": Route(
        get=READ,
        post=INVITE,
        args=_slug,
        data=lambda w: {"login": "newcomer@example.com", "role": "editor"},
        form=ADVISOR + "InvitationForm",
    ),
    "membership_role": Route(
        post=MANAGE,
        page=_page("team_members", _slug),
        args=_member,
        crossed=_crossed(_member),
        data=lambda w: {"role": "viewer"},
        form=ADVISOR + "MembershipRoleForm",
    ),
    "membership_remove": Route(post=MANAGE, args=_member, crossed=_crossed(_member)),
    "team_leave": Route(post=LEAVE, args=_slug),
    "invitation_withdraw": Route(
        post=INVITE, args=_invitation_args, crossed=_crossed(_invitation_args)
    ),
    "invitation_list": Route(get=USER),
    "invitation_accept": Route(post=INVITED, args=_pk("invitation_a")),
    "invitation_decline": Route(post=INVITED, args=_pk("invitation_a")),
    "system_create": Route(
        post=WRITE,
        args=_slug,
        page=_page("team_detail", lambda w: {"slug": w.team_a.slug}),
        data=lambda w: {"system-name": "Warehouse", "system-description": "Stock."},
        form=ADVISOR + "SystemForm",
    ),
    "catalog_import_upload": Route(
        get=WRITE,
        post=WRITE,
        args=_slug,
        data=_catalog_upload,
        form="advisor.views.catalog_import.CatalogUploadForm",
    ),
    # Its form is on the preview, the upload's answer; the system's name is SystemForm's.
    "catalog_import_confirm": Route(post=WRITE, args=_slug, data=_catalog_confirm),
    "system_detail": Route(get=READ, args=_pk("system_a")),
    "system_edit": Route(
        get=WRITE,
        post=WRITE,
        args=_pk("system_a"),
        data=_edit("system_a", "Ledger II"),
        form=ADVISOR + "SystemForm",
    ),
    "system_delete": Route(get=WRITE, post=WRITE, args=_pk("system_a")),
    "system_map": Route(get=READ, args=_pk("system_a")),
    "system_map_svg": Route(get=READ, args=_pk("system_a")),
    "service_detail": Route(get=READ, args=_pk("service_a")),
    "system_review": Route(get=READ, args=_pk("system_a")),
    "system_risks": Route(get=READ, args=_pk("system_a")),
    "system_risks_csv": Route(get=READ, args=_pk("system_a")),
    "system_export_pdf": Route(get=READ, args=_pk("system_a")),
    "service_create": Route(
        post=WRITE,
        args=_pk("system_a"),
        page=_page("system_detail", _pk("system_a")),
        data=lambda w: {"service-name": "Audit", "service-description": "Keeps logs."},
        form=ADVISOR + "ServiceForm",
    ),
    "interaction_create": Route(
        post=WRITE,
        args=_pk("system_a"),
        page=_page("system_detail", _pk("system_a")),
        data=lambda w: {
            "interaction-source": w.service_a2.pk,
            "interaction-target": w.service_a.pk,
            "interaction-name": "Refund",
        },
        form=ADVISOR + "InteractionForm",
    ),
    "service_edit": Route(
        get=WRITE,
        post=WRITE,
        args=_pk("service_a"),
        data=_edit("service_a", "Billing II"),
        form=ADVISOR + "ServiceForm",
    ),
    "service_delete": Route(get=WRITE, post=WRITE, args=_pk("service_a")),
    "interaction_detail": Route(
        get=READ, post=WRITE, args=_pk("interaction_a"), data=_questionnaire
    ),
    "interaction_edit": Route(
        get=WRITE,
        post=WRITE,
        args=_pk("interaction_a"),
        data=lambda w: {
            **_edit("interaction_a", "Reserve II")(w),
            f"edit-{w.interaction_a.pk}-source": w.service_a.pk,
            f"edit-{w.interaction_a.pk}-target": w.service_a2.pk,
        },
        form=ADVISOR + "InteractionForm",
    ),
    "interaction_delete": Route(get=WRITE, post=WRITE, args=_pk("interaction_a")),
    # Team A's decisions.
    "decision_record": Route(
        get=WRITE,
        post=WRITE,
        args=_pk("interaction_a"),
        data=_record,
        form=DECISIONS + "DecisionForm",
    ),
    "decision_detail": Route(get=READ, args=_pk("accepted_a")),
    "decision_edit": Route(
        get=WRITE,
        post=WRITE,
        args=_pk("proposed_a"),
        data=_decision_form("proposed_a"),
        form=DECISIONS + "DecisionForm",
    ),
    "decision_amend": Route(
        get=WRITE,
        post=WRITE,
        args=_pk("accepted_a"),
        data=_decision_form("accepted_a", reason="Named the queue."),
        form=DECISIONS + "AmendForm",
    ),
    "decision_status": Route(
        post=WRITE,
        args=_pk("unlinked_a"),
        page=_page("decision_detail", _pk("unlinked_a")),
        data=lambda w: {"status": "rejected", "version": w.unlinked_a.version, "note": "No."},
        form=DECISIONS + "StatusForm",
    ),
    "decision_revisions": Route(get=READ, args=_pk("accepted_a")),
    "decision_interaction_link": Route(
        post=WRITE,
        page=_page("decision_detail", _pk("unlinked_a")),
        args=_pk("unlinked_a"),
        data=lambda w: {"interaction": w.interaction_a.pk},
        form=DECISIONS + "InteractionLinkForm",
    ),
    "decision_export_markdown": Route(get=READ, args=_pk("accepted_a")),
    "decision_export_json": Route(get=READ, args=_pk("accepted_a")),
    "decision_export_pdf": Route(get=READ, args=_pk("imported_a")),
    "decision_log": Route(get=READ, args=_slug, form="decisions.filters.LogFilterForm"),
    "decision_import": Route(
        get=WRITE,
        post=WRITE,
        args=_slug,
        data=_upload,
        form="decisions.forms_import.ImportUploadForm",
    ),
    "decision_import_preview": Route(
        get=WRITE, post=WRITE, args=_upload_args, crossed=_crossed(_upload_args)
    ),
    "decision_log_exports": Route(
        get=READ,
        post=READ,
        args=_slug,
        data=lambda w: {"format": "json", "system": ""},
        form="decisions.views.log_exports.ExportForm",
    ),
    "decision_log_export": Route(get=READ, args=_export_args, crossed=_crossed(_export_args)),
    "decision_log_export_download": Route(
        get=READ, args=_export_args, crossed=_crossed(_export_args)
    ),
}

# The admin site: its own login, and a logout that sends anyone without a staff account to
# the admin's index (which asks them to log in).
ADMIN_ROUTES: dict[str, Route] = {
    "admin:login": Route(get=PUBLIC, post=PUBLIC, data=lambda w: sign_in(w.outsider)),
    "admin:logout": Route(get=PUBLIC, post=PUBLIC),
}
_GROUP = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>")


def _admin_route(pattern: Pattern) -> Route:
    """Any other admin view: staff only, whatever the method, probed with team A's
    objects where it names one."""
    from django.contrib import admin
    from django.contrib.contenttypes.models import ContentType

    models = {
        f"{model._meta.app_label}_{model._meta.model_name}": model for model in admin.site._registry
    }

    def args(world: World) -> dict:
        found = {name or regex for name, regex in _GROUP.findall(pattern.route)}
        model = next((m for key, m in models.items() if (pattern.name or "").startswith(key)),
                     None)  # fmt: skip
        team_type = ContentType.objects.get_for_model(world.team_a).pk
        values = {"app_label": "advisor", "object_id": str(world.team_a.pk),
                  "content_type_id": team_type}  # fmt: skip
        if model is not None:
            values["object_id"] = str(_admin_object_pk(model, world))
        # Any other group names the object too (auth's password page calls it `id`).
        return {name: values.get(name, values["object_id"]) for name in found}

    def path(world: World) -> str:
        return f"/admin/advisor/team/{world.team_a.pk}/change/extra/"

    return Route(get=STAFF, post=STAFF, args=args, path=None if pattern.name else path)


def _admin_object_pk(model, world: World) -> int:
    """Team A's own row of an admin model where there is one."""
    for value in (world.team_a, world.owner_a, world.editor_membership_a,
                  world.invitation_a):  # fmt: skip
        if isinstance(value, model):
            return value.pk
    found = model.objects.order_by("pk").values_list("pk", flat=True).first()
    return found or 1


def route_for(pattern: Pattern) -> Route | None:
    """The registry's entry for a pattern, or None when it has none."""
    if pattern.key in ROUTES:
        return ROUTES[pattern.key]
    if pattern.namespace == "admin":
        return ADMIN_ROUTES.get(pattern.key) or _admin_route(pattern)
    return None
