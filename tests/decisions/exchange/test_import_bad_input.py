"""Bad uploads get a clear message per file, and nothing is imported partially."""

from __future__ import annotations

import io
import stat
import zipfile

import pytest
from django.core.exceptions import ValidationError

from decisions.archive import ArchiveError, read_upload
from decisions.models import Decision
from decisions.services.importing import import_apply, import_plan
from tests.factories import SystemFactory, make_interaction, record_decision

GOOD = "# {n}. {title}\n\nDate: 2025-04-10\n\n## Status\n\nAccepted\n\n## Context\n\nWhy.\n"


def _zip(files: dict[str, bytes | str], *, links: tuple[str, ...] = ()) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            archive.writestr(info, "/etc/passwd")
    return buffer.getvalue()


def _problems(team, data: bytes) -> dict[str, str]:
    plan = import_plan(team, read_upload("upload.zip", data))
    return {report.path: report.problem for report in plan.problems}


def test_something_that_is_not_a_zip_is_refused_as_a_whole(team):
    with pytest.raises(ArchiveError, match="not a zip archive"):
        read_upload("decisions.zip", b"PK\x03\x04 but not really a zip")
    with pytest.raises(ArchiveError, match="Upload a zip of ADR files"):
        read_upload("photo.png", b"\x89PNG....")


def test_paths_that_leave_the_archive_and_links_are_refused(team):
    data = _zip(
        {"../../etc/0001-evil.md": GOOD.format(n=1, title="Evil"), "/abs/0002-x.md": "x"},
        links=("doc/adr/0003-link.md",),
    )
    problems = _problems(team, data)
    assert problems == {
        "../../etc/0001-evil.md": "its path leads outside the archive.",
        "/abs/0002-x.md": "its path leads outside the archive.",
        "doc/adr/0003-link.md": "it is a link, not a file.",
    }


def test_an_archive_that_expands_far_beyond_its_size_is_refused(team, settings):
    settings.IMPORT_MAX_RATIO = 50
    data = _zip({"doc/adr/0001-big.md": "a" * 2_000_000})
    with pytest.raises(ArchiveError, match="expands to far more than its size"):
        read_upload("bomb.zip", data)


def test_too_many_files_are_refused(team, settings):
    settings.IMPORT_MAX_FILES = 3
    data = _zip({f"doc/adr/{n:04d}-x.md": GOOD.format(n=n, title="X") for n in range(1, 5)})
    with pytest.raises(ArchiveError, match="holds 4 files; at most 3"):
        read_upload("many.zip", data)


def test_an_oversized_file_is_a_problem_of_that_file(team, settings):
    settings.IMPORT_MAX_FILE_BYTES = 2048
    data = _zip({"doc/adr/0001-big.md": GOOD.format(n=1, title="Big") + "x" * 5000})
    assert "a record may be at most 2 KB" in _problems(team, data)["doc/adr/0001-big.md"]


def test_text_that_is_not_utf8_is_a_problem_of_that_file(team):
    data = _zip({"doc/adr/0001-latin.md": GOOD.format(n=1, title="Café").encode("latin-1")})
    assert "not UTF-8 text" in _problems(team, data)["doc/adr/0001-latin.md"]


def test_files_no_dialect_reads_are_problems_and_other_files_are_skipped(team):
    data = _zip({"notes/0001-todo.md": "just some notes\n", "doc/adr/diagram.png": b"\x89PNG"})
    plan = import_plan(team, read_upload("upload.zip", data))
    assert "not an ADR in any format Crossroads reads" in plan.problems[0].problem
    assert plan.skipped[0].skipped == "not a Markdown or JSON file"
    assert not plan.importable


def test_duplicate_numbers_are_a_problem_of_both_files(team):
    data = _zip({
        "doc/adr/0001-one.md": GOOD.format(n=1, title="One"),
        "other/0001-uno.md": GOOD.format(n=1, title="Uno"),
    })  # fmt: skip
    problems = _problems(team, data)
    assert problems["doc/adr/0001-one.md"] == "ADR-0001 is also the number of other/0001-uno.md."
    assert problems["other/0001-uno.md"] == "ADR-0001 is also the number of doc/adr/0001-one.md."


def test_a_number_the_team_has_already_is_a_problem(team, owner):
    record_decision(make_interaction(system=SystemFactory(team=team)), user=owner)
    problems = _problems(team, _zip({"doc/adr/0001-one.md": GOOD.format(n=1, title="One")}))
    assert problems == {"doc/adr/0001-one.md": "the team already has ADR-0001."}


def test_a_link_to_a_missing_record_is_a_problem(team):
    text = GOOD.format(n=2, title="Two").replace(
        "Accepted\n", "Accepted\n\nSupersedes [1. Gone](0001-gone.md)\n"
    )
    problems = _problems(team, _zip({"doc/adr/0002-two.md": text}))
    assert problems["doc/adr/0002-two.md"] == (
        "it links to 0001-gone.md, which is neither in the upload nor among the team's records."
    )


def test_nothing_is_imported_when_any_file_has_a_problem(team, owner):
    data = _zip({
        "doc/adr/0001-one.md": GOOD.format(n=1, title="One"),
        "doc/adr/0002-two.md": b"\xff\xfe not text",
    })  # fmt: skip
    with pytest.raises(ValidationError) as raised:
        import_apply(team=team, user=owner, upload=read_upload("upload.zip", data))
    assert "doc/adr/0002-two.md: it is not UTF-8 text" in raised.value.messages[0]
    assert not Decision.objects.filter(team=team).exists()


def test_an_invalid_front_matter_or_date_says_so(team):
    data = _zip({
        "docs/decisions/0001-a.md": "---\nstatus: [unclosed\n---\n\n# A\n",
        "docs/decisions/0002-b.md": "---\nstatus: accepted\ndate: someday\n---\n\n# B\n",
    })  # fmt: skip
    problems = _problems(team, data)
    assert problems["docs/decisions/0001-a.md"].startswith("its front matter is not valid YAML")
    assert problems["docs/decisions/0002-b.md"] == "its date “someday” is not a date (YYYY-MM-DD)."
