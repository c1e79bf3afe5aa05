"""Run the real ADR tools on a repository folder and read back what they make of it.

Every function runs the real program (Debian's adr-tools, log4brains 1.1.0's core library,
markdownlint-cli with MADR's rules) in the given folder, with a time limit, and returns its
answer parsed. A tool that fails, or is not installed, raises an AssertionError that carries
the command and everything it printed, so a test never passes or skips without the tool:
`make system-deps tools` installs them all (CI's `make test` does so itself).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
TOOLS_DIR = Path(os.environ.get("ADR_TOOLS_DIR", REPO_ROOT / ".tools" / "node"))
NODE_MODULES = TOOLS_DIR / "node_modules"
# MADR's templates by version: 4.0.0 is current; 3.0.0 and 2.1.2 are what older logs follow.
MADR_TEMPLATES = NODE_MODULES / "madr" / "template"
MADR3_TEMPLATES = NODE_MODULES / "madr-3" / "template"
MADR2_TEMPLATES = NODE_MODULES / "madr-2" / "template"
MADR_LINT_CONFIG = MADR_TEMPLATES / ".markdownlint.yml"
LOG4BRAINS_SCRIPT = Path(__file__).with_name("log4brains.js")
FIXTURE_REPOS = REPO_ROOT / "tests" / "fixtures" / "adr_repos"
TIMEOUT = 60.0

INSTALL_HINT = {
    "adr": "adr-tools is a Debian package: run `make system-deps` (as root it installs it)",
    "dot": "Graphviz is a Debian package: run `make system-deps` (as root it installs it)",
    "node": "Node.js is a Debian package: run `make system-deps` (as root it installs it)",
    "npm": f"the npm tools live in {TOOLS_DIR}: run `make tools`",
}


def _program(name: str, kind: str) -> str:
    """The path of a program, or an AssertionError telling how to install it."""
    if kind == "npm":
        candidate = NODE_MODULES / ".bin" / name
        found = str(candidate) if candidate.exists() else None
    else:
        found = shutil.which(name)
    if found is None:
        raise AssertionError(f"{name} is not installed; {INSTALL_HINT[kind]}.")
    return found


def copy_fixture(name: str, destination: Path) -> Path:
    """Copy one fixture repository (adr-tools, madr4, log4brains…) so a test may change it."""
    source = FIXTURE_REPOS / name
    if not source.is_dir():
        raise AssertionError(f"no fixture repository {name!r} in {FIXTURE_REPOS}")
    return Path(shutil.copytree(source, Path(destination) / name))


def require_tools() -> None:
    """Fail at once, naming what is missing, unless every tool the harness runs is installed."""
    for name, kind in (("adr", "adr"), ("dot", "dot"), ("node", "node")):
        _program(name, kind)
    for name in ("markdownlint", "log4brains"):
        _program(name, "npm")
    for path in (MADR_LINT_CONFIG, NODE_MODULES / "@log4brains" / "core"):
        if not path.exists():
            raise AssertionError(f"{path} is missing; {INSTALL_HINT['npm']}.")


def run_tool(
    args: Sequence[str | Path],
    cwd: Path,
    *,
    env: Mapping[str, str] | None = None,
    timeout: float = TIMEOUT,
    input_text: str | None = None,
    ok_codes: Iterable[int] = (0,),
) -> subprocess.CompletedProcess[str]:
    """Run one tool in `cwd`; an exit code outside `ok_codes` fails with all it printed."""
    command = " ".join(str(arg) for arg in args)
    try:
        result = subprocess.run(
            [str(arg) for arg in args],
            cwd=cwd,
            env={**os.environ, **(env or {})},
            input=input_text,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        raise AssertionError(
            f"`{command}` in {cwd} ran longer than {timeout:.0f} s\n"
            f"--- stdout ---\n{error.stdout}\n--- stderr ---\n{error.stderr}"
        ) from error
    if result.returncode not in tuple(ok_codes):
        raise AssertionError(
            f"`{command}` in {cwd} exited with {result.returncode}\n"
            f"--- stdout ---\n{result.stdout}\n--- stderr ---\n{result.stderr}"
        )
    return result


# adr-tools -------------------------------------------------------------------------------

# adr new opens the record in $VISUAL or $EDITOR; `true` leaves it as written, unattended.
ADR_ENV = {"EDITOR": "true", "VISUAL": "true"}


def _adr(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**ADR_ENV, **({"ADR_DATE": date} if date else {})}
    return run_tool([_program("adr", "adr"), *args], Path(repo), env=env).stdout


def adr_reference(record: int | str) -> str:
    """How adr-tools finds a record: a number becomes `0003-`, since adr greps file names."""
    return f"{record:04d}-" if isinstance(record, int) else record


def adr_init(repo: Path, folder: str = "doc/adr", *, date: str | None = None) -> Path:
    """Run `adr init FOLDER` (writes .adr-dir and record 1); return the first record's path."""
    return Path(repo) / _adr(repo, "init", folder, date=date).strip()


def adr_new(
    repo: Path,
    title: str,
    *,
    supersedes: Sequence[int | str] = (),
    links: Sequence[str] = (),
    date: str | None = None,
) -> Path:
    """Run `adr new [-s N]… [-l "N:Label:Reverse label"]… TITLE`; return the new record's path."""
    options: list[str] = []
    for record in supersedes:
        options += ["-s", adr_reference(record)]
    for link in links:
        options += ["-l", link]
    return Path(repo) / _adr(repo, "new", *options, title, date=date).strip()


