"""The Structurizr DSL's lines, read as the DSL reads them: statements of whitespace-separated
tokens, one per line (a line ending in `\\` goes on on the next), with `"..."` strings,
`\"\"\"` text blocks over several lines, `/* */`, `//` and `#` comments, `{` closing a
statement that opens a block and `}` alone on its line closing it.

A string or comment left open, or a brace that is never closed or closes nothing, is an
error naming its line, for the file's author.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from advisor.catalogs.common import MAX_DEPTH, CatalogError

TEXT_BLOCK = '"""'
_WORD = re.compile(r"[^\s\"]+")
_LINE_END = re.compile(r"[ \t]*(?:\n|\Z)")


@dataclass(frozen=True)
class Token:
    text: str
    quoted: bool = False

    def bare(self, *words: str) -> bool:
        """Whether this is one of `words`, written as a keyword (not in quotes)."""
        return not self.quoted and self.text.lower() in words


@dataclass(frozen=True)
class Statement:
    line: int  # where it starts, counting from 1
    indent: int  # its first line's indentation, tabs counting four
    tokens: tuple[Token, ...]

    @property
    def opens(self) -> bool:
        return bool(self.tokens) and self.tokens[-1].bare("{")

    @property
    def closes(self) -> bool:
        return len(self.tokens) == 1 and self.tokens[0].bare("}")

    @property
    def words(self) -> tuple[Token, ...]:
        """Its tokens without the `{` that opens a block."""
        return self.tokens[:-1] if self.opens else self.tokens


def _indent(line: str, start: int = 0) -> int:
    """The width of the blanks that begin the line at `start` of `line`."""
    width = 0
    while start < len(line) and line[start] in " \t":
        width += 1 if line[start] == " " else 4
        start += 1
    return width


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text.replace("\r\n", "\n").replace("\r", "\n")
        self.at = 0
        self.line = 1
        self.statements: list[Statement] = []
        self.tokens: list[Token] = []
        self.start_line = 1
        self.start_indent = 0
        self.line_start = True

    def _end_statement(self) -> None:
        if self.tokens:
            self.statements.append(Statement(self.start_line, self.start_indent,
                                             tuple(self.tokens)))  # fmt: skip
        self.tokens = []

    def _newline(self) -> None:
        self.line += 1
        self.line_start = True

    def _skip_to_line_end(self) -> None:
        end = self.text.find("\n", self.at)
        self.at = len(self.text) if end < 0 else end

    def _block_comment(self) -> None:
        end = self.text.find("*/", self.at + 2)
        if end < 0:
            raise CatalogError(f"line {self.line}: unclosed comment (/* without */)")
        self.line += self.text.count("\n", self.at, end)
        self.at = end + 2

    def _text_block(self) -> str:
        end = self.text.find(TEXT_BLOCK, self.at + 3)
        if end < 0:
            raise CatalogError(f'line {self.line}: unclosed string (""" without its end)')
        value = self.text[self.at + 3 : end]
        self.line += value.count("\n")
        self.at = end + 3
        lines = value.strip("\n").split("\n")
        margin = min((_indent(line) for line in lines if line.strip()), default=0)
        return "\n".join(line[margin:] for line in lines).strip()

    def _string(self) -> str:
        chars: list[str] = []
        at = self.at + 1
        while at < len(self.text):
            ch = self.text[at]
            if ch == "\n":
                break
            if ch == "\\" and at + 1 < len(self.text) and self.text[at + 1] in '"\\':
                chars.append(self.text[at + 1])
                at += 2
                continue
            if ch == '"':
                self.at = at + 1
                return "".join(chars)
            chars.append(ch)
            at += 1
        raise CatalogError(f"line {self.line}: unclosed string")

    def _word(self) -> str:
        match = _WORD.match(self.text, self.at)
        assert match is not None
        self.at = match.end()
        return match.group(0)

    def _continues(self) -> bool:
        """Whether the `\\` at `at` ends its line (the statement goes on below)."""
        return _LINE_END.match(self.text, self.at + 1) is not None

    def read(self) -> list[Statement]:
        text = self.text
        while self.at < len(text):
            ch = text[self.at]
            if ch == "\n":
                self._end_statement()
                self._newline()
                self.at += 1
                continue
            if ch in " \t":
                self.at += 1
                continue
            if self.line_start and not self.tokens:
                self.start_line = self.line
                line_begins = text.rfind("\n", 0, self.at) + 1
                self.start_indent = _indent(text, line_begins)
            first_on_line = self.line_start
            self.line_start = False
            if text.startswith("/*", self.at):
                self._block_comment()
            elif text.startswith("//", self.at) or (ch == "#" and first_on_line):
                self._skip_to_line_end()
            elif ch == "\\" and self._continues():
                self._skip_to_line_end()
                self.at += 1  # the newline: the statement goes on
                self.line += 1
            elif text.startswith(TEXT_BLOCK, self.at):
                self.tokens.append(Token(self._text_block(), quoted=True))
            elif ch == '"':
                self.tokens.append(Token(self._string(), quoted=True))
            else:
                self.tokens.append(Token(self._word()))
        self._end_statement()
        return self.statements


def statements(text: str) -> list[Statement]:
    """The file's statements, its braces checked. Raises CatalogError naming the line of
    the first thing that cannot be read."""
    found = _Lexer(text).read()
    _check_braces(found)
    return found


def is_script(statement: Statement) -> bool:
    """Whether the statement opens an inline script, whose lines are code, not DSL."""
    return bool(statement.tokens) and statement.tokens[0].bare("!script")


def _check_braces(found: list[Statement]) -> None:
    """Every block closed, and no `}` closing nothing. When one is never closed, the line
    named is the block whose `}` is missing as the indentation tells (a `}` less indented
    than its block's first line belongs to an outer block), else the innermost one."""
    open_blocks: list[Statement] = []
    suspect: Statement | None = None
    in_script = False
    for statement in found:
        if in_script and not statement.closes:
            continue  # a script's own code, whatever braces it holds
        in_script = statement.opens and is_script(statement)
        if statement.closes:
            if not open_blocks:
                raise CatalogError(f"line {statement.line}: a “}}” that closes no block")
            opened = open_blocks.pop()
            if suspect is None and statement.indent < opened.indent:
                suspect = opened
        elif statement.opens:
            open_blocks.append(statement)
            if len(open_blocks) > MAX_DEPTH:
                raise CatalogError(
                    f"line {statement.line}: blocks nested more than {MAX_DEPTH} deep"
                )
    if open_blocks:
        missing = suspect or open_blocks[-1]
        raise CatalogError(f"line {missing.line}: a “{{” opened here is never closed")
