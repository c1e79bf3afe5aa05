"""Typed access to parsed JSON that reports problems with their path in the document."""

from __future__ import annotations

from typing import Any

from advisor.engine.errors import FrameworkError


class JsonReader:
    """Typed access to a JSON value that knows its own path, for precise messages."""

    def __init__(self, value: Any, path: str) -> None:
        self.value = value
        self.path = path

    def fail(self, problem: str) -> FrameworkError:
        return FrameworkError(self.path, problem)

    def child(self, key: str | int) -> JsonReader:
        if isinstance(key, int):
            return JsonReader(self.value[key], f"{self.path}[{key}]")
        return JsonReader(self.value.get(key), f"{self.path}.{key}" if self.path else key)

    def object(self) -> JsonReader:
        if not isinstance(self.value, dict):
            raise self.fail("expected an object")
        return self

    def items(self) -> list[JsonReader]:
        if not isinstance(self.value, list):
            raise self.fail("expected a list")
        return [self.child(index) for index in range(len(self.value))]

    def string(self, *, optional: bool = False, default: str = "") -> str:
        if self.value is None and optional:
            return default
        if not isinstance(self.value, str) or (not optional and not self.value.strip()):
            raise self.fail("expected a non-empty string")
        return self.value

    def number(self, *, optional: bool = False, default: float = 0.0) -> float:
        if self.value is None and optional:
            return default
        if isinstance(self.value, bool) or not isinstance(self.value, (int, float)):
            raise self.fail("expected a number")
        return float(self.value)

    def integer(self) -> int:
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise self.fail("expected a whole number")
        return self.value

    def boolean(self, *, default: bool = False) -> bool:
        if self.value is None:
            return default
        if not isinstance(self.value, bool):
            raise self.fail("expected true or false")
        return self.value

    def strings(self, *, optional: bool = False) -> tuple[str, ...]:
        if self.value is None and optional:
            return ()
        return tuple(item.string() for item in self.items())

    def key(self, seen: set[str], what: str) -> str:
        key = self.string()
        if key in seen:
            raise self.fail(f"duplicate {what} key {key!r}")
        seen.add(key)
        return key
