"""Backstage catalogue descriptors (`catalog-info.yaml`): components, the APIs they provide
and consume, and what they depend on.

Services are the Components whose `spec.type` is `service`. A component of another type
(a website, a mobile app, a library...) is taken in only when it takes part in an
interaction, typically as a caller. Resources (databases, buckets, queues) and the other
kinds are not services.

Interactions come from two relations, across every document and file of one upload:

- a component's `spec.consumesApis` names an API; each component whose
  `spec.providesApis` names the same API receives the call. The API's `spec.type` says how
  it talks: `asyncapi` asynchronously; `openapi`, `grpc` and `graphql` synchronously; any
  other type is left unknown. Backstage does not say which way an event API's messages
  flow, so the consumer is taken as the caller, as for any API;
- `spec.dependsOn` on another component (and `spec.dependencyOf`, its other end) gives an
  interaction whose style is unknown, unless the two already meet through an API.

Entity references are read as Backstage reads them: `[kind:][namespace/]name`, compared
without regard to case, the kind defaulting to the API for the API lists and to a
component for dependencies, the namespace to that of the entity that refers.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from advisor.catalogs.common import (
    ASYNC,
    BACKSTAGE,
    MAX_INTERACTIONS,
    SYNC,
    UNKNOWN,
    CatalogError,
    CatalogPlan,
    FileProblem,
    PlannedInteraction,
    PlannedService,
    clean_name,
    clean_text,
    edge_name,
    kind_of,
    load_yaml_documents,
    problem_plan,
)

API_STYLES = {"asyncapi": ASYNC, "openapi": SYNC, "grpc": SYNC, "graphql": SYNC}
API_TYPE_WORDS = {
    "asyncapi": "AsyncAPI", "openapi": "OpenAPI", "grpc": "gRPC", "graphql": "GraphQL",
}  # fmt: skip
USED_KINDS = {"component", "api", "resource", "system"}
REFERENCE_LISTS = ("providesApis", "consumesApis", "dependsOn", "dependencyOf")


@dataclass(frozen=True)
class Entity:
    kind: str  # lower case
    namespace: str  # lower case
    name: str  # as written
    title: str
    description: str
    spec: dict
    file: str

    @property
    def ref(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name.lower()}"

    @property
    def shown(self) -> str:
        """The name people read: its title when it has one."""
        return self.title or clean_name(self.name)

    @property
    def type(self) -> str:
        value = self.spec.get("type")
        return value.strip().lower() if isinstance(value, str) else ""


def reference(text: str, *, default_kind: str, namespace: str) -> str:
    """An entity reference in the one form used to compare them."""
    kind, _, rest = text.strip().rpartition(":") if ":" in text else ("", "", text.strip())
    space, _, name = rest.rpartition("/") if "/" in rest else ("", "", rest)
    return f"{(kind or default_kind).lower()}:{(space or namespace).lower()}/{name.lower()}"


def _entity(document: dict, file: str, where: str) -> Entity | None:
    """The entity a document describes, None when it is one Crossroads has no use for."""
    api_version, kind = document.get("apiVersion"), document.get("kind")
    if not isinstance(api_version, str) or not api_version.startswith("backstage.io/"):
        raise CatalogError(
            f"{where}apiVersion is {api_version!r}, not a backstage.io/… version"
            if api_version is not None else f"{where}no apiVersion (backstage.io/v1alpha1)"
        )  # fmt: skip
    if not isinstance(kind, str) or not kind.strip():
        raise CatalogError(f"{where}no kind (Component, API, Resource, System…)")
    if kind.strip().lower() not in USED_KINDS:
        return None
    metadata = document.get("metadata")
    if not isinstance(metadata, dict):
        raise CatalogError(f"{where}no metadata (its name goes there)")
    name = metadata.get("name")
    if not isinstance(name, str) or not name.strip():
        raise CatalogError(f"{where}no metadata.name")
    if not clean_name(name):
        raise CatalogError(f"{where}metadata.name {name!r} has no printable character")
    spec = document.get("spec", {})
    if spec is None:
        spec = {}
    if not isinstance(spec, dict):
        raise CatalogError(f"{where}spec is {kind_of(spec)}, not a mapping")
    for key in REFERENCE_LISTS:
        value = spec.get(key, [])
        if value is not None and (
            not isinstance(value, list) or not all(isinstance(item, str) for item in value)
        ):
            raise CatalogError(f"{where}spec.{key} of “{name}” is not a list of references")
    namespace = metadata.get("namespace")
    return Entity(
        kind=kind.strip().lower(),
        namespace=(namespace if isinstance(namespace, str) and namespace else "default").lower(),
        name=name.strip(),
        title=clean_name(metadata.get("title")),
        description=clean_text(metadata.get("description")),
        spec=spec,
        file=file,
    )


def read(name: str, text: str) -> list[Entity]:
    """The entities of one file (every `---` document). Raises CatalogError for a file
    that is not a readable catalogue, naming the document when there are several."""
    documents = [doc for doc in load_yaml_documents(text) if doc is not None]
    if not documents:
        raise CatalogError("holds no entity (the file is empty)")
    entities = []
    for number, document in enumerate(documents, start=1):
        where = f"document {number}: " if len(documents) > 1 else ""
        if not isinstance(document, dict):
            raise CatalogError(
                f"{where}the file holds {kind_of(document)}, not a Backstage entity "
                "(a mapping with apiVersion, kind, metadata and spec)"
            )
        entity = _entity(document, name, where)
        if entity is not None:
            entities.append(entity)
    return entities


def _references(entity: Entity, key: str, default_kind: str) -> list[str]:
    return [
        reference(item, default_kind=default_kind, namespace=entity.namespace)
        for item in entity.spec.get(key) or []
        if item.strip()
    ]


def _unread_note(unread: bool) -> str:
    return " (one of the uploaded files could not be read)" if unread else ""


def _api_interactions(entities, providers, notes, unread=False):
    """Each consumer → provider edge, from the consumer's `consumesApis`."""
    for consumer in (e for e in entities.values() if e.kind == "component"):
        for api_ref in _references(consumer, "consumesApis", "api"):
            api = entities.get(api_ref)
            label = api.shown if api else api_ref.split("/", 1)[1]
            if not providers.get(api_ref):
                notes.append(FileProblem(consumer.file, (
                    f"“{consumer.shown}” consumes the API “{label}”, but no component in "
                    f"these files provides it{_unread_note(unread)}: that interaction is "
                    "left out"
                )))  # fmt: skip
                continue
            style = API_STYLES.get(api.type, UNKNOWN) if api else UNKNOWN
            for provider_ref in providers[api_ref]:
                provider = entities[provider_ref]
                if provider.ref == consumer.ref:
                    continue
                kind = API_TYPE_WORDS.get(api.type, api.type) if api else ""
                what = f"{kind} API" if kind else "API"
                yield consumer, provider, PlannedInteraction(
                    source=consumer.shown, target=provider.shown,
                    name=edge_name(consumer.shown, provider.shown, label), style=style,
                    description=clean_text(
                        (api.description if api else "") or
                        f"{consumer.shown} uses the {what} “{label}” of {provider.shown}."
                    ),
                    origin=consumer.file,
                )  # fmt: skip


