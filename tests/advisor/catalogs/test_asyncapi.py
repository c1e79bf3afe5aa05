"""AsyncAPI 3 documents: one application each, matched with one another on the channels'
addresses."""

from __future__ import annotations

from pathlib import Path

from advisor.catalogs import asyncapi
from advisor.catalogs.common import ASYNC, REQUEST_REPLY

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs"


def _read(*names: str) -> list[asyncapi.Application]:
    return [asyncapi.read(name, (FIXTURES / "asyncapi" / name).read_text()) for name in names]


def test_each_document_is_one_application_named_by_its_title():
    plan = asyncapi.combine(_read("orders.yaml", "warehouse.yaml", "payments.json"))
    assert [s.name for s in plan.services] == ["Orders", "Warehouse", "Payments"]
    assert plan.services[0].description.startswith("Takes orders")


def test_a_sender_and_a_receiver_of_one_address_give_an_asynchronous_interaction():
    plan = asyncapi.combine(_read("orders.yaml", "warehouse.yaml"))
    (edge,) = plan.interactions
    assert (edge.source, edge.target, edge.style) == ("Orders", "Warehouse", ASYNC)
    assert edge.name == "Orders → Warehouse: orders.created"
    assert edge.description == "Announces every new order."
    assert edge.origin == "orders.yaml"


def test_an_operation_with_a_reply_gives_request_and_reply_from_the_requester():
    plan = asyncapi.combine(_read("orders.yaml", "payments.json"))
    (edge,) = plan.interactions
    assert (edge.source, edge.target, edge.style) == ("Orders", "Payments", REQUEST_REPLY)
    assert edge.name == "Orders → Payments: payments.authorize"


def test_the_reply_channel_makes_no_interaction_of_its_own():
    plan = asyncapi.combine(_read("orders.yaml", "warehouse.yaml", "payments.json"))
    assert sorted(i.name for i in plan.interactions) == [
        "Orders → Payments: payments.authorize",
        "Orders → Warehouse: orders.created",
    ]


def test_one_document_alone_has_no_interactions_and_says_why():
    plan = asyncapi.parse("orders.yaml", (FIXTURES / "asyncapi" / "orders.yaml").read_text())
    assert plan.interactions == ()
    assert [s.name for s in plan.services] == ["Orders"]
    assert any("nothing in these files receives on “orders.created”" in n.message
               for n in plan.notes)  # fmt: skip


def test_version_2_is_refused_with_the_reason():
    text = (FIXTURES / "asyncapi" / "notifications-v2.yaml").read_text()
    (problem,) = asyncapi.parse("notifications-v2.yaml", text).problems
    assert problem.message == (
        "not an AsyncAPI 3 document (asyncapi: 2.6.0; version 2's publish/subscribe are not read)"
    )


def test_a_document_without_operations_is_a_problem():
    text = (FIXTURES / "malformed" / "no-operations.yaml").read_text()
    plan = asyncapi.parse("no-operations.yaml", text)
    assert plan.services == ()
    assert plan.problems[0].message.startswith("no operations")


def test_an_operation_pointing_at_a_channel_that_is_not_there_is_a_problem():
    text = (
        "asyncapi: 3.0.0\ninfo: {title: A, version: '1'}\nchannels: {}\n"
        "operations:\n  tell:\n    action: send\n    channel: {$ref: '#/channels/gone'}\n"
    )
    (problem,) = asyncapi.parse("a.yaml", text).problems
    assert (
        problem.message
        == "operation “tell”: its channel '#/channels/gone' is not defined in the file"
    )


def test_an_action_other_than_send_or_receive_is_a_problem():
    text = (
        "asyncapi: 3.0.0\ninfo: {title: A, version: '1'}\n"
        "channels: {c: {address: x}}\n"
        "operations:\n  tell:\n    action: publish\n    channel: {$ref: '#/channels/c'}\n"
    )
    (problem,) = asyncapi.parse("a.yaml", text).problems
    assert "its action is 'publish'; it must be send or receive" in problem.message


def test_broken_json_names_its_line():
    (problem,) = asyncapi.parse("p.json", '{\n  "asyncapi": "3.0.0",\n  "info": {\n}').problems
    assert problem.message.startswith("line 4: ")


def test_a_channel_without_an_address_is_noted():
    text = (
        "asyncapi: 3.0.0\ninfo: {title: A, version: '1'}\n"
        "channels: {c: {address: null}}\n"
        "operations:\n  tell:\n    action: send\n    channel: {$ref: '#/channels/c'}\n"
    )
    plan = asyncapi.parse("a.yaml", text)
    assert plan.problems == ()
    assert "uses a channel without an address" in plan.notes[0].message


def test_an_application_that_sends_and_receives_on_one_address_does_not_call_itself():
    text = (
        "asyncapi: 3.0.0\ninfo: {title: Loop, version: '1'}\n"
        "channels: {c: {address: x}}\n"
        "operations:\n"
        "  out: {action: send, channel: {$ref: '#/channels/c'}}\n"
        "  in: {action: receive, channel: {$ref: '#/channels/c'}}\n"
    )
    assert asyncapi.parse("loop.yaml", text).interactions == ()
