"""What every catalogue format reads into: the services a set of files describes, the
interactions between them and what could not be read, in one shape whatever the format.

Nothing here touches the database. A file that cannot be read is reported as a problem of
its own and contributes nothing to the plan; something a good file mentions but that
cannot become a service or an interaction is a note, and the rest of the file is used.
"""

from __future__ import annotations

import json
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

import yaml

from advisor import limits

# How interactions talk today, as advisor.models.Style stores it (this package imports no
# model; tests/advisor/catalogs/test_plan_merge.py checks that the two agree).
UNKNOWN = ""
SYNC = "sync"
ASYNC = "async"
REQUEST_REPLY = "request_reply"
STYLES = (UNKNOWN, SYNC, ASYNC, REQUEST_REPLY)

# The formats, and their names as people know them.
BACKSTAGE = "backstage"
ASYNCAPI = "asyncapi"
STRUCTURIZR = "structurizr"
FORMAT_TITLES = {
    BACKSTAGE: "Backstage catalogue",
    ASYNCAPI: "AsyncAPI 3",
    STRUCTURIZR: "Structurizr DSL",
}

# What one file may weigh, and what one YAML or JSON document may hold once its aliases
# are followed: an alias repeats a whole subtree, so a small file can stand for billions of
# values ("billion laughs"). The view passes the installation's own file limit.
MAX_FILE_BYTES = 1024 * 1024
MAX_VALUES = 200_000
MAX_DOCUMENTS = 2_000
MAX_DEPTH = 100
ALIAS_ALLOWANCE = 1_000

# At most this much is imported at once: each interaction is a row with its draft. The
# formats stop pairing ends once a plan holds more, so the merge can refuse it.
MAX_SERVICES = 500
MAX_INTERACTIONS = 1_000

SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class PlannedService:
    name: str
    description: str = ""


@dataclass(frozen=True)
class PlannedInteraction:
    """A caller (`source`) talking to a receiver (`target`), both named as services."""

    source: str
    target: str
    name: str
    style: str = UNKNOWN
    description: str = ""
    origin: str = ""  # the file that says so


@dataclass(frozen=True)
class FileProblem:
    """What is wrong with a file (or, with `file` empty, with the upload as a whole)."""

    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}" if self.file else self.message


@dataclass(frozen=True)
class CatalogPlan:
    """The services and interactions some files describe, ready to preview and import.

    `problems` are files that could not be read (nothing of theirs is used); `notes` say
    what readable files mention but the plan leaves out, and why. `systems` are the names
    the files give the system they describe, the likeliest first. `files` are the files
    read, each with its format ("" for one that is none of them).
    """

    services: tuple[PlannedService, ...] = ()
    interactions: tuple[PlannedInteraction, ...] = ()
    problems: tuple[FileProblem, ...] = ()
    notes: tuple[FileProblem, ...] = ()
    systems: tuple[str, ...] = ()
    files: tuple[tuple[str, str], ...] = ()


class CatalogError(Exception):
    """A file that cannot be read; the message says why in one line, for its author."""


def problem_plan(name: str, message: str, format: str = "") -> CatalogPlan:
    return CatalogPlan(problems=(FileProblem(name, message),), files=((name, format),))


# --- text ---------------------------------------------------------------------------------

_SPACES = re.compile(r"\s+")


def _printable(text: str, keep: str = "") -> str:
    """`text` without control characters (those in `keep` aside): a NUL cannot be stored
    by PostgreSQL, and the others only garble a page."""
    return "".join(ch for ch in text if ch in keep or unicodedata.category(ch) not in ("Cc", "Cs"))


def cut(text: str, cap: int) -> str:
    """`text` in at most `cap` characters, its end replaced by an ellipsis when cut."""
    return text if len(text) <= cap else text[: cap - 1].rstrip() + "…"


def clean_name(value: Any, cap: int = limits.NAME) -> str:
    """A name from a file as one line of at most `cap` characters ("" when it is none)."""
    if value is None or isinstance(value, bool | dict | list):
        return ""
    return cut(_SPACES.sub(" ", _printable(str(value))).strip(), cap)


def clean_text(value: Any, cap: int = limits.DESCRIPTION) -> str:
    """A description from a file, its lines kept, cut to `cap` characters."""
    if not isinstance(value, str | int | float) or isinstance(value, bool):
        return ""
    text = _printable(str(value).replace("\r\n", "\n"), keep="\n\t").strip()
    return cut(text, cap)


def edge_name(source: str, target: str, label: str = "") -> str:
    """“Orders → Payments: orders.created”, cut to fit an interaction name (the label
    gives way first, so both services stay readable)."""
    head = f"{source} → {target}"
    label = clean_name(label, limits.INTERACTION_NAME)
    if not label:
        return cut(head, limits.INTERACTION_NAME)
    room = limits.INTERACTION_NAME - len(head) - 2
    if room >= 12:
        return f"{head}: {cut(label, room)}"
    return cut(f"{head}: {label}", limits.INTERACTION_NAME)


# --- reading YAML and JSON safely ---------------------------------------------------------


