"""Reading an upload of catalogue files: each file's format found from its name and its
first lines, every file read by its format's module, and one plan made of them all.

Backstage descriptors are read together (an API consumed in one file may be provided in
another), and so are AsyncAPI documents (matched on their channels' addresses); each
Structurizr workspace stands alone. Services of the same name from different files are
one service; interactions between the same two services under the same name are one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from advisor import limits
from advisor.catalogs import asyncapi, backstage, structurizr
from advisor.catalogs.common import (
    ASYNCAPI,
    BACKSTAGE,
    MAX_FILE_BYTES,
    MAX_INTERACTIONS,
    MAX_SERVICES,
    STRUCTURIZR,
    UNKNOWN,
    CatalogError,
    CatalogPlan,
    FileProblem,
    PlannedInteraction,
    PlannedService,
    cut,
    load_json,
    load_yaml_documents,
)

__all__ = ["MAX_INTERACTIONS", "MAX_SERVICES", "detect", "merge", "plan_from_files"]

# Each pattern looks at one line: a blank never matches a newline, so that blank lines
# cannot make a pattern try every way of spanning them.
_ASYNCAPI = re.compile(r"""^(?:asyncapi[ \t]*:|\{?[ \t]*["']asyncapi["'][ \t]*:)""", re.MULTILINE)
_BACKSTAGE = re.compile(
    r"""^[ \t]*(?:-[ \t]+)?\{?[ \t]*["']?apiVersion["']?[ \t]*:[ \t]*["']?backstage\.io/""",
    re.MULTILINE,
)
_WORKSPACE = re.compile(r"""^[ \t]*workspace\b[^:\n]*\{[ \t\r]*$""", re.MULTILINE | re.IGNORECASE)
_DATA_FILE = (".yaml", ".yml", ".json")
UNKNOWN_FORMAT = (
    "not a format Crossroads reads: upload Backstage descriptors (catalog-info.yaml), "
    "AsyncAPI 3 documents or Structurizr DSL workspaces (.dsl)"
)


def detect(name: str, text: str) -> str | None:
    """The file's format: from its content, else its extension; None when neither says."""
    head = text.lstrip()[:20_000]  # the first lines that say something
    # Backstage first: an API entity may hold its AsyncAPI definition inline.
    if _BACKSTAGE.search(head):
        return BACKSTAGE
    if _ASYNCAPI.search(head):
        return ASYNCAPI
    if name.lower().endswith(".dsl") or _WORKSPACE.search(head):
        return STRUCTURIZR
    return None


def _decode(data: bytes) -> str:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CatalogError("not UTF-8 text") from None
    if "\x00" in text:
        raise CatalogError("holds a NUL character: not a text file")
    return text


def _unknown_format(name: str, text: str) -> str:
    """Why a file of no known format cannot be read: where its YAML or JSON is broken, if
    it is, since that is what hides what it is."""
    if name.lower().endswith(_DATA_FILE):
        try:
            if name.lower().endswith(".json"):
                load_json(text)
            else:
                load_yaml_documents(text)
        except CatalogError as error:
            return str(error)
    return UNKNOWN_FORMAT


def _size(count: int) -> str:
    if count >= 1024 * 1024:
        return f"{count / (1024 * 1024):,.3g} MB"
    return f"{count / 1024:,.3g} KB" if count >= 1024 else f"{count:,} bytes"


def _unique_names(names: Sequence[str]) -> list[str]:
    """File names as shown, those uploaded twice (each repository's catalog-info.yaml)
    told apart: “catalog-info.yaml (2)”."""
    seen: dict[str, int] = {}
    unique = []
    for name in names:
        name = cut(name.replace("\x00", "") or "file", 200)
        seen[name] = seen.get(name, 0) + 1
        unique.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return unique


def plan_from_files(
    files: Sequence[tuple[str, bytes]], *, max_file_bytes: int = MAX_FILE_BYTES
) -> CatalogPlan:
    """One plan from every file of an upload; a file that cannot be read is a problem
    of its own, and nothing of it is used."""
    problems: list[FileProblem] = []
    entities: list[tuple[str, list]] = []
    applications: list[asyncapi.Application] = []
    plans: list[CatalogPlan] = []
    names = _unique_names([name for name, _ in files])
    formats: dict[str, str] = {}
    for name, (_, data) in zip(names, files, strict=True):
        formats[name] = ""
        try:
            if len(data) > max_file_bytes:
                raise CatalogError(
                    f"larger than {_size(max_file_bytes)}, the most Crossroads reads in one file"
                )
            text = _decode(data)
            found = formats[name] = detect(name, text) or ""
            if found == BACKSTAGE:
                entities.append((name, backstage.read(name, text)))
            elif found == ASYNCAPI:
                applications.append(asyncapi.read(name, text))
            elif found == STRUCTURIZR:
                plans.append(structurizr.parse(name, text))
            else:
                raise CatalogError(_unknown_format(name, text))
        except CatalogError as error:
            problems.append(FileProblem(name, str(error)))
    # What one file misses may be in a file that could not be read: the notes say so.
    unread = bool(problems) or any(plan.problems for plan in plans)
    if entities:
        plans.append(backstage.combine(entities, unread=unread))
    if applications:
        plans.append(asyncapi.combine(applications, unread=unread))
    return merge(plans, problems, files=[(name, formats[name]) for name in names])


def merge(
    plans: Sequence[CatalogPlan], problems: Sequence[FileProblem] = (), *, files=()
) -> CatalogPlan:
    """Several plans as one: services by name (case aside), interactions by their two
    services and name, each interaction's name then made unique."""
    problems = [*problems, *(p for plan in plans for p in plan.problems)]
    services: dict[str, PlannedService] = {}
    for service in (s for plan in plans for s in plan.services):
        known = services.get(service.name.lower())
        if known is None or (not known.description and service.description):
            services[service.name.lower()] = PlannedService(
                known.name if known else service.name, service.description
            )
    edges: dict[tuple[str, str, str], PlannedInteraction] = {}
    for edge in (i for plan in plans for i in plan.interactions):
        if edge.source.lower() == edge.target.lower():
            continue
        for end in (edge.source, edge.target):
            services.setdefault(end.lower(), PlannedService(end))
        key = (edge.source.lower(), edge.target.lower(), edge.name.lower())
        known = edges.get(key)
        if known is None:
            edges[key] = edge
        elif known.style == UNKNOWN and edge.style != UNKNOWN:
            edges[key] = PlannedInteraction(
                known.source, known.target, known.name, edge.style,
                known.description or edge.description, known.origin,
            )  # fmt: skip
    notes = [n for plan in plans for n in plan.notes]
    systems = [s for plan in plans for s in plan.systems]
    too_many = []
    if len(services) > MAX_SERVICES:
        too_many.append(f"{len(services):,} services (at most {MAX_SERVICES:,})")
    if len(edges) > MAX_INTERACTIONS:
        # A format stops pairing once it holds more than the most, so the count is a floor.
        too_many.append(f"more than {MAX_INTERACTIONS:,} interactions")
    if too_many:
        problems.append(FileProblem("", (
            f"These files describe {' and '.join(too_many)}: more than one import takes. "
            "Upload fewer files at a time; each import adds to what is there."
        )))  # fmt: skip
        return CatalogPlan(problems=tuple(problems), files=tuple(files))
    interactions = _unique(sorted(edges.values(), key=lambda e: (e.name.lower(), e.origin)))
    return CatalogPlan(
        services=tuple(sorted(services.values(), key=lambda s: s.name.lower())),
        interactions=tuple(interactions), problems=tuple(problems), notes=tuple(notes),
        systems=tuple(dict.fromkeys(systems)), files=tuple(files),
    )  # fmt: skip


def _unique(interactions: list[PlannedInteraction]) -> list[PlannedInteraction]:
    """Interactions whose names differ (case aside): a second “A → B” becomes
    “A → B (2)”."""
    taken: set[str] = set()
    copies: dict[str, int] = {}  # the last copy number tried for a name
    unique = []
    for edge in interactions:
        name, copy = edge.name, copies.get(edge.name.lower(), 1)
        while name.lower() in taken:
            copy += 1
            suffix = f" ({copy})"
            name = cut(edge.name, limits.INTERACTION_NAME - len(suffix)) + suffix
        taken.add(name.lower())
        copies[edge.name.lower()] = copy
        unique.append(edge if name == edge.name else PlannedInteraction(
            edge.source, edge.target, name, edge.style, edge.description, edge.origin
        ))  # fmt: skip
    return unique
