"""An upload of several files: each file's format found, files of one format read together,
and one plan made of them all."""

from __future__ import annotations

from pathlib import Path

import pytest

from advisor import limits
from advisor.catalogs import common, detect, plan_from_data, plan_from_files, plan_to_data
from advisor.catalogs.common import (
    ASYNC,
    REQUEST_REPLY,
    SYNC,
    UNKNOWN,
    CatalogPlan,
    PlannedInteraction,
)
from advisor.catalogs.files import MAX_INTERACTIONS, merge
from advisor.models import Style

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "catalogs"


def _files(*paths: str) -> list[tuple[str, bytes]]:
    return [(Path(path).name, (FIXTURES / path).read_bytes()) for path in paths]


def test_the_styles_are_the_models():
    assert set(common.STYLES) == set(Style.values)


@pytest.mark.parametrize(
    ("name", "text", "found"),
    [
        ("catalog-info.yaml", "apiVersion: backstage.io/v1alpha1\nkind: Component\n", "backstage"),
        ("entities.yml", "- apiVersion: backstage.io/v1alpha1\n", "backstage"),
        ("orders.yaml", "asyncapi: 3.0.0\ninfo: {title: Orders}\n", "asyncapi"),
        ("orders.json", '{\n  "asyncapi": "3.0.0"\n}', "asyncapi"),
        ("c4.txt", 'workspace "Shop" {\n}\n', "structurizr"),
        ("workspace.dsl", "/* only a comment */\n", "structurizr"),
        ("notes.yaml", "title: meeting notes\n", None),
        ("readme.md", "# Shop\n", None),
    ],
)
def test_the_format_is_found_from_the_content_then_the_extension(name, text, found):
    assert detect(name, text) == found


def test_an_api_entity_with_an_inline_asyncapi_definition_is_backstage():
    text = (FIXTURES / "backstage" / "catalog-info.yaml").read_text()
    assert detect("catalog-info.yaml", text) == "backstage"


def test_files_of_every_format_make_one_plan():
    plan = plan_from_files(_files(
        "backstage/catalog-info.yaml", "asyncapi/orders.yaml", "asyncapi/warehouse.yaml",
        "asyncapi/payments.json", "structurizr/workspace.dsl",
    ))  # fmt: skip
    assert plan.problems == ()
    names = [s.name for s in plan.services]
    assert names == sorted(names, key=str.lower)
    # Orders and Payments are in all of them: one service each, described once.
    assert names.count("Orders") == 1 and names.count("Payments") == 1
    edges = {i.name: i.style for i in plan.interactions}
    assert edges["Orders → Warehouse: orders.created"] == ASYNC
    assert edges["Orders → Payments: payments.authorize"] == REQUEST_REPLY
    assert edges["Orders → Payments: Payments API"] == SYNC
    assert [f for f, _ in plan.files][-1] == "workspace.dsl"
    assert dict(plan.files)["payments.json"] == "asyncapi"


def test_asyncapi_documents_are_matched_across_files():
    plan = plan_from_files(_files("asyncapi/orders.yaml", "asyncapi/warehouse.yaml"))
    assert [(i.source, i.target) for i in plan.interactions] == [("Orders", "Warehouse")]


def test_a_bad_file_is_a_problem_of_its_own_and_the_others_are_read():
    plan = plan_from_files(_files(
        "asyncapi/orders.yaml", "asyncapi/warehouse.yaml", "asyncapi/notifications-v2.yaml",
        "malformed/broken.yaml", "malformed/list.yaml", "malformed/no-operations.yaml",
        "malformed/unclosed.dsl",
    ))  # fmt: skip
    assert [str(p) for p in plan.problems] == [
        "notifications-v2.yaml: not an AsyncAPI 3 document (asyncapi: 2.6.0; version 2's "
        "publish/subscribe are not read)",
        "broken.yaml: line 6: mapping values are not allowed in this context",
        "list.yaml: the file holds a list, not a Backstage entity (a mapping with "
        "apiVersion, kind, metadata and spec)",
        "no-operations.yaml: no operations: nothing says what this application sends or receives",
        "unclosed.dsl: line 5: a “{” opened here is never closed",
    ]
    # Nothing partial: none of the bad files' services is in the plan.
    assert {s.name for s in plan.services} == {"Orders", "Warehouse"}
    assert dict(plan.files)["broken.yaml"] == "backstage"


