"""Every URL pattern the project serves, read from the resolver (nothing listed by hand)."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver


@dataclass(frozen=True)
class Pattern:
    """One pattern: `key` is its namespaced name ("admin:index", "decision_detail"), or
    for an unnamed one its namespace and full route ("admin:<unnamed> ^admin/(?P<url>.*)$")."""

    key: str
    route: str
    name: str | None
    namespace: str


def _walk(patterns, prefix: str, namespace: str):
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = entry.namespace or ""
            joined = ":".join(part for part in (namespace, inner) if part)
            yield from _walk(entry.url_patterns, route, joined)
        elif isinstance(entry, URLPattern):
            name = entry.name
            if name:
                key = f"{namespace}:{name}" if namespace else name
            else:
                key = f"{namespace + ':' if namespace else ''}<unnamed> {route}"
            yield Pattern(key=key, route=route, name=name, namespace=namespace)


def all_patterns() -> list[Pattern]:
    """Every pattern once, in the resolver's order (a name given twice keeps its first)."""
    found: dict[str, Pattern] = {}
    for pattern in _walk(get_resolver().url_patterns, "", ""):
        found.setdefault(pattern.key, pattern)
    return list(found.values())
