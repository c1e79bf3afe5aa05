"""Errors the engine raises. Each names where the problem is, so a person can fix it."""

from __future__ import annotations


class EngineError(ValueError):
    """Base class: a problem with input the engine was given."""


class FrameworkError(EngineError):
    """The framework definition is broken; the message names the path inside the file."""

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(f"{path}: {problem}" if path else problem)


class AnswerError(EngineError):
    """An answer set does not fit the framework; the message names the offending key."""

    def __init__(self, key: str, problem: str) -> None:
        self.key = key
        self.problem = problem
        super().__init__(f"{key}: {problem}" if key else problem)
