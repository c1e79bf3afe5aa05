"""A small condition language over answers, compiled to plain Python callables.

Grammar (keywords are lower case):

    expr       := or_expr
    or_expr    := and_expr ("or" and_expr)*
    and_expr   := not_expr ("and" not_expr)*
    not_expr   := "not" not_expr | atom
    atom       := "(" expr ")" | "answered(" NAME ")" | comparison
    comparison := NAME ("==" | "!=") NAME          a choice question equals / differs
                | NAME "in" "[" NAME ("," NAME)* "]"
                | NAME "has" NAME                   a multi-choice answer contains a choice
                | NAME (">=" | "<=" | ">" | "<" | "==" | "!=") (NUMBER | NAME)   numbers

An unanswered question makes every comparison on it false (`==` and `!=` alike), so
`not (x == y)` is the way to say "unless x is known to be y". `has` on an unanswered
multi-choice question is false: nothing is known to be in place.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from advisor.engine.errors import FrameworkError

Answers = Mapping[str, Any]
Predicate = Callable[[Answers], bool]

_TOKEN = re.compile(
    r"\s*(?:(?P<number>-?\d+(?:\.\d+)?)|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op>==|!=|>=|<=|>|<|\(|\)|\[|\]|,))"
)
_NUMERIC_OPS = frozenset(("==", "!=", ">=", "<=", ">", "<"))
# The compiled conditions see nothing but the answers they are given.
_NO_NAMES: dict = {"__builtins__": {}}


@dataclass(frozen=True)
class Vocabulary:
    """What a condition may refer to: question keys by kind, and each question's choices."""

    choices: Mapping[str, frozenset[str]]  # single-choice questions
    multi: Mapping[str, frozenset[str]]  # multi-choice questions
    numeric: frozenset[str]  # integer questions and numeric inputs