def test_a_file_over_the_limit_is_not_read():
    (problem,) = plan_from_files(_files("asyncapi/orders.yaml"), max_file_bytes=100).problems
    assert problem.message == "larger than 100 bytes, the most Crossroads reads in one file"


def test_a_file_that_is_not_text_or_of_no_known_format_says_so():
    plan = plan_from_files([
        ("logo.yaml", b"\xff\xd8\xff\xe0 not text"),
        ("notes.yaml", b"title: meeting notes\n"),
        ("bad.json", b"{ nope"),
        ("nul.dsl", b"workspace {\x00}"),
    ])  # fmt: skip
    assert [str(p) for p in plan.problems] == [
        "logo.yaml: not UTF-8 text",
        "notes.yaml: not a format Crossroads reads: upload Backstage descriptors "
        "(catalog-info.yaml), AsyncAPI 3 documents or Structurizr DSL workspaces (.dsl)",
        "bad.json: line 1: Expecting property name enclosed in double quotes (not valid JSON)",
        "nul.dsl: holds a NUL character: not a text file",
    ]


def test_files_of_the_same_name_are_told_apart():
    data = (FIXTURES / "malformed" / "list.yaml").read_bytes()
    plan = plan_from_files([("catalog-info.yaml", data), ("catalog-info.yaml", data)])
    assert [p.file for p in plan.problems] == ["catalog-info.yaml", "catalog-info.yaml (2)"]


def _plan(*interactions: PlannedInteraction) -> CatalogPlan:
    return CatalogPlan(interactions=interactions)


def test_the_same_interaction_from_two_files_is_one_taking_the_style_that_is_known():
    merged = merge([
        _plan(PlannedInteraction("A", "B", "A → B", UNKNOWN, "", "one.yaml")),
        _plan(PlannedInteraction("a", "b", "a → b", SYNC, "Calls.", "two.yaml")),
    ])  # fmt: skip
    (edge,) = merged.interactions
    assert (edge.name, edge.style, edge.description, edge.origin) == (
        "A → B", SYNC, "Calls.", "one.yaml",
    )  # fmt: skip


def test_interaction_names_are_made_unique_and_services_added_for_their_ends():
    merged = merge([
        _plan(PlannedInteraction("A", "B", "Same name", SYNC),
              PlannedInteraction("B", "C", "same NAME", ASYNC)),
    ])  # fmt: skip
    assert [i.name for i in merged.interactions] == ["Same name", "same NAME (2)"]
    assert [s.name for s in merged.services] == ["A", "B", "C"]


def test_an_interaction_from_a_service_to_itself_is_dropped():
    assert merge([_plan(PlannedInteraction("A", "a", "Loop"))]).interactions == ()


def test_a_unique_name_still_fits_its_cap():
    long = "x" * limits.INTERACTION_NAME
    merged = merge([_plan(PlannedInteraction("A", "B", long), PlannedInteraction("B", "C", long))])
    assert all(len(i.name) <= limits.INTERACTION_NAME for i in merged.interactions)
    assert merged.interactions[1].name.endswith(" (2)")


def test_names_from_files_are_cut_to_their_caps():
    name = common.edge_name("S" * 200, "T" * 200, "label")
    assert len(name) == limits.INTERACTION_NAME
    assert len(common.clean_name("n" * 500)) == limits.NAME
    assert common.clean_name("  Two\n  lines\t ") == "Two lines"


def test_too_many_interactions_is_a_problem_and_nothing_is_planned():
    edges = [PlannedInteraction(f"S{n}", f"T{n}", f"E{n}") for n in range(MAX_INTERACTIONS + 1)]
    merged = merge([_plan(*edges)])
    assert merged.services == () and merged.interactions == ()
    assert "more than 1,000 interactions" in merged.problems[0].message


def test_a_plan_survives_its_trip_through_data():
    plan = plan_from_files(_files("asyncapi/orders.yaml", "asyncapi/payments.json",
                                  "malformed/list.yaml"))  # fmt: skip
    assert plan_from_data(plan_to_data(plan)) == plan


@pytest.mark.parametrize(
    "data",
    [None, [], {"s": [["only one"]]}, {"i": [["a", "b", "n", "telepathy", "", ""]]}],
)
def test_data_that_is_not_a_plan_is_refused(data):
    with pytest.raises(ValueError):
        plan_from_data(data)
