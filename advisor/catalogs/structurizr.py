"""Structurizr DSL workspaces (`workspace.dsl`): the model's software systems and containers,
and the relationships between them.

Services are the containers, and the software systems that have no containers (those of
other teams, drawn as one box). A software system with containers is the boundary the
import creates, not a service: a relationship drawn to or from the whole of it is left
out, with a note, since its containers' own relationships say more exactly who talks to
whom. A relationship of a component counts as one of its container (the relationship it
implies); a component outside any container is a service of its own. People are not
services, nor are elements tagged as databases.

A relationship's style comes from its tags (`Synchronous`, `Asynchronous`: Structurizr's
interaction styles), else from its technology (HTTP, REST, gRPC, GraphQL say synchronous;
Kafka, AMQP, JMS, MQTT, SQS, SNS say asynchronous), else it is not known.

A broker is an element whose tags or technology say queue, topic, broker, Kafka,
RabbitMQ, SQS, SNS, pub/sub, event bus... Structurizr draws `a -> bus` and `bus -> b` (or
`b -> bus "Reads from"`); the import makes of them one asynchronous interaction a → b,
named after the relationships, and the broker itself is not a service.

The views, styles, deployment environments and scripts are skipped; `!identifiers
hierarchical`, `!constant` substitution, groups, `!element` blocks, `this` and the
implicit source (`-> b` inside an element) are understood.
"""

from __future__ import annotations

from collections import defaultdict

from advisor.catalogs.common import (
    ASYNC,
    MAX_INTERACTIONS,
    STRUCTURIZR,
    CatalogError,
    CatalogPlan,
    FileProblem,
    PlannedInteraction,
    PlannedService,
    clean_name,
    clean_text,
    edge_name,
    problem_plan,
)
from advisor.catalogs.dsl_model import READING, Element, Model, Relationship, read


def _service_of(element: Element) -> Element:
    """The element a relationship counts for: a component's container (the relationship
    it implies), else itself."""
    while element.kind == "component" and element.parent is not None:
        element = element.parent
    return element


class _Planner:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.notes = list(model.notes)
        self.noted: set[int] = set()
        self.services: dict[int, Element] = {}
        self.interactions: list[PlannedInteraction] = []

    def note_once(self, element: Element, message: str) -> None:
        if id(element) not in self.noted:
            self.noted.add(id(element))
            self.notes.append(FileProblem(self.model.file, f"line {element.line}: {message}"))

    def usable(self, element: Element) -> bool:
        """Whether the element can be one end of an interaction, noting why not once."""
        if element.kind in ("person", "element") and not element.is_broker:
            return False
        if element.is_database:
            self.note_once(element, f"“{element.name}” is a database, not a service: its "
                           "relationships are left out")  # fmt: skip
            return False
        if element.has_containers:
            self.note_once(element, f"relationships drawn to or from the whole of "
                           f"“{element.name}” are left out: its containers are imported "
                           "as services, with their own relationships")  # fmt: skip
            return False
        return True

    def names(self) -> dict[int, str]:
        """Each service's name, made unique where two containers of different systems
        share one (“API (Orders)”)."""
        counts: dict[str, int] = defaultdict(int)
        for element in self.services.values():
            counts[element.name.lower()] += 1
        names = {}
        for key, element in self.services.items():
            name = element.name
            if counts[name.lower()] > 1 and element.parent is not None:
                name = clean_name(f"{name} ({element.parent.name})")
            names[key] = name
        return names

    def plan(self) -> tuple[list[PlannedService], list[PlannedInteraction]]:
        for element in self.model.elements:
            own = element.kind in ("softwaresystem", "container") or (
                element.kind == "component" and _service_of(element) is element
            )
            if own and not (element.is_broker or element.is_database or element.has_containers):
                self.services[id(element)] = element
        direct: list[tuple[Element, Element, Relationship]] = []
        into: dict[int, list[tuple[Element, Relationship]]] = defaultdict(list)
        out_of: dict[int, list[tuple[Element, Relationship]]] = defaultdict(list)
        brokers: dict[int, Element] = {}
        for relationship in self.model.relationships:
            source = _service_of(relationship.source)
            target = _service_of(relationship.target)
            if source is target or not (self.usable(source) and self.usable(target)):
                continue
            if not all(id(end) in self.services or end.is_broker for end in (source, target)):
                continue  # neither a service nor a broker: nothing to import it as
            if source.is_broker and target.is_broker:
                continue
            if target.is_broker:
                into[id(target)].append((source, relationship))
                brokers[id(target)] = target
            elif source.is_broker:
                out_of[id(source)].append((target, relationship))
                brokers[id(source)] = source
            else:
                direct.append((source, target, relationship))
        names = self.names()
        for source, target, relationship in direct:
            self.add(names, source, target, relationship.style, relationship.description,
                     _described(relationship))  # fmt: skip
        for key, broker in brokers.items():
            self.collapse(names, broker, into[key], out_of[key])
        services = [
            PlannedService(names[key], element.description)
            for key, element in self.services.items()
        ]
        return services, self.interactions

    def add(self, names, source, target, style, label, description) -> None:
        self.interactions.append(PlannedInteraction(
            source=names[id(source)], target=names[id(target)],
            name=edge_name(names[id(source)], names[id(target)], label), style=style,
            description=description, origin=self.model.file,
        ))  # fmt: skip

    def collapse(self, names, broker: Element, into, out_of) -> None:
        """One asynchronous interaction from each producer to each consumer of a broker."""
        producers = [(e, r) for e, r in into if not READING.search(r.description)]
        consumers = [(e, r) for e, r in into if READING.search(r.description)] + out_of
        if not producers or not consumers:
            missing = "sends to" if not producers else "receives from"
            self.note_once(broker, f"nothing in this workspace {missing} “{broker.name}”, "
                           "so the relationships through it are left out")  # fmt: skip
            return
        for producer, sent in producers:
            for consumer, received in consumers:
                if producer is consumer:
                    continue
                if len(self.interactions) > MAX_INTERACTIONS:
                    return  # more than one import takes: the merge refuses the plan
                parts = [f"Through “{broker.name}”."]
                parts += [f"{names[id(end)]}: {r.description}." for end, r in
                          ((producer, sent), (consumer, received)) if r.description]  # fmt: skip
                self.add(names, producer, consumer, ASYNC,
                         sent.description or f"through {broker.name}",
                         clean_text(" ".join(parts)))  # fmt: skip


def _described(relationship: Relationship) -> str:
    text, technology = relationship.description, relationship.technology.strip()
    if technology:
        text = f"{text} ({technology})" if text else technology
    return clean_text(text)


def _system_names(model: Model) -> tuple[str, ...]:
    boundaries = [e.name for e in model.elements if e.has_containers]
    names = boundaries[:1] if len(boundaries) == 1 else []
    if model.workspace_name and model.workspace_name.lower() not in ("name", "workspace"):
        names.append(model.workspace_name)
    return tuple(dict.fromkeys(names + boundaries))


def parse(name: str, text: str) -> CatalogPlan:
    """What one workspace file describes. A file that does not read as the DSL gives a
    problem naming the line, and nothing else."""
    try:
        model = read(name, text)
    except CatalogError as error:
        return problem_plan(name, str(error), STRUCTURIZR)
    planner = _Planner(model)
    services, interactions = planner.plan()
    return CatalogPlan(
        services=tuple(services), interactions=tuple(interactions),
        notes=tuple(planner.notes), systems=_system_names(model), files=((name, STRUCTURIZR),),
    )  # fmt: skip
