"""The frameworks the web app scores with, and the frozen copies records render from.

A live framework is read from its file once per process, and only a framework the project
ships (a file in fixtures/frameworks/) can be named: a name from a request never reaches the
file system. A decision renders from the `FrameworkVersion` it was recorded with, parsed once
per process into a small bounded cache (the rows never change, so a cached copy is never
stale).
"""

from __future__ import annotations

import hashlib
import json
from functools import cache, lru_cache
from typing import Any

from django.db import IntegrityError, transaction

from advisor.engine import Framework, FrameworkError, load_framework, parse_framework
from advisor.engine.framework_files import FRAMEWORKS_DIR

DEFAULT_FRAMEWORK = "default"


@cache
def framework_names() -> frozenset[str]:
    """The frameworks the project ships."""
    return frozenset(path.stem for path in FRAMEWORKS_DIR.glob("*.json"))


def get_framework(name: str = DEFAULT_FRAMEWORK) -> Framework:
    """The live framework `name`; FrameworkError for any name the project does not ship."""
    if name not in framework_names():
        raise FrameworkError(
            "", f"no framework {name[:60]!r} (available: {', '.join(sorted(framework_names()))})"
        )
    return _load(name)


@cache
def _load(name: str) -> Framework:
    return load_framework(name)


def _digest(document: dict[str, Any]) -> str:
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@cache
def _live_document(name: str) -> tuple[str, dict[str, Any]]:
    """The framework file's parsed JSON and its digest (get_framework validates it)."""
    get_framework(name)
    document = json.loads((FRAMEWORKS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return _digest(document), document


def framework_version_freeze(name: str = DEFAULT_FRAMEWORK):
    """The stored copy of the framework `name` as its file reads now, created if new."""

    digest, document = _live_document(name)
    return _stored(digest, document)


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


@lru_cache(maxsize=16)
def frozen_framework(version_id: int) -> Framework:
    """The framework a record was made with, from its immutable stored copy."""
    from advisor.models import FrameworkVersion

    document = FrameworkVersion.objects.values_list("document", flat=True).get(pk=version_id)
    return parse_framework(document)


def framework_for_record(record) -> Framework:
    """The framework a record (anything with `framework_frozen_id` and `framework_name`)
    renders and re-evaluates with: its frozen copy. Only records that predate frozen copies
    and whose version could not be found fall back to the live framework."""
    if record.framework_frozen_id is not None:
        loaded = record._state.fields_cache.get("framework_frozen")
        if loaded is not None and "document" in loaded.__dict__:  # read with the record
            return _parsed_by_digest(loaded.digest, loaded.document)
        return frozen_framework(record.framework_frozen_id)
    return get_framework(record.framework_name)


# Stored frameworks parsed once per content: a whole log read with its frameworks joined
# (decisions.selectors.decisions_for_export) renders without another query.
_BY_DIGEST: dict[str, Framework] = {}


def _parsed_by_digest(digest: str, document: dict[str, Any]) -> Framework:
    framework = _BY_DIGEST.get(digest)
    if framework is None:
        framework = _BY_DIGEST.setdefault(digest, parse_framework(document))
    return framework


def clear_caches() -> None:
    """Forget every framework read so far (for tests that change the files or the rows)."""
    for cached in (framework_names, _load, _live_document, frozen_framework):
        cached.cache_clear()
    _BY_DIGEST.clear()


def framework_document_freeze(document: dict[str, Any]):
    """The stored copy of a framework `document` brought by an import (validated first),
    created if new: records imported with it render exactly as they did where they were
    made."""
    parse_framework(document)
    return _stored(_digest(document), document)