def _weigh(document: Any) -> None:
    """Refuse a document that holds too many values once its aliases are followed, that
    refers to itself or that nests too deeply, without ever expanding it."""
    weights: dict[int, int | None] = {}

    def weigh(value: Any, depth: int) -> int:
        if not isinstance(value, dict | list):
            return 1
        if depth > MAX_DEPTH:
            raise CatalogError(f"nested more than {MAX_DEPTH} levels deep")
        key = id(value)
        if key in weights:
            known = weights[key]
            if known is None:
                raise CatalogError("a YAML alias refers to a value that contains it")
            return known
        weights[key] = None
        children = [*value.keys(), *value.values()] if isinstance(value, dict) else value
        total = 1
        for child in children:
            total += weigh(child, depth + 1)
            if total > MAX_VALUES:
                raise CatalogError(
                    f"holds more than {MAX_VALUES:,} values once its YAML aliases are "
                    "followed; Crossroads does not read it"
                )
        weights[key] = total
        return total

    weigh(document, 0)


def _yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    problem = getattr(error, "problem", None) or str(error).splitlines()[0]
    where = f"line {mark.line + 1}: " if mark is not None else ""
    return f"{where}{problem}"


def _weigh_nodes(node: yaml.Node, budget: list[int], limit: int) -> None:
    """Refuse a composed YAML document that would hold too many values once its aliases
    and merge keys (`<<: *defaults`) are followed, before anything is built from it: a
    merge copies the mapping it names, so a chain of merges grows with the square of its
    length. `budget` is what the rest of the file may still hold, shared by its documents;
    `limit` is the whole file's, for the message.
    """
    weights: dict[int, int | None] = {}

    def weigh(value: yaml.Node, depth: int) -> int:
        if isinstance(value, yaml.ScalarNode):
            return 1
        if depth > MAX_DEPTH:
            raise CatalogError(f"nested more than {MAX_DEPTH} levels deep")
        key = id(value)
        if key in weights:
            known = weights[key]
            if known is None:
                raise CatalogError("a YAML alias refers to a value that contains it")
            return known
        weights[key] = None
        children = (
            [child for pair in value.value for child in pair]
            if isinstance(value, yaml.MappingNode)
            else value.value
        )
        total = 1
        for child in children:
            total += weigh(child, depth + 1)
            if total > budget[0]:
                raise CatalogError(
                    f"holds more than {limit:,} values once its YAML aliases and merge "
                    "keys are followed; Crossroads does not read it"
                )
        weights[key] = total
        return total

    budget[0] -= weigh(node, 0)


def load_yaml_documents(text: str) -> list[Any]:
    """Every document of a YAML stream (`---` separates them), each weighed as it was
    composed and before it is built. Raises CatalogError saying where the YAML is broken."""
    documents: list[Any] = []
    # A file holds about as many values as it has characters, unless aliases repeat them:
    # that repetition is what is bounded, so that many small files cost no more to read
    # than a few large ones.
    limit = min(MAX_VALUES, len(text) + ALIAS_ALLOWANCE)
    budget = [limit]
    loader = SAFE_LOADER(text)
    try:
        while loader.check_node():
            if len(documents) >= MAX_DOCUMENTS:
                raise CatalogError(f"holds more than {MAX_DOCUMENTS:,} YAML documents")
            node = loader.get_node()
            _weigh_nodes(node, budget, limit)
            documents.append(loader.construct_document(node))
    except yaml.YAMLError as error:
        raise CatalogError(_yaml_message(error)) from None
    except RecursionError:
        raise CatalogError(f"nested more than {MAX_DEPTH} levels deep") from None
    except ValueError as error:  # an integer too long to convert, a bad timestamp
        raise CatalogError(f"holds a value YAML cannot read ({error})") from None
    finally:
        loader.dispose()
    return documents


def load_json(text: str) -> Any:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogError(f"line {error.lineno}: {error.msg} (not valid JSON)") from None
    except (RecursionError, ValueError):
        raise CatalogError("holds JSON Crossroads cannot read (too deep or too long)") from None
    _weigh(document)
    return document


def kind_of(value: Any) -> str:
    """What a parsed value is, in words for a message."""
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "a mapping"
    if value is None:
        return "empty"
    return "plain text"


# --- carrying a plan between the preview and the import -----------------------------------


def plan_to_data(plan: CatalogPlan) -> dict:
    """The plan as JSON-ready data (short keys: it travels in a form field)."""
    return {
        "s": [[s.name, s.description] for s in plan.services],
        "i": [[i.source, i.target, i.name, i.style, i.description, i.origin]
              for i in plan.interactions],
        "p": [[p.file, p.message] for p in plan.problems],
        "n": [[n.file, n.message] for n in plan.notes],
        "y": list(plan.systems),
        "f": [list(pair) for pair in plan.files],
    }  # fmt: skip


def _strings(row: Any, size: int) -> list[str]:
    if not isinstance(row, list) or len(row) != size or not all(isinstance(v, str) for v in row):
        raise ValueError("not a plan")
    return row


def plan_from_data(data: Any) -> CatalogPlan:
    """The plan `plan_to_data` wrote; ValueError when `data` is not one."""
    if not isinstance(data, dict):
        raise ValueError("not a plan")
    interactions = []
    for row in data.get("i", []):
        source, target, name, style, description, origin = _strings(row, 6)
        if style not in STYLES:
            raise ValueError("not a plan")
        interactions.append(PlannedInteraction(source, target, name, style, description, origin))
    return CatalogPlan(
        services=tuple(PlannedService(*_strings(row, 2)) for row in data.get("s", [])),
        interactions=tuple(interactions),
        problems=tuple(FileProblem(*_strings(row, 2)) for row in data.get("p", [])),
        notes=tuple(FileProblem(*_strings(row, 2)) for row in data.get("n", [])),
        systems=tuple(_strings(data.get("y", []), len(data.get("y", [])))),
        files=tuple(tuple(_strings(row, 2)) for row in data.get("f", [])),
    )
