"""A small POSIX-shell reader: which simple commands a script runs, and how.

Nothing is expanded or executed. The reader finds every simple command of a
script, including those inside command substitutions and subshells, and notes
each feature that makes a script more than plain commands joined by `&&`, `||`,
`;` and `|` (the only scripts the classifier may call known-safe).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

__all__ = ["PLAIN_JOINERS", "Script", "SimpleCommand", "parse_script"]

# Operators that may join the commands of a plain script ("" marks the first).
PLAIN_JOINERS = frozenset({"", "&&", "||", ";", "|", "\n"})

_MAX_DEPTH = 16
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_")
_SPECIAL_PARAMS = frozenset("?$!#@*-0123456789")
# Characters with no meaning of their own inside a word, read as one piece.
_PLAIN = re.compile(r"[^ \t\n\\'\"$`<>&|;()]+")
_QUOTED_PLAIN = re.compile(r'[^"\\$`]+')


@dataclass(frozen=True)
class SimpleCommand:
    """One command's words (quotes removed) and the operator before it."""

    words: tuple[str, ...]
    joiner: str = ""
    nested: bool = False  # inside a substitution or subshell


@dataclass(frozen=True)
class Script:
    """Every simple command found, plus the shell features the script uses."""

    commands: tuple[SimpleCommand, ...]
    features: frozenset[str]

    @property
    def plain(self) -> bool:
        """Only literal words joined by `&&`, `||`, `;`, `|` (or newlines)."""
        return not self.features and all(c.joiner in PLAIN_JOINERS for c in self.commands)


@lru_cache(maxsize=16)
def parse_script(text: str) -> Script:
    """Read `text` as a shell script; never raises. Cached: one tool call asks
    about the same script several times (audit flags, classifier, prefixes)."""
    reader = _Reader(text)
    reader.parse(depth=0, closer=None)
    return Script(tuple(reader.commands), frozenset(reader.features))


class _Reader:
    """A single pass over the text; nested constructs recurse."""

    def __init__(self, text: str) -> None:
        self.s = text
        self.i = 0
        self.commands: list[SimpleCommand] = []
        self.features: set[str] = set()

    def peek(self, offset: int = 1) -> str:
        j = self.i + offset
        return self.s[j] if j < len(self.s) else ""

    def parse(self, depth: int, closer: str | None, opener: str = "") -> None:
        """Read commands until `closer` (")" or "`") or the end of the text."""
        if depth > _MAX_DEPTH:
            self.features.add("too-deep")
            self.i = len(self.s)
            return
        words: list[str] = []
        word: list[str] | None = None
        joiner = opener

        def add(piece: str) -> None:
            nonlocal word
            if word is None:
                word = [piece]
            else:
                word.append(piece)  # in place: a long word stays linear

        def end_word() -> None:
            nonlocal word
            if word is not None:
                words.append("".join(word))
                word = None

        def end_command(next_joiner: str) -> None:
            nonlocal words, joiner
            end_word()
            if words:
                self.commands.append(SimpleCommand(tuple(words), joiner, depth > 0))
                words = []
                joiner = next_joiner
            elif next_joiner not in ("", "\n"):
                joiner = next_joiner

        s = self.s
        while self.i < len(s):
            c = s[self.i]
            nxt = self.peek()
            if closer is not None and c == closer:
                self.i += 1
                end_command("")
                return
            if c in " \t":
                end_word()
                self.i += 1
            elif c == "\n":
                end_command("\n")
                self.i += 1
            elif c == "\\":
                if nxt != "\n":
                    add(nxt)
                self.i += 2
            elif c == "'":
                add(self.single_quoted())
            elif c == '"':
                add(self.double_quoted(depth))
            elif c == "$":
                add(self.dollar(depth))
            elif c == "`":
                self.features.add("substitution")
                self.i += 1
                self.parse(depth + 1, "`", "`")
                add("`…`")
            elif c == "#" and word is None:
                self.features.add("comment")
                end = s.find("\n", self.i)
                self.i = len(s) if end < 0 else end
            elif c in "<>" and nxt == "(":
                self.features.add("substitution")
                self.i += 2
                self.parse(depth + 1, ")", c + "(")
                add(c + "(…)")
            elif c in "<>":
                self.features.add("redirection")
                if word is not None and "".join(word).isdigit():
                    word = None  # the fd number belongs to the operator
                end_word()
                self.i += 1
                while self.i < len(s) and s[self.i] in "<>&|-":
                    self.i += 1
            elif c == "&":
                if nxt == "&":
                    end_command("&&")
                    self.i += 2
                elif nxt == ">":
                    self.features.add("redirection")
                    end_word()
                    self.i += 2
                else:
                    self.features.add("background")
                    end_command("&")
                    self.i += 1
            elif c == "|":
                end_command("||" if nxt == "|" else "|")
                self.i += 2 if nxt in "|&" and nxt else 1
            elif c == ";":
                end_command(";")
                self.i += 1
            elif c == "(":
                self.features.add("subshell")
                end_command(joiner)
                self.i += 1
                self.parse(depth + 1, ")", "(")
            elif c == ")":
                self.features.add("subshell")  # unmatched: not something we can read
                end_command(")")
                self.i += 1
            else:
                run = _PLAIN.match(s, self.i)  # c and the plain characters after it
                end = run.end() if run else self.i + 1
                add(s[self.i : end])
                self.i = end
        if closer is not None:
            self.features.add("unbalanced")
        end_command("")

    def single_quoted(self) -> str:
        end = self.s.find("'", self.i + 1)
        if end < 0:
            self.features.add("unbalanced")
            text, self.i = self.s[self.i + 1 :], len(self.s)
            return text
        text, self.i = self.s[self.i + 1 : end], end + 1
        return text

    def double_quoted(self, depth: int) -> str:
        out: list[str] = []
        self.i += 1
        s = self.s
        while self.i < len(s):
            c = s[self.i]
            if c == '"':
                self.i += 1
                return "".join(out)
            if c == "\\" and self.peek() in ('"', "\\", "$", "`", "\n"):
                if self.peek() != "\n":
                    out.append(self.peek())
                self.i += 2
            elif c == "$":
                out.append(self.dollar(depth))
            elif c == "`":
                self.features.add("substitution")
                self.i += 1
                self.parse(depth + 1, "`", "`")
                out.append("`…`")
            else:
                run = _QUOTED_PLAIN.match(s, self.i + 1)  # c and the plain characters after it
                end = run.end() if run else self.i + 1
                out.append(s[self.i : end])
                self.i = end
        self.features.add("unbalanced")
        return "".join(out)

    def dollar(self, depth: int) -> str:
        """Read a `$` construct at self.i; return the text kept in the word."""
        s, start = self.s, self.i
        nxt = self.peek()
        if nxt == "(":
            self.features.add("substitution")
            self.i += 2
            self.parse(depth + 1, ")", "$(")
            return "$(…)"
        self.features.add("variable")
        if nxt == "{":
            end = s.find("}", self.i)
            self.i = len(s) if end < 0 else end + 1
        elif nxt == "'":
            self.i += 1
            self.single_quoted()
        elif nxt in _SPECIAL_PARAMS and nxt:
            self.i += 2
        else:
            self.i += 1
            while self.i < len(s) and s[self.i] in _NAME_CHARS:
                self.i += 1
        return s[start : self.i]
