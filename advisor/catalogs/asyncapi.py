"""AsyncAPI 3 documents: one application each (`info.title`), and the messages it sends and
receives (`operations`).

An application is a service. Interactions come from matching documents with one another
on a channel's `address`: an application that sends on an address and another that
receives on it give an asynchronous interaction from the sender to the receiver. When
either operation has a `reply`, the two do request and reply instead: the interaction runs
from the requester (the sender) to the replier. Replies travel on their own channel, and
what is sent there belongs to that interaction, so it makes no interaction of its own.

Version 2 documents are refused rather than guessed at: their `publish` and `subscribe`
describe what other applications may do, the reverse of what they seem to say.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from advisor.catalogs.common import (
    ASYNC,
    ASYNCAPI,
    MAX_INTERACTIONS,
    REQUEST_REPLY,
    CatalogError,
    CatalogPlan,
    FileProblem,
    PlannedInteraction,
    PlannedService,
    clean_name,
    clean_text,
    edge_name,
    kind_of,
    load_json,
    load_yaml_documents,
    problem_plan,
)


@dataclass(frozen=True)
class Operation:
    key: str
    action: str  # "send" or "receive"
    address: str  # "" when the channel's address is not known until run time
    reply: bool
    reply_address: str
    summary: str


@dataclass(frozen=True)
class Application:
    title: str
    description: str
    file: str
    operations: tuple[Operation, ...]
    notes: tuple[FileProblem, ...] = ()


def _load(name: str, text: str) -> Any:
    if name.lower().endswith(".json") or text.lstrip().startswith("{"):
        return load_json(text)
    documents = [doc for doc in load_yaml_documents(text) if doc is not None]
    if len(documents) > 1:
        raise CatalogError("holds several YAML documents; an AsyncAPI document is one")
    return documents[0] if documents else None


def _version(document: dict) -> str:
    version = document.get("asyncapi")
    if version is None:
        raise CatalogError("not an AsyncAPI document (no asyncapi: version at its top)")
    version = str(version).strip()
    if version.split(".")[0] == "3":
        return version
    if version.split(".")[0] == "2":
        raise CatalogError(
            f"not an AsyncAPI 3 document (asyncapi: {version}; version 2's publish/subscribe "
            "are not read)"
        )
    raise CatalogError(f"not an AsyncAPI 3 document (asyncapi: {version})")


def _pointer(ref: Any, document: dict, where: str) -> tuple[str, dict]:
    """The channel a `{$ref: "#/channels/<id>"}` points at, with its id."""
    target = ref.get("$ref") if isinstance(ref, dict) else None
    if not isinstance(target, str):
        raise CatalogError(f"{where}: its channel is not a $ref to one of the file's channels")
    parts = [p.replace("~1", "/").replace("~0", "~") for p in target.split("/")]
    if parts[0] != "#" or len(parts) < 3:
        raise CatalogError(
            f"{where}: its channel {target!r} is outside this file; only #/channels/… is read"
        )
    found: Any = document
    for part in parts[1:]:
        found = found.get(part) if isinstance(found, dict) else None
    if not isinstance(found, dict):
        raise CatalogError(f"{where}: its channel {target!r} is not defined in the file")
    return parts[-1], found


def _address(channel: dict) -> str:
    address = channel.get("address")
    return clean_name(address, 500) if isinstance(address, str | int | float) else ""


def _operation(key: str, value: Any, document: dict) -> Operation:
    where = f"operation “{key}”"
    if not isinstance(value, dict):
        raise CatalogError(f"{where} is {kind_of(value)}, not a mapping")
    action = value.get("action")
    if action not in ("send", "receive"):
        raise CatalogError(f"{where}: its action is {action!r}; it must be send or receive")
    _, channel = _pointer(value.get("channel"), document, where)
    reply = value.get("reply")
    reply_address = ""
    if reply is not None:
        if not isinstance(reply, dict):
            raise CatalogError(f"{where}: its reply is {kind_of(reply)}, not a mapping")
        if reply.get("channel") is not None:
            reply_address = _address(_pointer(reply["channel"], document, f"{where} reply")[1])
    summary = value.get("summary") or value.get("description") or value.get("title")
    return Operation(
        key=key, action=action, address=_address(channel), reply=reply is not None,
        reply_address=reply_address, summary=clean_text(summary, 1000),
    )  # fmt: skip


def read(name: str, text: str) -> Application:
    """The application one document describes. Raises CatalogError for a document that is
    not a readable AsyncAPI 3 one."""
    document = _load(name, text)
    if not isinstance(document, dict):
        raise CatalogError(f"not an AsyncAPI document (the file holds {kind_of(document)})")
    _version(document)
    info = document.get("info")
    title = clean_name(info.get("title")) if isinstance(info, dict) else ""
    if not title:
        raise CatalogError("no info.title: AsyncAPI names the application there")
    operations = document.get("operations")
    if not isinstance(operations, dict) or not operations:
        raise CatalogError("no operations: nothing says what this application sends or receives")
    read_operations = tuple(
        _operation(str(key), value, document) for key, value in operations.items()
    )
    notes = tuple(
        FileProblem(
            name,
            (
                f"operation “{op.key}” uses a channel without an address, so it cannot be "
                "matched with another application's: it is left out"
            ),
        )
        for op in read_operations
        if not op.address
    )
    return Application(
        title=title, description=clean_text(info.get("description")), file=name,
        operations=read_operations, notes=notes,
    )  # fmt: skip


def _ends(applications: list[Application]):
    """Who sends and who receives on each address: each application once per address and
    direction (several operations on one address are one end), with whether any of them
    asks for a reply; and the addresses replies travel on."""
    senders: dict[str, dict[str, tuple[Application, Operation]]] = defaultdict(dict)
    receivers: dict[str, dict[str, tuple[Application, Operation]]] = defaultdict(dict)
    replies: set[str] = set()
    for app in applications:
        for op in app.operations:
            if op.address:
                ends = (senders if op.action == "send" else receivers)[op.address]
                known = ends.get(app.title.lower())
                if known is None or (op.reply and not known[1].reply):
                    ends[app.title.lower()] = (known[0] if known else app, op)
            if op.reply and op.reply_address:
                replies.add(op.reply_address)
    return senders, receivers, replies


def combine(applications: list[Application], *, unread: bool = False) -> CatalogPlan:
    """One plan from several applications' documents, matched on channel addresses.
    `unread`: some uploaded file could not be read (it may hold a missing end). Pairing
    stops once there are more interactions than one import takes; the merge refuses
    such a plan."""
    senders, receivers, replies = _ends(applications)
    interactions: list[PlannedInteraction] = []
    notes: list[FileProblem] = [note for app in applications for note in app.notes]
    for address in sorted(set(senders) | set(receivers)):
        if address in replies:
            continue
        if not receivers[address] or not senders[address]:
            (app, _), missing = (
                (next(iter(senders[address].values())), "receives") if senders[address]
                else (next(iter(receivers[address].values())), "sends")
            )  # fmt: skip
            unread_note = " (one of the uploaded files could not be read)" if unread else ""
            notes.append(FileProblem(app.file, (
                f"nothing in these files {missing} on “{address}”{unread_note}, so "
                f"{app.title}'s messages there have no other end: left out"
            )))  # fmt: skip
            continue
        for sender, sent in senders[address].values():
            for receiver, received in receivers[address].values():
                if sender.title.lower() == receiver.title.lower():
                    continue
                if len(interactions) > MAX_INTERACTIONS:
                    break
                asks = sent.reply or received.reply
                interactions.append(PlannedInteraction(
                    source=sender.title, target=receiver.title,
                    name=edge_name(sender.title, receiver.title, address),
                    style=REQUEST_REPLY if asks else ASYNC,
                    description=sent.summary or received.summary or (
                        f"{sender.title} {'asks' if asks else 'sends'} on “{address}”; "
                        f"{receiver.title} receives{' and replies' if asks else ''}."
                    ),
                    origin=sender.file,
                ))  # fmt: skip
    return CatalogPlan(
        services=tuple(PlannedService(app.title, app.description) for app in applications),
        interactions=tuple(interactions), notes=tuple(notes),
        files=tuple((app.file, ASYNCAPI) for app in applications),
    )  # fmt: skip


def parse(name: str, text: str) -> CatalogPlan:
    """What one document says on its own: its application, and no interaction (those
    need the other end's document; `plan_from_files` reads several together)."""
    try:
        application = read(name, text)
    except CatalogError as error:
        return problem_plan(name, str(error), ASYNCAPI)
    return combine([application])
