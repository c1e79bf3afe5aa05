"""The frameworks the web app scores with, and the frozen copies records render from.

A framework is identified by its name and version, and `framework_get` is the one way to
look one up: a team's questionnaires use the framework its configuration names
(`team_framework`), a draft or a record the one it was scored with. Only frameworks the
project ships can be found (see advisor.engine.framework_files); nothing the web app
receives is ever used as a file path. Parsed frameworks are kept in a small bounded cache.

A decision renders from the `FrameworkVersion` it was recorded with, parsed once per process
into bounded caches too (the rows never change, so a cached copy is never stale).
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from django.db import IntegrityError, transaction

from advisor.engine import Framework, FrameworkError, parse_framework
from advisor.engine.framework_files import newest_shipped_version, shipped_documents

# Parsed frameworks kept per process: a few versions in use at once (the teams' current
# ones and the drafts' older ones) fit; an older one is parsed again if it comes back.
FRAMEWORK_CACHE_SIZE = 8
# Frozen copies kept per process, by row and by content.
FROZEN_CACHE_SIZE = 16


class FrameworkNotFound(FrameworkError):
    """No framework of that name and version is known."""

    def __init__(self, name: str, version: int) -> None:
        self.name, self.version = name, version
        available = ", ".join(f"{known} v{number}" for known, number in sorted(shipped_documents()))
        super().__init__("", f"no framework {str(name)[:60]!r} v{version} (available: {available})")


def _document(name: str, version: int) -> dict[str, Any]:
    """The definition of framework `name` at `version`, or FrameworkNotFound."""
    document = shipped_documents().get((name, version))
    # Team-tuned versions (FrameworkVersion rows a team makes from a shipped framework) are
    # to be looked up here, after the shipped ones, once teams can tune a framework.
    if document is None:
        raise FrameworkNotFound(name, version)
    return document


@lru_cache(maxsize=FRAMEWORK_CACHE_SIZE)
def framework_get(name: str, version: int) -> Framework:
    """The framework `name` at `version`; FrameworkNotFound if there is none.

    Unknown names are not cached (an exception is never cached), so whatever is asked for,
    the cache holds at most FRAMEWORK_CACHE_SIZE real frameworks.
    """
    return parse_framework(_document(name, version))


def team_framework(team) -> Framework:
    """The framework a team's questionnaires score with, as its configuration says."""
    return framework_get(team.framework_name, team.framework_version)


def new_team_framework() -> tuple[str, int]:
    """The (name, version) a team starts with: the defaults of its configuration."""
    from advisor.models import Team

    fields = Team._meta
    return fields.get_field("framework_name").default, fields.get_field("framework_version").default


def _digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@lru_cache(maxsize=FRAMEWORK_CACHE_SIZE)
def _digest_of(name: str, version: int) -> str:
    return _digest(_document(name, version))


def framework_version_freeze(name: str, version: int):
    """The stored copy of framework `name` at `version` (a FrameworkVersion row), created
    if new: a record made with it renders from this copy whatever changes later."""
    return _stored(_digest_of(name, version), _document(name, version))


def _stored(digest: str, document: dict[str, Any]):
    """The FrameworkVersion row of `document`, created if new."""
    from advisor.models import FrameworkVersion

    found = FrameworkVersion.objects.filter(digest=digest).only("pk", "name", "version").first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return FrameworkVersion.objects.create(
                name=document["name"], version=document["version"], digest=digest,
                document=document,
            )  # fmt: skip
    except IntegrityError:  # stored by a concurrent record or import a moment ago
        return FrameworkVersion.objects.get(digest=digest)


@lru_cache(maxsize=FROZEN_CACHE_SIZE)
def frozen_framework(version_id: int) -> Framework:
    """The framework a record was made with, from its immutable stored copy."""
    from advisor.models import FrameworkVersion

    document = FrameworkVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return parse_framework(document)


def framework_for_record(record) -> Framework:
    """The framework a record (anything with `framework_frozen_id`, `framework_name` and
    `framework_version`) renders and re-evaluates with: its frozen copy. Records that
    predate frozen copies use the shipped version they name or, when the project no longer
    ships it, the newest version of that framework."""
    if record.framework_frozen_id is not None:
        loaded = record._state.fields_cache.get("framework_frozen")
        if loaded is not None and "document" in loaded.__dict__:  # read with the record
            return _parsed_by_digest(loaded.digest, loaded.document)
        return frozen_framework(record.framework_frozen_id)
    try:
        return framework_get(record.framework_name, record.framework_version)
    except FrameworkNotFound:
        newest = newest_shipped_version(record.framework_name)
        if newest is None:
            raise
        return framework_get(record.framework_name, newest)


# Stored frameworks parsed once per content: a whole log read with its frameworks joined
# (decisions.selectors.decisions_for_export) renders without another query. Imports bring
# documents of their own, so this keeps only the most recently used few.
_BY_DIGEST: OrderedDict[str, Framework] = OrderedDict()
_BY_DIGEST_LOCK = threading.Lock()


def _parsed_by_digest(digest: str, document: dict[str, Any]) -> Framework:
    with _BY_DIGEST_LOCK:
        framework = _BY_DIGEST.get(digest)
        if framework is not None:
            _BY_DIGEST.move_to_end(digest)
            return framework
    framework = parse_framework(document)
    with _BY_DIGEST_LOCK:
        _BY_DIGEST[digest] = framework
        while len(_BY_DIGEST) > FROZEN_CACHE_SIZE:
            _BY_DIGEST.popitem(last=False)
    return framework


def clear_caches() -> None:
    """Forget every framework read so far (for tests that change the files or the rows)."""
    for cached in (shipped_documents, framework_get, _digest_of, frozen_framework):
        cached.cache_clear()
    with _BY_DIGEST_LOCK:
        _BY_DIGEST.clear()


def framework_document_freeze(document: dict[str, Any]):
    """The stored copy of a framework `document` brought by an import (validated first),
    created if new: records imported with it render exactly as they did where they were
    made."""
    parse_framework(document)
    return _stored(_digest(document), document)