def adr_new_superseding(repo: Path, number: int | str, title: str) -> Path:
    """Run `adr new -s NUMBER TITLE`, unattended; return the new record's path."""
    return adr_new(repo, title, supersedes=[number])


def adr_link(
    repo: Path, source: int | str, label: str, target: int | str, reverse_label: str
) -> None:
    """Run `adr link SOURCE LABEL TARGET REVERSE_LABEL`, which writes both records' Status."""
    _adr(repo, "link", adr_reference(source), label, adr_reference(target), reverse_label)


def adr_list(repo: Path) -> list[str]:
    """The record files `adr list` finds, relative to the repository, in its order."""
    return [line for line in _adr(repo, "list").splitlines() if line]


def adr_toc(repo: Path) -> str:
    """The Markdown table of contents `adr generate toc` writes."""
    return _adr(repo, "generate", "toc")


def adr_graph(repo: Path) -> str:
    """The Graphviz (dot) source `adr generate graph` writes."""
    return _adr(repo, "generate", "graph")


def dot_links(dot_source: str) -> set[tuple[int, int, str]]:
    """The labelled edges Graphviz itself reads from a graph `adr generate graph` wrote.

    Each is (from record, to record, label); the dotted edges that only chain the records in
    order carry no label and are left out. Graphviz rejecting the source fails the call.
    """
    layout = run_tool([_program("dot", "dot"), "-Tjson"], REPO_ROOT, input_text=dot_source)
    graph = json.loads(layout.stdout)
    names = {node["_gvid"]: node["name"] for node in graph.get("objects", [])}
    links = set()
    for edge in graph.get("edges", []):
        if edge.get("label"):
            tail, head = (int(names[edge[end]].lstrip("_")) for end in ("tail", "head"))
            links.add((tail, head, edge["label"]))
    return links


# log4brains ------------------------------------------------------------------------------


def _log4brains(repo: Path, *args: str) -> str:
    node = _program("node", "node")
    if not (NODE_MODULES / "@log4brains" / "core").exists():
        raise AssertionError(f"log4brains is not installed; {INSTALL_HINT['npm']}.")
    repo = Path(repo).resolve()
    env = {
        "NODE_PATH": str(NODE_MODULES),
        # log4brains reads dates and authors from git history when the folder is in a git
        # work tree; stopping git's search at the folder's parent keeps the project's own
        # history out, while a repository with its own .git is still read.
        "GIT_CEILING_DIRECTORIES": str(repo.parent),
    }
    return run_tool([node, LOG4BRAINS_SCRIPT, *args], repo, env=env, timeout=120).stdout


def log4brains_adrs(repo: Path) -> list[dict[str, Any]]:
    """Every ADR log4brains 1.1.0 reads from `repo` (the folder with .log4brains.yml).

    In log4brains' own order (by Date, then creation, then slug), each a dict with its
    `slug`, `title`, `status` (draft, proposed, rejected, accepted, deprecated, superseded),
    `date` (the Date field as YYYY-MM-DD, or None), `deciders` and `tags` (lists),
    `supersededBy` (a slug or None), `links` (the `## Links` items it resolved to another
    ADR: {"label", "slug"}), `package`, `file` (relative path), and its `publicationDate`,
    `creationDate`, `lastEditDate` and `lastEditAuthor` as log4brains computes them.
    """
    return json.loads(_log4brains(repo, "read", "."))


def log4brains_create(repo: Path, slug: str, title: str) -> Path:
    """Write a new ADR from the repository's template.md, as `log4brains adr new` does."""
    return Path(_log4brains(repo, "create", ".", slug, title))


def log4brains_supersede(repo: Path, superseded: str, superseder: str) -> None:
    """Mark one ADR superseded by another, as log4brains' `adr new` does when asked."""
    _log4brains(repo, "supersede", ".", superseded, superseder)


# markdownlint ----------------------------------------------------------------------------

LINT_PROBLEM = re.compile(r"^\S.*:\d+(:\d+)? MD\d{3}/")


def markdownlint(paths: Sequence[Path], config: Path = MADR_LINT_CONFIG) -> list[str]:
    """The problems markdownlint-cli finds in `paths` (files or folders); empty when clean."""
    if not paths:
        raise AssertionError("markdownlint needs at least one file or folder to check")
    missing = [str(path) for path in paths if not Path(path).exists()]
    if missing:
        # markdownlint-cli answers a path it cannot find with its usage text and exit 0.
        raise AssertionError(f"markdownlint was given paths that do not exist: {missing}")
    if not Path(config).exists():
        raise AssertionError(f"{config} is missing; {INSTALL_HINT['npm']}.")
    program = _program("markdownlint", "npm")
    result = run_tool(
        [program, "--config", config, *(Path(path).resolve() for path in paths)],
        REPO_ROOT,
        ok_codes=(0, 1),
    )
    # Problems are `file:line[:column] MDnnn/name description`; Node may add warnings.
    problems = [line for line in result.stderr.splitlines() if LINT_PROBLEM.match(line)]
    if result.returncode == 1 and not problems:
        raise AssertionError(f"markdownlint failed:\n{result.stdout}\n{result.stderr}")
    return problems
