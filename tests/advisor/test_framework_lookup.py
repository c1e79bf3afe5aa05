"""Looking a framework up by name and version: shipped files only, one bounded cache."""

from __future__ import annotations

import json
import pathlib
from io import StringIO

import pytest
from django.core.management import call_command

from advisor import frameworks
from advisor.engine import FrameworkError, framework_files
from advisor.frameworks import FrameworkNotFound, framework_get, team_framework
from advisor.models import FrameworkVersion, Team

SHIPPED = framework_files.FRAMEWORKS_DIR


@pytest.fixture
def shipped_in(tmp_path, monkeypatch):
    """Frameworks shipped from a folder of the test's own: write files, then look up."""
    monkeypatch.setattr(framework_files, "FRAMEWORKS_DIR", tmp_path)
    frameworks.clear_caches()
    yield tmp_path
    frameworks.clear_caches()


def _document(name: str, version: int) -> dict:
    source = json.loads((SHIPPED / "default.json").read_text())
    return {**source, "name": name, "version": version, "title": f"{name.title()} framework"}


class TestLookup:
    @pytest.mark.parametrize("version", [1, 2, 3])
    def test_every_shipped_version_is_found_by_name_and_version(self, version):
        framework = framework_get("default", version)
        assert (framework.name, framework.version) == ("default", version)
        assert framework.title == "Crossroads default framework"

    def test_versions_differ_as_their_files_do(self):
        assert "caller_kind" in framework_get("default", 3).questions_by_key
        assert "caller_kind" not in framework_get("default", 2).questions_by_key

    @pytest.mark.parametrize(
        ("name", "version"), [("nope", 3), ("default", 99), ("default", 0), ("", 3)]
    )
    def test_an_unknown_name_or_version_is_a_clear_error(self, name, version):
        with pytest.raises(FrameworkNotFound) as raised:
            framework_get(name, version)
        assert str(raised.value) == (
            f"no framework {name!r} v{version} (available: default v1, default v2, default v3)"
        )
        assert isinstance(raised.value, FrameworkError)  # callers catching engine errors

    @pytest.mark.parametrize(
        "name",
        ["../fixtures/frameworks/default", "/etc/passwd", "default.json", "history/default-2",
         "default\x00", "fixtures", "\udcff\udcfe"],
    )  # fmt: skip
    def test_a_name_that_looks_like_a_path_never_reaches_the_file_system(self, name, monkeypatch):
        framework_get("default", 3)  # the shipped files are read once, before

        def no_reading(*args, **kwargs):
            raise AssertionError("the file system was read")

        monkeypatch.setattr(pathlib.Path, "read_text", no_reading)
        monkeypatch.setattr(pathlib.Path, "open", no_reading)
        with pytest.raises(FrameworkNotFound):
            framework_get(name, 3)

    def test_the_cache_is_bounded_and_holds_only_real_frameworks(self):
        frameworks.clear_caches()
        for number in range(500):
            with pytest.raises(FrameworkNotFound):
                framework_get(f"made-up-{number}", number)
        for version in (1, 2, 3, 3):
            framework_get("default", version)
        info = framework_get.cache_info()
        assert info.maxsize == frameworks.FRAMEWORK_CACHE_SIZE
        assert info.currsize == 3 and info.hits == 1

    def test_frozen_copies_parsed_by_content_are_bounded_too(self):
        document = framework_files.shipped_documents()["default", 3]
        for number in range(frameworks.FROZEN_CACHE_SIZE + 5):
            frameworks._parsed_by_digest(f"digest-{number}", document)
        assert len(frameworks._BY_DIGEST) == frameworks.FROZEN_CACHE_SIZE
        assert "digest-0" not in frameworks._BY_DIGEST  # the least recently used went first
        frameworks.clear_caches()

    @pytest.mark.django_db
    def test_a_team_scores_with_the_framework_its_configuration_names(self):
        assert team_framework(Team(framework_version=2)).version == 2
        assert team_framework(Team()).version == 3
        with pytest.raises(FrameworkNotFound):
            team_framework(Team(framework_name="tuned"))


class TestShippedFiles:
    def test_a_file_is_known_by_the_name_and_version_inside_it(self, shipped_in):
        (shipped_in / "whatever.json").write_text(json.dumps(_document("tuned", 7)))
        assert framework_get("tuned", 7).title == "Tuned framework"
        with pytest.raises(FrameworkNotFound):
            framework_get("whatever", 7)

    def test_earlier_versions_come_from_the_history_folder(self, shipped_in):
        (shipped_in / "history").mkdir()
        (shipped_in / "tuned.json").write_text(json.dumps(_document("tuned", 2)))
        (shipped_in / "history" / "tuned-1.json").write_text(json.dumps(_document("tuned", 1)))
        assert [framework_get("tuned", v).version for v in (1, 2)] == [1, 2]

    def test_two_files_of_one_name_and_version_are_reported(self, shipped_in):
        (shipped_in / "a.json").write_text(json.dumps(_document("tuned", 1)))
        (shipped_in / "b.json").write_text(json.dumps(_document("tuned", 1)))
        with pytest.raises(FrameworkError, match=r"a.json and b.json are both tuned v1"):
            framework_get("tuned", 1)

    @pytest.mark.parametrize(
        ("content", "message"),
        [(b"\xff\xfe{}", "is not UTF-8 text"), (b'{"name": ', "is not valid JSON"),
         (b'{"title": "x"}', "does not say its name and version")],
    )  # fmt: skip
    def test_a_broken_file_is_named_in_the_error(self, shipped_in, content, message):
        (shipped_in / "broken.json").write_bytes(content)
        with pytest.raises(FrameworkError, match=f"broken.json {message}"):
            framework_get("default", 3)


@pytest.mark.django_db
class TestFreezing:
    def test_freezing_stores_the_version_asked_for(self):
        frozen = frameworks.framework_version_freeze("default", 2)
        assert (frozen.name, frozen.version) == ("default", 2)
        stored = FrameworkVersion.objects.get(pk=frozen.pk).document
        assert stored == framework_files.shipped_documents()["default", 2]
        assert frameworks.framework_version_freeze("default", 2).pk == frozen.pk

    def test_an_unknown_version_cannot_be_frozen(self):
        with pytest.raises(FrameworkNotFound):
            frameworks.framework_version_freeze("default", 99)
        assert not FrameworkVersion.objects.exists()


class TestAdviseCommand:
    def _advise(self, tmp_path, *args: str) -> dict:
        answers = tmp_path / "answers.json"
        answers.write_text(json.dumps({"operation": "query"}))
        out = StringIO()
        call_command("advise", str(answers), *args, stdout=out)
        return json.loads(out.getvalue())

    def test_it_scores_with_a_shipped_version_by_name_and_version(self, tmp_path):
        output = self._advise(tmp_path, "--framework", "default:2")
        assert output["framework"] == {"name": "default", "version": 2}

    def test_a_name_alone_means_its_newest_version(self, tmp_path):
        assert self._advise(tmp_path, "--framework", "default")["framework"]["version"] == 3
