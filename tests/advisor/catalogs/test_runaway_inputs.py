"""Files made to cost far more to read than they weigh: each is refused, or read, while
the work it causes stays bounded by a limit a test can see."""

from __future__ import annotations

import pytest

from advisor.catalogs import (
    asyncapi,
    backstage,
    common,
    detect,
    dsl_reader,
    plan_from_files,
    structurizr,
)
from advisor.catalogs.common import (
    BACKSTAGE,
    MAX_INTERACTIONS,
    STRUCTURIZR,
    CatalogError,
    load_yaml_documents,
)
from advisor.catalogs.dsl_model import MAX_SUBSTITUTED

HEADER = "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n"


def _merge_chain(levels: int) -> str:
    """Each mapping merges the one before it and adds a key: level n holds n keys."""
    lines = ["l0: &l0 {k0: 0}"]
    lines += [f"l{n}: &l{n} {{<<: *l{n - 1}, k{n}: {n}}}" for n in range(1, levels)]
    return "\n".join(lines) + "\n"


# --- detecting the format -----------------------------------------------------------------


def test_a_header_after_twenty_thousand_blank_lines_is_still_detected():
    text = "\n" * 10_000 + "  \t\n" * 10_000 + HEADER
    assert detect("catalog-info.yaml", text) == BACKSTAGE


def test_blank_lines_before_a_workspace_do_not_hide_it():
    text = " \n" * 20_000 + "workspace {\r\n}\r\n"
    assert detect("w.txt", text) == STRUCTURIZR


# --- YAML merge keys --------------------------------------------------------------------


def test_a_chain_of_merge_keys_is_refused_before_it_is_built(monkeypatch):
    built = []
    original = common.SAFE_LOADER.construct_document

    def construct(self, node):
        built.append(node)
        return original(self, node)

    monkeypatch.setattr(common.SAFE_LOADER, "construct_document", construct)
    with pytest.raises(CatalogError, match="once its YAML aliases and merge keys are followed"):
        load_yaml_documents(_merge_chain(2_000))
    assert built == []  # refused from the composed nodes, nothing built


def test_a_few_merge_keys_are_read_as_yaml_reads_them():
    (document,) = load_yaml_documents(_merge_chain(5))
    assert document["l4"] == {"k0": 0, "k1": 1, "k2": 2, "k3": 3, "k4": 4}


def test_merge_chains_spread_over_documents_share_one_files_allowance():
    chain = _merge_chain(150)  # about 11,000 values, a few KB
    with pytest.raises(CatalogError, match="merge keys"):
        load_yaml_documents("\n---\n".join([chain] * 40))


def test_a_yaml_file_of_no_known_format_is_refused_the_same_way():
    plan = plan_from_files([("defaults.yaml", _merge_chain(2_000).encode())])
    (problem,) = plan.problems
    assert "merge keys are followed" in problem.message


# --- Structurizr DSL ----------------------------------------------------------------------


def _workspace(model: str) -> str:
    return f"workspace {{\n    model {{\n{model}\n    }}\n}}\n"


def test_a_constant_longer_than_the_cap_is_refused_with_its_line():
    half = "x" * 6_000
    constants = f'!constant HALF "{half}"\n!constant WHOLE "${{HALF}}${{HALF}}"\n'
    text = constants + _workspace('a = softwareSystem "A"')
    (problem,) = structurizr.parse("w.dsl", text).problems
    assert problem.message == (
        f"line 2: substituting its constants makes a text longer than {MAX_SUBSTITUTED:,} "
        "characters; Crossroads does not read it"
    )


def test_constants_that_double_are_refused_long_before_they_explode():
    lines = ['!constant C0 "xxxxxxxxxxxxxxxx"']
    lines += [f'!constant C{n} "${{C{n - 1}}}${{C{n - 1}}}"' for n in range(1, 60)]
    text = "\n".join(lines) + "\n" + _workspace('a = softwareSystem "A"')
    (problem,) = structurizr.parse("w.dsl", text).problems
    assert problem.message.startswith("line 10: ")  # 16 characters doubled 9 times
    assert "Crossroads does not read it" in problem.message


def test_many_constants_just_under_the_cap_are_refused_together():
    big = "x" * 9_000
    lines = [f'!constant C "{big}"']
    lines += [f'!constant D{n} "${{C}}"' for n in range(20)]
    text = "\n".join(lines) + "\n" + _workspace('a = softwareSystem "A"')
    (problem,) = structurizr.parse("w.dsl", text).problems
    assert "several times more text than the file holds" in problem.message


def test_constants_within_the_cap_are_substituted():
    text = '!constant TEAM "Payments"\n' + _workspace('a = softwareSystem "${TEAM} API"')
    assert [s.name for s in structurizr.parse("w.dsl", text).services] == ["Payments API"]


def test_a_component_outside_any_container_is_a_service_of_its_own():
    plan = structurizr.parse("w.dsl", _workspace(
        'a = softwareSystem "A"\n'
        'c = component "C"\n'
        'group "G" {\n  g = component "G1"\n}\n'
        "c -> a\n"
        'g -> c "Calls"'
    ))  # fmt: skip
    assert {s.name for s in plan.services} == {"A", "C", "G1"}
    assert sorted((i.source, i.target) for i in plan.interactions) == [("C", "A"), ("G1", "C")]


