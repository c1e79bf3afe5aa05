"""The model of a Structurizr DSL workspace, read statement by statement as the DSL reads
it: its elements (with their parents, tags and technology) and the relationships between
them. The views, styles, deployment environments and scripts are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from advisor.catalogs.common import (
    ASYNC,
    SYNC,
    UNKNOWN,
    CatalogError,
    FileProblem,
    clean_name,
    clean_text,
)
from advisor.catalogs.dsl_reader import Statement, Token, is_script, statements

# The longest text a `${NAME}` substitution may make: constants defined from constants
# double at each step, and a few hundred bytes would otherwise stand for gigabytes.
MAX_SUBSTITUTED = 10_000

ELEMENTS = ("person", "softwaresystem", "container", "component", "element")
# Where each element keyword puts its description, technology and tags after the name.
POSITIONS = {
    "person": {"description": 0, "tags": 1},
    "softwaresystem": {"description": 0, "tags": 1},
    "container": {"description": 0, "technology": 1, "tags": 2},
    "component": {"description": 0, "technology": 1, "tags": 2},
    "element": {"description": 1, "tags": 2},
}
BROKER = re.compile(
    r"\b(queues?|topics?|brokers?|message ?bus|event ?bus|service ?bus|kafka|rabbit ?mq|"
    r"active ?mq|sqs|sns|pub[/-]?sub|eventbridge|event ?hubs?|kinesis|nats|pulsar|amqp|"
    r"mqtt|jms|zeromq)\b",
    re.IGNORECASE,
)
DATABASE_TAGS = {"database", "db", "datastore", "data store"}
READING = re.compile(
    r"\b(reads?|reading|consumes?|consuming|subscribes?|subscribing|polls?|polling|"
    r"receives?|listens?|pulls?|dequeues?)\b",
    re.IGNORECASE,
)
SYNC_TECH = re.compile(r"\b(https?|rest|grpc|graphql|soap|rpc|json/https?|api call)\b", re.I)
ASYNC_TECH = re.compile(r"\b(kafka|amqp|jms|mqtt|sqs|sns|rabbit ?mq|pub/?sub|nats|events?)\b",
                        re.I)  # fmt: skip
SUBSTITUTION = re.compile(r"\$\{([A-Za-z0-9_.-]+)\}")


@dataclass(eq=False)
class Element:
    kind: str
    name: str
    line: int
    parent: Element | None = None
    identifier: str = ""
    description: str = ""
    technology: str = ""
    tags: set[str] = field(default_factory=set)
    children: list[Element] = field(default_factory=list)

    @property
    def is_broker(self) -> bool:
        return (
            self.kind != "person"
            and not self.is_database
            and any(BROKER.search(text) for text in [*self.tags, self.technology])
        )

    @property
    def is_database(self) -> bool:
        return bool(self.tags & DATABASE_TAGS)

    @property
    def has_containers(self) -> bool:
        return self.kind == "softwaresystem" and any(
            child.kind == "container" for child in self.children
        )


@dataclass(eq=False)
class Relationship:
    source: Element
    target: Element
    line: int
    description: str = ""
    technology: str = ""
    tags: set[str] = field(default_factory=set)

    @property
    def style(self) -> str:
        if "asynchronous" in self.tags:
            return ASYNC
        if "synchronous" in self.tags:
            return SYNC
        if ASYNC_TECH.search(self.technology):
            return ASYNC
        if SYNC_TECH.search(self.technology):
            return SYNC
        return UNKNOWN


def _tags(*values: str) -> set[str]:
    return {tag.strip().lower() for value in values for tag in value.split(",") if tag.strip()}


@dataclass
class _Frame:
    kind: str  # root, workspace, model, group, element, relationship, skip, script
    element: Element | None = None
    relationship: Relationship | None = None


class Model:
    """Reads statements in order, as the DSL does (an identifier is used after it is
    defined)."""

    def __init__(self, file: str, size: int = 0) -> None:
        self.file = file
        self.elements: list[Element] = []
        self.relationships: list[Relationship] = []
        self.identifiers: dict[str, Element] = {}
        self.hierarchical = False
        self.constants: dict[str, str] = {}
        self.line = 0  # the statement being read, for messages
        # Each identifier's endings after a dot ("api" and "shop.api" for "x.shop.api"),
        # to the identifiers ending so.
        self.endings: dict[str, set[str]] = {}
        # What substitutions may add up to in the whole file: about its own length.
        self.substitution_budget = 2 * size + MAX_SUBSTITUTED
        self.workspace_name = ""
        self.includes = False
        self.notes: list[FileProblem] = []
        self.stack: list[_Frame] = [_Frame("root")]

    # --- tokens ---

    def text(self, token: Token) -> str:
        """The token's text, its `${NAME}` constants substituted. Raises CatalogError
        when that makes a text longer than MAX_SUBSTITUTED characters."""
        if "${" not in token.text:
            return token.text
        size = [len(token.text)]

        def substitute(match: re.Match) -> str:
            value = self.constants.get(match.group(1), match.group(0))
            size[0] += len(value) - len(match.group(0))
            if size[0] > MAX_SUBSTITUTED:
                raise CatalogError(
                    f"line {self.line}: substituting its constants makes a text longer than "
                    f"{MAX_SUBSTITUTED:,} characters; Crossroads does not read it"
                )
            return value

        text = SUBSTITUTION.sub(substitute, token.text)
        self.substitution_budget -= len(text)
        if self.substitution_budget < 0:
            raise CatalogError(
                f"line {self.line}: its constants, substituted, make several times more text "
                "than the file holds; Crossroads does not read it"
            )
        return text

    def arg(self, words: tuple[Token, ...], index: int) -> str:
        return self.text(words[index]) if index < len(words) else ""

    def note(self, line: int, message: str) -> None:
        self.notes.append(FileProblem(self.file, f"line {line}: {message}"))

    # --- elements and relationships ---

    def scope(self) -> Element | None:
        for frame in reversed(self.stack):
            if frame.element is not None:
                return frame.element
        return None

    def resolve(self, token: Token, line: int) -> Element | None:
        name = self.text(token).lower()
        scope = self.scope()
        if name == "this":
            if scope is None:
                raise CatalogError(f"line {line}: “this” outside an element")
            return scope
        found = self.identifiers.get(name)
        chain = scope
        while found is None and chain is not None and self.hierarchical:
            if chain.identifier:
                found = self.identifiers.get(f"{chain.identifier}.{name}")
            chain = chain.parent
        if found is None:
            endings = self.endings.get(name, ())
            found = self.identifiers[next(iter(endings))] if len(endings) == 1 else None
        if found is None:
            if self.includes:  # it may come from the file that was not read
                self.note(line, f"“{token.text}” is not defined in this file: left out")
                return None
            raise CatalogError(f"line {line}: “{token.text}” is not defined above this line")
        return found

    def define(self, kind: str, identifier: str, words: tuple[Token, ...], line: int) -> Element:
        parent = self.scope()
        name = clean_name(self.arg(words, 1))
        if not name:
            raise CatalogError(f"line {line}: a {words[0].text} without a name")
        positions = POSITIONS[kind]
        element = Element(
            kind=kind, name=name, line=line, parent=parent,
            description=clean_text(self.arg(words, 2 + positions["description"])),
            technology=self.arg(words, 2 + positions.get("technology", 99)),
            tags=_tags(self.arg(words, 2 + positions["tags"])),
        )  # fmt: skip
        if identifier:
            key = identifier.lower()
            if self.hierarchical and parent is not None and parent.identifier:
                key = f"{parent.identifier}.{key}"
            element.identifier = key
            self.identifiers[key] = element
            parts = key.split(".")
            for start in range(1, len(parts)):
                self.endings.setdefault(".".join(parts[start:]), set()).add(key)
        if parent is not None:
            parent.children.append(element)
        self.elements.append(element)
        return element

    def relate(self, words: tuple[Token, ...], line: int) -> Relationship | None:
        arrow = next(i for i, token in enumerate(words) if token.bare("->"))
        if arrow > 1 or arrow + 1 >= len(words):
            raise CatalogError(f'line {line}: a relationship is written “a -> b "description"”')
        source = self.resolve(words[0], line) if arrow == 1 else self.scope()
        if source is None and arrow == 0:
            raise CatalogError(f"line {line}: “-> …” outside an element has no source")
        target = self.resolve(words[arrow + 1], line)
        if source is None or target is None:
            return None
        rest = words[arrow + 2 :]
        relationship = Relationship(
            source=source, target=target, line=line,
            description=clean_text(self.arg(rest, 0), 1000),
            technology=self.arg(rest, 1), tags=_tags(self.arg(rest, 2)),
        )  # fmt: skip
        self.relationships.append(relationship)
        return relationship

    # --- statements ---

    def read(self, found: list[Statement]) -> None:
        for statement in found:
            self.line = statement.line
            frame = self.stack[-1]
            if frame.kind == "script":
                if statement.closes:
                    self.stack.pop()
                continue
            if statement.closes:
                self.stack.pop()
                continue
            if frame.kind == "skip":
                if statement.opens:
                    self.stack.append(_Frame("skip"))
                continue
            pushed = self.statement(frame, statement)
            if statement.opens:
                self.stack.append(pushed or _Frame("skip"))

    def statement(self, frame: _Frame, statement: Statement) -> _Frame | None:
        """Take in one statement; the block it opens, if it opens one Crossroads reads."""
        words, line = statement.words, statement.line
        if not words:
            return None
        first = words[0]
        if first.bare("!constant", "!const", "!var") and len(words) >= 3:
            self.constants[self.text(words[1])] = self.text(words[2])
            return None
        if is_script(statement):
            return _Frame("script")
        if frame.kind == "root":
            if first.bare("workspace"):
                if len(words) > 1 and words[1].bare("extends"):
                    self.includes = True
                    self.note(line, "this workspace extends another, which is not read")
                else:
                    self.workspace_name = clean_name(self.arg(words, 1))
                return _Frame("workspace")
            return None
        if frame.kind == "workspace":
            if first.bare("!identifiers"):
                self.hierarchical = self.arg(words, 1).lower() == "hierarchical"
            elif first.bare("name") and len(words) > 1:
                self.workspace_name = clean_name(self.arg(words, 1))
            elif first.bare("model"):
                return _Frame("model")
            return None
        if frame.kind == "relationship":
            if first.bare("tags") and frame.relationship is not None:
                frame.relationship.tags |= _tags(*(self.text(t) for t in words[1:]))
            return None
        return self.model_statement(frame, words, line)

    def model_statement(self, frame: _Frame, words: tuple[Token, ...], line: int):
        identifier = ""
        if len(words) >= 3 and words[1].bare("="):
            identifier, words = self.text(words[0]), words[2:]
        first = words[0]
        if first.bare(*ELEMENTS):
            element = self.define(first.text.lower(), identifier, words, line)
            return _Frame("element", element=element)
        if any(token.bare("->") for token in words):
            relationship = self.relate(words, line)
            return _Frame("relationship", relationship=relationship)
        if first.bare("group", "enterprise"):
            return _Frame("group")
        if first.bare("!include"):
            self.includes = True
            self.note(line, f"!include {self.arg(words, 1)} is not read: only this file is")
            return None
        if first.bare("!ref", "!element", "!extend") and len(words) > 1:
            element = self.resolve(words[1], line)
            return _Frame("element", element=element) if element else None
        element = frame.element
        if element is not None and first.bare("tags"):
            element.tags |= _tags(*(self.text(t) for t in words[1:]))
        elif element is not None and first.bare("description") and len(words) > 1:
            element.description = clean_text(self.arg(words, 1))
        elif element is not None and first.bare("technology") and len(words) > 1:
            element.technology = self.arg(words, 1)
        return None


def read(name: str, text: str) -> Model:
    """The model of one workspace file. Raises CatalogError naming the line of the first
    thing the DSL would refuse."""
    model = Model(name, len(text))
    model.read(statements(text))
    if not any(e.kind in ("softwaresystem", "container") for e in model.elements):
        raise CatalogError("no model: the workspace defines no software system or container")
    return model