def _tokenize(text: str, path: str) -> list[tuple[str, str]]:
    tokens, position = [], 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise FrameworkError(path, f"cannot read condition at {text[position:]!r}")
        kind = match.lastgroup
        tokens.append((kind, match.group(kind)))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str, vocabulary: Vocabulary, path: str) -> None:
        self.text = text
        self.tokens = _tokenize(text, path)
        self.position = 0
        self.vocabulary = vocabulary
        self.path = path
        self.referenced: set[str] = set()

    def fail(self, problem: str) -> FrameworkError:
        return FrameworkError(self.path, f"{problem} in condition {self.text!r}")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.position] if self.position < len(self.tokens) else None

    def take(self, kind: str | None = None, value: str | None = None) -> str:
        token = self.peek()
        if token is None:
            raise self.fail("unexpected end")
        if (kind and token[0] != kind) or (value and token[1] != value):
            raise self.fail(f"expected {value or kind}, found {token[1]!r}")
        self.position += 1
        return token[1]

    def at(self, value: str) -> bool:
        token = self.peek()
        return token is not None and token[1] == value

    # Each rule below returns Python source over the answers `a`; `compile_condition` turns
    # the whole condition into one function, so testing it costs one call. Only question
    # and choice keys checked against the vocabulary, and parsed numbers, reach the source.
    def parse(self) -> str:
        source = self.or_expr()
        if self.peek() is not None:
            raise self.fail(f"unexpected {self.peek()[1]!r}")
        return source

    def or_expr(self) -> str:
        parts = [self.and_expr()]
        while self.at("or"):
            self.take()
            parts.append(self.and_expr())
        return parts[0] if len(parts) == 1 else "(" + " or ".join(parts) + ")"

    def and_expr(self) -> str:
        parts = [self.not_expr()]
        while self.at("and"):
            self.take()
            parts.append(self.not_expr())
        return parts[0] if len(parts) == 1 else "(" + " and ".join(parts) + ")"

    def not_expr(self) -> str:
        if self.at("not"):
            self.take()
            return f"(not {self.not_expr()})"
        return self.atom()

    def atom(self) -> str:
        if self.at("("):
            self.take()
            inner = self.or_expr()
            self.take("op", ")")
            return inner
        name = self.take("name")
        if name == "answered":
            self.take("op", "(")
            key = self.question(self.take("name"))
            self.take("op", ")")
            return f"(a.get({key!r}) is not None)"
        key = self.question(name)
        token = self.peek()
        if token is None:
            raise self.fail(f"expected a comparison after {key!r}")
        operator_ = self.take()
        if operator_ == "has":
            return self.has(key)
        if operator_ == "in":
            return self.member_of(key)
        if key in self.vocabulary.numeric:
            if operator_ not in _NUMERIC_OPS:
                raise self.fail(f"{operator_!r} cannot compare the number {key!r}")
            token = self.peek()
            if token is not None and token[0] == "name":
                other = self.question(self.take("name"))
                if other not in self.vocabulary.numeric:
                    raise self.fail(f"cannot compare the number {key!r} with {other!r}")
                return (
                    f"(a.get({key!r}) is not None and a.get({other!r}) is not None"
                    f" and a[{key!r}] {operator_} a[{other!r}])"
                )
            number = float(self.take("number"))
            return f"(a.get({key!r}) is not None and a[{key!r}] {operator_} {number!r})"
        if key in self.vocabulary.multi:
            raise self.fail(f"use 'has' with the multi-choice question {key!r}")
        if operator_ not in ("==", "!="):
            raise self.fail(f"{operator_!r} cannot compare the choice question {key!r}")
        choice = self.choice(key, self.take("name"))
        if operator_ == "==":
            return f"(a.get({key!r}) == {choice!r})"
        return f"(a.get({key!r}) not in (None, {choice!r}))"

    def has(self, key: str) -> str:
        if key not in self.vocabulary.multi:
            raise self.fail(f"'has' needs a multi-choice question, not {key!r}")
        choice = self.choice(key, self.take("name"))
        return f"({choice!r} in (a.get({key!r}) or ()))"

    def member_of(self, key: str) -> str:
        if key not in self.vocabulary.choices:
            raise self.fail(f"'in' needs a single-choice question, not {key!r}")
        self.take("op", "[")
        options = {self.choice(key, self.take("name"))}
        while self.at(","):
            self.take()
            options.add(self.choice(key, self.take("name")))
        self.take("op", "]")
        return f"(a.get({key!r}) in {set(sorted(options))!r})"

    def question(self, key: str) -> str:
        known = (
            key in self.vocabulary.choices
            or key in self.vocabulary.multi
            or key in self.vocabulary.numeric
        )
        if not known:
            raise self.fail(f"unknown question {key!r}")
        self.referenced.add(key)
        return key

    def choice(self, key: str, choice: str) -> str:
        allowed = self.vocabulary.choices.get(key) or self.vocabulary.multi.get(key) or ()
        if choice not in allowed:
            raise self.fail(f"{choice!r} is not a choice of {key!r}")
        return choice


@dataclass(frozen=True)
class Condition:
    """A compiled condition: call it with an answers mapping."""

    text: str
    test: Predicate
    questions: frozenset[str]
    source: str = "True"  # the Python expression `test` evaluates, over the answers `a`

    def __call__(self, answers: Answers) -> bool:
        return self.test(answers)

    def negated(self) -> Condition:
        """The opposite condition, compiled as one function like this one."""
        source = f"(not {self.source})"
        return Condition(f"not ({self.text})", _compiled(source), self.questions, source)


def _compiled(source: str) -> Predicate:
    # Every atom is a comparison, so the expression is a bool without a bool() call. The
    # source holds only keys checked against the vocabulary and parsed numbers.
    return eval(compile(f"lambda a: {source}", "<condition>", "eval"), _NO_NAMES)


ALWAYS = Condition("", lambda answers: True, frozenset())


def compile_condition(text: str | None, vocabulary: Vocabulary, path: str) -> Condition:
    """Compile `text`; a missing or empty condition always holds."""
    if text is None or text.strip() == "":
        return ALWAYS
    if not isinstance(text, str):
        raise FrameworkError(path, "expected a condition string")
    parser = _Parser(text, vocabulary, path)
    source = parser.parse()
    return Condition(text, _compiled(source), frozenset(parser.referenced), source)
