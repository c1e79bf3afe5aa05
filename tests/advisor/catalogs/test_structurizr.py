"""Structurizr DSL workspaces: containers as services, relationships with their styles,
brokers collapsed, and the lines that cannot be read."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor.catalogs import structurizr
from advisor.catalogs.common import ASYNC, SYNC, UNKNOWN

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs"
SHOP = (FIXTURES / "structurizr" / "workspace.dsl").read_text()


def _shop():
    return structurizr.parse("workspace.dsl", SHOP)


def _workspace(model: str) -> str:
    return f"workspace {{\n    model {{\n{model}\n    }}\n}}\n"


def test_containers_and_systems_without_containers_are_the_services():
    assert {s.name for s in _shop().services} == {
        "Storefront", "Shop API", "Orders", "Fulfilment", "Billing", "Payment provider",
    }  # fmt: skip


def test_people_databases_brokers_and_the_enclosing_system_are_not_services():
    names = {s.name for s in _shop().services}
    assert not names & {"Customer", "Orders database", "Order events", "Shop"}


def test_a_text_block_description_keeps_its_lines():
    (api,) = [s for s in _shop().services if s.name == "Shop API"]
    assert api.description == "The back end of the web site:\ncarts, checkout and order history."


def test_tags_and_technology_give_the_style():
    edges = {i.name: i.style for i in _shop().interactions}
    assert edges["Storefront → Shop API: Makes API calls to"] == SYNC  # JSON/HTTPS
    assert edges["Shop API → Payment provider: Charges cards with"] == SYNC  # a tag
    assert edges["Billing → Payment provider: Requests refunds from"] == SYNC  # `this ->`


def test_a_components_relationship_counts_for_its_container():
    names = {i.name for i in _shop().interactions}
    assert "Shop API → Orders: Places orders with" in names
    assert "Shop API → Orders: Reads past orders from" in names


def test_a_broker_between_containers_becomes_one_asynchronous_interaction_each_way_it_serves():
    through = [i for i in _shop().interactions if "Order events" in i.description]
    assert sorted((i.source, i.target, i.style) for i in through) == [
        ("Orders", "Billing", ASYNC),  # the topic delivers to Billing
        ("Orders", "Fulfilment", ASYNC),  # Fulfilment reads from the topic
    ]
    assert through[0].name.startswith("Orders → ") and through[0].name.endswith(
        ": Publishes order changes to"
    )


def test_a_constant_is_substituted():
    plan = structurizr.parse("w.dsl", _workspace(
        '!constant TECH "RabbitMQ"\n'
        'a = softwareSystem "A"\nq = softwareSystem "Jobs" "" "${TECH}"\nb = softwareSystem "B"\n'
        'a -> q "Queues jobs on"\nb -> q "Reads jobs from"'
    ))  # fmt: skip
    # The constant is the system's tag, which makes it a broker.
    assert [(i.source, i.target, i.style) for i in plan.interactions] == [("A", "B", ASYNC)]


def test_what_is_left_out_is_noted_with_its_line():
    notes = [n.message for n in _shop().notes]
    assert any(n.startswith("line 32: “Orders database” is a database") for n in notes)
    assert any("the whole of “Shop” are left out" in n for n in notes)


def test_the_system_is_named_after_the_one_with_containers_then_the_workspace():
    assert _shop().systems == ("Shop", "Web shop")


def test_a_relationship_without_tags_or_telling_technology_is_of_unknown_style():
    plan = structurizr.parse("w.dsl", _workspace(
        'a = softwareSystem "A"\nb = softwareSystem "B"\na -> b "Uses"'
    ))  # fmt: skip
    assert [(i.name, i.style) for i in plan.interactions] == [("A → B: Uses", UNKNOWN)]


def test_flat_identifiers_and_comments_of_every_kind():
    plan = structurizr.parse("w.dsl", _workspace(
        '# a comment\n// another\n/* and\n a block */\n'
        'a = softwareSystem "A" /* inline */\nb = softwareSystem "B"\n'
        'a -> b "Sends \\"quoted\\" text to" "" "Asynchronous"'
    ))  # fmt: skip
    (edge,) = plan.interactions
    assert (edge.name, edge.style) == ('A → B: Sends "quoted" text to', ASYNC)


def test_duplicate_container_names_are_told_apart_by_their_system():
    plan = structurizr.parse("w.dsl", _workspace(
        's1 = softwareSystem "Orders" {\n api1 = container "API"\n}\n'
        's2 = softwareSystem "Stock" {\n api2 = container "API"\n}\n'
        'api1 -> api2 "Reserves stock with" "HTTPS"'
    ))  # fmt: skip
    assert {s.name for s in plan.services} == {"API (Orders)", "API (Stock)"}
    assert plan.interactions[0].name == "API (Orders) → API (Stock): Reserves stock with"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('workspace {\n model {\n  a = softwareSystem "A\n }\n}\n', "line 3: unclosed string"),
        ("workspace {\n model {\n  /* never ends\n }\n}\n", "line 3: unclosed comment"),
        ("workspace {\n model {\n }\n}\n}\n", "line 5: a “}” that closes no block"),
        ("workspace {\n model {\n  a -> b\n }\n}\n", "line 3: “a” is not defined above"),
        ("workspace {\n model {\n }\n}\n", "no model: the workspace defines no software"),
    ],
)
def test_a_file_the_dsl_would_refuse_is_a_problem_naming_its_line(text, message):
    plan = structurizr.parse("w.dsl", text)
    assert plan.services == () and plan.interactions == ()
    assert plan.problems[0].message.startswith(message)


def test_an_unclosed_brace_is_found_by_its_indentation():
    text = (FIXTURES / "malformed" / "unclosed.dsl").read_text()
    (problem,) = structurizr.parse("unclosed.dsl", text).problems
    assert problem.message == "line 5: a “{” opened here is never closed"


def test_a_script_block_may_hold_braces_of_its_own():
    plan = structurizr.parse("w.dsl", _workspace(
        'a = softwareSystem "A"\nb = softwareSystem "B"\na -> b "Calls" "gRPC"\n'
        "!script groovy {\n    workspace.views.each { it.disableAutomaticLayout() \n    if (x) {\n}"
    ))  # fmt: skip
    assert plan.problems == ()
    assert [i.style for i in plan.interactions] == [SYNC]


def test_a_line_continued_with_a_backslash():
    plan = structurizr.parse("w.dsl", _workspace(
        'a = softwareSystem "A"\nb = softwareSystem "B"\na -> b \\\n  "Calls" "gRPC"'
    ))  # fmt: skip
    assert [i.name for i in plan.interactions] == ["A → B: Calls"]
