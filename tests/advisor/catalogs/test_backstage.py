"""Backstage descriptors: components, the APIs between them, dependencies, and what makes a
file unreadable."""

from __future__ import annotations

from pathlib import Path

from advisor.catalogs import backstage
from advisor.catalogs.common import ASYNC, SYNC, UNKNOWN

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs"
SHOP = (FIXTURES / "backstage" / "catalog-info.yaml").read_text()


def _shop():
    return backstage.parse("catalog-info.yaml", SHOP)


def _edges(plan) -> dict[tuple[str, str], str]:
    return {(i.source, i.target): i.style for i in plan.interactions}


def test_services_are_the_service_components_and_the_callers_among_the_others():
    names = {service.name for service in _shop().services}
    assert names == {
        "Cart", "Catalog", "Inventory", "Orders", "Payments", "pricing", "Shipping",
        "Storefront",  # a website, taken in because it calls Catalog and Cart
    }  # fmt: skip


def test_a_library_nobody_calls_and_a_resource_are_not_services():
    names = {service.name.lower() for service in _shop().services}
    assert "money-format" not in names
    assert "cart-db" not in names


def test_services_keep_their_titles_and_descriptions():
    services = {service.name: service.description for service in _shop().services}
    assert services["Payments"] == "Takes the money."
    assert services["Storefront"] == "The shop's web site."


def test_a_consumer_calls_the_provider_in_the_style_of_the_apis_type():
    edges = _edges(_shop())
    assert edges[("Storefront", "Catalog")] == SYNC  # openapi
    assert edges[("Storefront", "Cart")] == SYNC  # graphql
    assert edges[("Cart", "pricing")] == SYNC  # grpc
    assert edges[("Shipping", "Orders")] == ASYNC  # asyncapi
    assert edges[("Orders", "Inventory")] == UNKNOWN  # wsdl: not a type that says


def test_interactions_are_named_after_their_services_and_api():
    names = {i.name for i in _shop().interactions}
    assert "Orders → Payments: Payments API" in names
    assert "Storefront → Catalog: Catalog API" in names


def test_an_apis_description_becomes_the_interactions():
    (payment,) = [i for i in _shop().interactions if i.target == "Payments"]
    assert payment.description == "Authorises and captures card payments."
    assert payment.origin == "catalog-info.yaml"


def test_depending_on_a_component_gives_an_interaction_of_unknown_style():
    assert _edges(_shop())[("Cart", "Inventory")] == UNKNOWN


def test_a_dependency_between_components_that_meet_through_an_api_adds_nothing():
    pairs = [(i.source, i.target) for i in _shop().interactions]
    assert pairs.count(("Cart", "pricing")) == 1


def test_the_system_is_named_from_the_system_entity():
    assert _shop().systems == ("Web shop",)


def test_references_are_read_with_kind_namespace_and_case_as_backstage_does():
    ref = backstage.reference
    assert ref("Orders-API", default_kind="api", namespace="default") == "api:default/orders-api"
    assert ref("api:shop/orders", default_kind="api", namespace="default") == "api:shop/orders"
    assert ref("component:payments", default_kind="api", namespace="ops") == (
        "component:ops/payments"
    )


def test_apis_provided_in_another_file_are_matched():
    consumer = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: checkout}\n"
        "spec: {type: service, consumesApis: [stock-api]}\n"
    )
    provider = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: stock}\n"
        "spec: {type: service, providesApis: [stock-api]}\n---\n"
        "apiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: stock-api}\n"
        "spec: {type: grpc}\n"
    )
    plan = backstage.combine([
        ("checkout.yaml", backstage.read("checkout.yaml", consumer)),
        ("stock.yaml", backstage.read("stock.yaml", provider)),
    ])  # fmt: skip
    (edge,) = plan.interactions
    assert (edge.source, edge.target, edge.style, edge.origin) == (
        "checkout", "stock", SYNC, "checkout.yaml",
    )  # fmt: skip


def test_an_api_nobody_provides_is_noted_and_left_out():
    text = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: checkout}\n"
        "spec: {type: service, consumesApis: [tax-api]}\n"
    )
    plan = backstage.parse("checkout.yaml", text)
    assert plan.interactions == ()
    (note,) = plan.notes
    assert "“checkout” consumes the API “tax-api”, but no component" in note.message


def test_broken_yaml_is_a_problem_naming_its_line_and_gives_nothing():
    text = (FIXTURES / "malformed" / "broken.yaml").read_text()
    plan = backstage.parse("broken.yaml", text)
    assert plan.services == () and plan.interactions == ()
    (problem,) = plan.problems
    assert problem.message.startswith("line 6: mapping values are not allowed")


def test_a_yaml_list_is_a_problem():
    text = (FIXTURES / "malformed" / "list.yaml").read_text()
    (problem,) = backstage.parse("list.yaml", text).problems
    assert problem.message.startswith("the file holds a list, not a Backstage entity")


def test_one_bad_document_makes_the_whole_file_unreadable():
    text = SHOP + "\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {}\n"
    plan = backstage.parse("catalog-info.yaml", text)
    assert plan.services == ()
    assert plan.problems[0].message == "document 18: no metadata.name"


def test_a_reference_list_that_is_not_a_list_is_a_problem():
    text = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: a}\n"
        "spec: {type: service, dependsOn: component:b}\n"
    )
    (problem,) = backstage.parse("a.yaml", text).problems
    assert problem.message == "spec.dependsOn of “a” is not a list of references"


def test_an_alias_bomb_is_refused_without_being_expanded():
    lines = ['a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for level in range(1, 9):
        lines.append(
            f"{chr(97 + level)}: &{chr(97 + level)} [{', '.join(['*' + chr(96 + level)] * 10)}]"
        )
    text = "apiVersion: backstage.io/v1alpha1\nkind: Component\n" + "\n".join(lines) + "\n"
    (problem,) = backstage.parse("bomb.yaml", text).problems
    assert "once its YAML aliases and merge keys are followed" in problem.message


def test_other_kinds_are_ignored():
    text = (
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: shop-team}\n"
        "spec: {type: team, children: []}\n"
    )
    plan = backstage.parse("org.yaml", text)
    assert plan.problems == () and plan.services == ()


def test_a_dependency_on_a_component_no_file_describes_is_noted():
    text = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: checkout}\n"
        "spec: {type: service, dependsOn: [component:fraud-check, resource:checkout-db]}\n"
    )
    plan = backstage.parse("checkout.yaml", text)
    assert plan.interactions == ()
    assert [n.message for n in plan.notes] == [
        "“checkout” depends on the component “fraud-check”, which none of these files "
        "describes: that interaction is left out"
    ]