def _dependencies(entities, notes, unread=False):
    """(depender, dependency) pairs of components, from both ends' declarations. A
    component none of the files describes is noted; resources are not services."""
    for entity in entities.values():
        if entity.kind != "component":
            continue
        for ref in _references(entity, "dependsOn", "component"):
            if ref in entities and entities[ref].kind == "component":
                yield entity, entities[ref], entity.file
            elif ref not in entities and ref.startswith("component:"):
                notes.append(FileProblem(entity.file, (
                    f"“{entity.shown}” depends on the component “{ref.split('/', 1)[1]}”, "
                    f"which none of these files describes{_unread_note(unread)}: that "
                    "interaction is left out"
                )))  # fmt: skip
        for ref in _references(entity, "dependencyOf", "component"):
            if ref in entities and entities[ref].kind == "component":
                yield entities[ref], entity, entity.file


def combine(files: list[tuple[str, list[Entity]]], *, unread: bool = False) -> CatalogPlan:
    """One plan from the entities of several readable files, relations resolved across
    them all. `unread`: some uploaded file could not be read (it may describe what is
    missing). Pairing stops once there are more interactions than one import takes; the
    merge refuses such a plan."""
    entities: dict[str, Entity] = {}
    for _, found in files:
        for entity in found:
            entities.setdefault(entity.ref, entity)
    providers: dict[str, list[str]] = defaultdict(list)
    for entity in entities.values():
        if entity.kind == "component":
            for api_ref in _references(entity, "providesApis", "api"):
                providers[api_ref].append(entity.ref)
    notes: list[FileProblem] = []
    interactions: list[PlannedInteraction] = []
    taking_part: set[str] = set()
    met: set[tuple[str, str]] = set()
    for consumer, provider, interaction in _api_interactions(entities, providers, notes, unread):
        if len(interactions) > MAX_INTERACTIONS:
            break
        interactions.append(interaction)
        taking_part |= {consumer.ref, provider.ref}
        met.add((consumer.ref, provider.ref))
    for depender, dependency, file in _dependencies(entities, notes, unread):
        pair = (depender.ref, dependency.ref)
        if depender.ref == dependency.ref or pair in met:
            continue
        if len(interactions) > MAX_INTERACTIONS:
            break
        met.add(pair)
        taking_part |= set(pair)
        interactions.append(PlannedInteraction(
            source=depender.shown, target=dependency.shown,
            name=edge_name(depender.shown, dependency.shown), style=UNKNOWN,
            description=f"{depender.shown} depends on {dependency.shown}.", origin=file,
        ))  # fmt: skip
    services = [
        PlannedService(entity.shown, entity.description)
        for entity in entities.values()
        if entity.kind == "component" and (entity.type == "service" or entity.ref in taking_part)
    ]
    return CatalogPlan(
        services=tuple(services), interactions=tuple(interactions), notes=tuple(notes),
        systems=_system_names(entities), files=tuple((name, BACKSTAGE) for name, _ in files),
    )  # fmt: skip


def _system_names(entities: dict[str, Entity]) -> tuple[str, ...]:
    """The systems components say they belong to, the most named first, then the other
    System entities: by title when the System entity is among the files."""
    counts: dict[str, int] = defaultdict(int)
    for entity in entities.values():
        value = entity.spec.get("system") if entity.kind == "component" else None
        if isinstance(value, str) and value.strip():
            counts[reference(value, default_kind="system", namespace=entity.namespace)] += 1
    refs = sorted(counts, key=lambda ref: -counts[ref])
    refs += [ref for ref, entity in entities.items() if entity.kind == "system"]
    names = [
        entities[ref].shown if ref in entities else clean_name(ref.rpartition("/")[2])
        for ref in refs
    ]
    return tuple(dict.fromkeys(name for name in names if name))


def parse(name: str, text: str) -> CatalogPlan:
    """What one descriptor file says on its own (its relations to entities of other files
    are left out: `plan_from_files` reads several together)."""
    try:
        entities = read(name, text)
    except CatalogError as error:
        return problem_plan(name, str(error), BACKSTAGE)
    return combine([(name, entities)])
