"""The harness drives the real tools unattended and fails loudly when they fail or are missing."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.tools import harness
from tests.tools.harness import (
    adr_graph,
    adr_init,
    adr_link,
    adr_list,
    adr_new,
    adr_new_superseding,
    copy_fixture,
    dot_links,
    log4brains_adrs,
    log4brains_create,
    log4brains_supersede,
    markdownlint,
    require_tools,
)


def _status(record) -> str:
    return record.read_text().split("## Status\n", 1)[1].split("\n## ", 1)[0].strip()


def test_adr_new_superseding_writes_the_link_into_both_records_without_an_editor(tmp_path):
    repo = copy_fixture("adr-tools", tmp_path)

    created = adr_new_superseding(repo, 5, "Reserve stock per order line")

    assert created == repo / "doc/adr/0007-reserve-stock-per-order-line.md"
    assert _status(created) == (
        "Accepted\n\nSupersedes [5. Reserve stock with a lease](0005-reserve-stock-with-a-lease.md)"
    )
    old = repo / "doc/adr/0005-reserve-stock-with-a-lease.md"
    # adr-tools appends the new link to the Status section and drops its "Accepted" line.
    assert _status(old).endswith(
        "Superseded by [7. Reserve stock per order line](0007-reserve-stock-per-order-line.md)"
    )
    assert "Accepted" not in _status(old)
    assert (7, 5, "Supersedes") in dot_links(adr_graph(repo))


def test_adr_link_adds_the_link_and_its_reverse(tmp_path):
    repo = copy_fixture("adr-tools", tmp_path)

    adr_link(repo, 6, "Depends on", 2, "Is needed by")

    assert "Depends on [2. Use PostgreSQL for orders](0002-use-postgresql-for-orders.md)" in (
        _status(repo / "doc/adr/0006-deliver-order-events-at-least-once.md")
    )
    assert "Is needed by [6. Deliver order events at least once]" in (
        _status(repo / "doc/adr/0002-use-postgresql-for-orders.md")
    )
    assert (6, 2, "Depends on") in dot_links(adr_graph(repo))


def test_a_new_adr_tools_repository_takes_the_given_dates_and_folder(tmp_path):
    first = adr_init(tmp_path, "docs/architecture", date="2024-12-31")
    second = adr_new(tmp_path, "Use gRPC between services", date="2025-01-02")

    assert (tmp_path / ".adr-dir").read_text() == "docs/architecture\n"
    assert first.name == "0001-record-architecture-decisions.md"
    assert "Date: 2024-12-31" in first.read_text()
    assert second.read_text().startswith("# 2. Use gRPC between services\n\nDate: 2025-01-02\n")
    assert adr_list(tmp_path) == [
        "docs/architecture/0001-record-architecture-decisions.md",
        "docs/architecture/0002-use-grpc-between-services.md",
    ]


def test_a_failing_adr_command_raises_with_what_it_printed(tmp_path):
    with pytest.raises(AssertionError) as failure:
        adr_list(tmp_path)

    assert "exited with 1" in str(failure.value)
    assert "The doc/adr directory does not exist" in str(failure.value)


def test_log4brains_reads_a_record_written_from_its_template_as_a_draft(tmp_path):
    repo = copy_fixture("log4brains", tmp_path)

    path = log4brains_create(repo, "20250601-cache-prices-in-checkout", "Cache prices in checkout")

    assert path == repo / "docs/adr/20250601-cache-prices-in-checkout.md"
    created = {adr["slug"]: adr for adr in log4brains_adrs(repo)}[
        "20250601-cache-prices-in-checkout"
    ]
    # The template's status line lists every status; log4brains reads an unknown one as draft.
    assert (created["title"], created["status"], created["date"]) == (
        "Cache prices in checkout",
        "draft",
        None,
    )


def test_log4brains_supersede_rewrites_the_status_it_reads(tmp_path):
    repo = copy_fixture("log4brains", tmp_path)

    log4brains_supersede(
        repo,
        "20250317-publish-order-events-to-a-message-broker",
        "20250506-deliver-order-events-at-least-once",
    )

    adrs = {adr["slug"]: adr for adr in log4brains_adrs(repo)}
    old = adrs["20250317-publish-order-events-to-a-message-broker"]
    assert (old["status"], old["supersededBy"]) == (
        "superseded",
        "20250506-deliver-order-events-at-least-once",
    )


def test_log4brains_reads_authors_from_a_repository_with_its_own_git_history(tmp_path):
    repo = copy_fixture("log4brains", tmp_path)
    author = {
        "GIT_AUTHOR_NAME": "Alice Martin",
        "GIT_AUTHOR_EMAIL": "alice@example.com",
        "GIT_COMMITTER_NAME": "Alice Martin",
        "GIT_COMMITTER_EMAIL": "alice@example.com",
        "GIT_AUTHOR_DATE": "2025-06-01T10:00:00+00:00",
        "GIT_COMMITTER_DATE": "2025-06-01T10:00:00+00:00",
    }
    for command in (["init", "-q"], ["add", "."], ["commit", "-q", "-m", "Decision log"]):
        subprocess.run(
            ["git", "-c", "commit.gpgsign=false", *command],
            cwd=repo,
            env={**os.environ, **author},
            check=True,
            timeout=30,
        )

    adrs = log4brains_adrs(repo)

    assert {adr["lastEditAuthor"] for adr in adrs} == {"Alice Martin"}
    assert {adr["creationDate"] for adr in adrs} == {"2025-06-01T10:00:00.000Z"}


def test_markdownlint_reports_each_problem_with_file_line_and_rule(tmp_path):
    record = tmp_path / "0001-broken.md"
    record.write_text("# One title\n\n\n\n# Another title\n")

    problems = markdownlint([record])

    assert any(":3 MD012/no-multiple-blanks" in problem for problem in problems)
    assert any(":5 MD025/single-title/single-h1" in problem for problem in problems)
    assert all(problem.startswith(str(record)) for problem in problems)


def test_markdownlint_checks_every_record_under_a_folder(tmp_path):
    folder = tmp_path / "docs" / "decisions"
    folder.mkdir(parents=True)
    (folder / "0001-clean.md").write_text("# Clean\n\nOne paragraph.\n")
    (folder / "0002-broken.md").write_text("# Broken\n\n\n\nText.\n")

    problems = markdownlint([tmp_path])

    assert [problem.split(" ", 1)[0] for problem in problems] == [
        f"{folder / '0002-broken.md'}:3",
        f"{folder / '0002-broken.md'}:4",
    ]


def test_markdownlint_refuses_a_path_that_does_not_exist(tmp_path):
    with pytest.raises(AssertionError, match="do not exist"):
        markdownlint([tmp_path / "missing.md"])


def test_a_missing_tool_cache_fails_with_the_command_that_installs_it(tmp_path, monkeypatch):
    monkeypatch.setattr(harness, "NODE_MODULES", tmp_path / "node_modules")

    with pytest.raises(AssertionError, match="make tools"):
        require_tools()
    with pytest.raises(AssertionError, match="make tools"):
        log4brains_adrs(harness.FIXTURE_REPOS / "log4brains")