def test_a_statements_indentation_is_measured_without_copying_the_rest_of_the_file(
    monkeypatch,
):
    given: list[str] = []
    original = dsl_reader._indent

    def indent(line: str, start: int = 0) -> int:
        given.append(line)
        return original(line, start)

    monkeypatch.setattr(dsl_reader, "_indent", indent)
    text = _workspace("\n".join(f'    s{n} = softwareSystem "S{n}"' for n in range(2_000)))
    lexer = dsl_reader._Lexer(text)
    found = lexer.read()
    assert [statement.indent for statement in found[2:4]] == [4, 4]
    # Each statement's indentation is read in the file itself, never in a copy of the rest.
    assert len(given) == len(found) and all(line is lexer.text for line in given)


def test_blocks_nested_too_deep_are_refused():
    text = "workspace {\n" + "group g {\n" * 200 + "}\n" * 200 + "}\n"
    with pytest.raises(CatalogError, match="nested more than 100 deep"):
        dsl_reader.statements(text)


def test_a_line_of_backslashes_reads_each_one_once():
    text = "workspace {\n" + "\\ " * 50_000 + "x\n}\n"
    found = dsl_reader.statements(text)
    assert len(found[1].tokens) == 50_001


def test_a_broker_with_many_producers_and_consumers_stops_at_the_cap():
    producers = "\n".join(f's{n} = softwareSystem "S{n}"\ns{n} -> bus "Sends"' for n in range(60))
    consumers = "\n".join(f'r{n} = softwareSystem "R{n}"\nbus -> r{n}' for n in range(60))
    text = _workspace(f'bus = softwareSystem "Bus" "" "Queue"\n{producers}\n{consumers}')
    plan = structurizr.parse("w.dsl", text)
    assert len(plan.interactions) == MAX_INTERACTIONS + 1  # 3,600 pairs, 1,001 made
    merged = plan_from_files([("w.dsl", text.encode())])
    assert "more than 1,000 interactions" in merged.problems[0].message


# --- AsyncAPI -----------------------------------------------------------------------------


def _application(title: str, action: str, operations: int = 1) -> str:
    ops = "\n".join(
        f"  op{n}:\n    action: {action}\n    channel: {{$ref: '#/channels/c'}}"
        for n in range(operations)
    )
    return (
        f"asyncapi: 3.0.0\ninfo: {{title: {title}}}\n"
        f"channels:\n  c: {{address: orders}}\noperations:\n{ops}\n"
    )


def test_several_operations_on_one_address_are_one_end():
    applications = [
        asyncapi.read("a.yaml", _application("A", "send", operations=50)),
        asyncapi.read("b.yaml", _application("B", "receive", operations=50)),
    ]
    plan = asyncapi.combine(applications)
    assert [(i.source, i.target) for i in plan.interactions] == [("A", "B")]


def test_pairing_senders_and_receivers_stops_at_the_cap():
    applications = [asyncapi.read(f"s{n}.yaml", _application(f"S{n}", "send")) for n in range(60)]
    applications += [
        asyncapi.read(f"r{n}.yaml", _application(f"R{n}", "receive")) for n in range(60)
    ]
    plan = asyncapi.combine(applications)
    assert len(plan.interactions) == MAX_INTERACTIONS + 1
    files = [(f"s{n}.yaml", _application(f"S{n}", "send").encode()) for n in range(60)]
    files += [(f"r{n}.yaml", _application(f"R{n}", "receive").encode()) for n in range(60)]
    merged = plan_from_files(files)
    assert merged.interactions == ()
    assert "more than 1,000 interactions" in merged.problems[0].message


# --- Backstage ----------------------------------------------------------------------------


def test_a_name_of_control_characters_only_is_refused():
    text = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\n"
        'metadata:\n  name: "\\x01\\x02\\x7f"\nspec: {type: service}\n'
    )
    (problem,) = backstage.parse("odd.yaml", text).problems
    assert problem.message == "metadata.name '\\x01\\x02\\x7f' has no printable character"


def test_a_missing_provider_says_a_file_could_not_be_read_when_one_could_not():
    consumer = (
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: shop}\n"
        "spec: {type: service, consumesApis: [orders]}\n"
    )
    plan = plan_from_files([("shop.yaml", consumer.encode()), ("orders.yaml", b"kind: [")])
    (note,) = plan.notes
    assert note.message == (
        "“shop” consumes the API “orders”, but no component in these files provides it "
        "(one of the uploaded files could not be read): that interaction is left out"
    )
    alone = plan_from_files([("shop.yaml", consumer.encode())])
    assert "could not be read" not in alone.notes[0].message


def test_a_missing_receiver_says_a_file_could_not_be_read_when_one_could_not():
    files = [("s.yaml", _application("S", "send").encode()), ("r.dsl", b"workspace {")]
    (note,) = plan_from_files(files).notes
    assert "(one of the uploaded files could not be read)" in note.message
