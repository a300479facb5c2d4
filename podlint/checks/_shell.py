"""A conservative reading of the shell scripts containers run (``sh -c '...'``).

It does not execute or fully parse shell: it splits a script into simple commands and
``while``/``until`` loops, which is enough to tell a wait loop with no way out from a bounded
retry, and ``mkdir`` from ``mkdir -p``. Anything it cannot read yields nothing.
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from podlint.lazyre import LazyPattern

SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "busybox"})
_SEPARATOR_CHARS = frozenset(";&|()\n")
# Words after which the next word starts a command.
_PREFIX_KEYWORDS = frozenset(
    {"do", "then", "else", "elif", "if", "while", "until", "!", "{", "time"}
)
_ASSIGNMENT = LazyPattern(r"^[A-Za-z_][A-Za-z0-9_]*=")
_ARITHMETIC = LazyPattern(r"\(\(|\blet\b|\bexpr\b|\bseq\b")
_ORDER_TESTS = frozenset({"-lt", "-le", "-gt", "-ge"})
_EXITS = frozenset({"exit", "break", "return"})


@dataclass(frozen=True, slots=True)
class Word:
    """One part of a container's argv and where it sits (``("command", 2)``)."""

    text: str
    place: tuple[str | int, ...]


@dataclass
class Command:
    """A simple command: its words, the operators around it, how deep in ``if`` it sits."""

    words: list[str]
    before: str = ""
    after: str = ""
    in_if: bool = False
    in_loop: bool = False


@dataclass
class Loop:
    """A ``while`` or ``until`` loop of a script."""

    keyword: str
    condition: list[str] = field(default_factory=list)
    body: list[str] = field(default_factory=list)
    body_commands: list[str] = field(default_factory=list)
    in_body: bool = False

    def text(self) -> str:
        condition = " ".join(word for word in self.condition if word != "\n")
        if len(condition) > 60:
            condition = condition[:57] + "..."
        return f"{self.keyword} {condition}; do ...; done"


@dataclass
class Script:
    """The simple commands and loops of a script."""

    commands: list[Command]
    loops: list[Loop]
    errexit: bool


def argv(data: dict[str, Any], *place: str) -> list[Word]:
    """The words of ``command`` + ``args`` (or of a handler's ``exec.command`` at ``place``)."""
    words: list[Word] = []
    keys: Sequence[tuple[str, ...]] = ((*place, "command"),) if place else (("command",), ("args",))
    for key in keys:
        node: Any = data
        for part in key:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, list):
            words.extend(
                Word(str(item), (*key, index))
                for index, item in enumerate(node)
                if isinstance(item, (str, int, float))
            )
    return words


def program(word: str) -> str:
    return word.rsplit("/", 1)[-1]


def shell_script(words: Sequence[Word]) -> tuple[Word, bool] | None:
    """The script word of ``sh -c SCRIPT`` (and whether ``-e`` was given), if that is the form."""
    if not words or program(words[0].text) not in SHELLS:
        return None
    errexit = False
    index = 1
    if program(words[0].text) == "busybox":
        if len(words) < 2 or words[1].text not in SHELLS:
            return None
        index = 2
    while index < len(words):
        text = words[index].text
        if text in ("-o", "+o"):
            index += 2
            continue
        if text.startswith("-") and not text.startswith("--"):
            errexit = errexit or "e" in text[1:]
            if "c" in text[1:]:
                return (words[index + 1], errexit) if index + 1 < len(words) else None
            index += 1
            continue
        return None
    return None


def _tokens(script: str) -> list[str] | None:
    lexer = shlex.shlex(script.replace("\\\n", " "), posix=True, punctuation_chars=";&|()<>\n")
    lexer.whitespace = " \t\r"
    lexer.whitespace_split = True
    try:
        return list(lexer)
    except ValueError:
        return None


def parse(script: str, errexit: bool = False) -> Script | None:
    """Split a script into simple commands and loops; None when it cannot be tokenized."""
    tokens = _tokens(script)
    if tokens is None:
        return None
    commands: list[Command] = []
    loops: list[Loop] = []
    open_loops: list[Loop] = []
    if_depth = 0
    current: list[str] = []
    before = ""
    start = True
    skip_next = False

    def finish(operator: str) -> None:
        nonlocal current, before
        if current:
            commands.append(Command(current, before, operator, if_depth > 0, bool(open_loops)))
        current = []
        before = operator

    for token in tokens:
        for loop in open_loops:
            (loop.body if loop.in_body else loop.condition).append(token)
        if skip_next:
            skip_next = False
            continue
        if all(char in _SEPARATOR_CHARS for char in token):
            finish(token.strip() or ";")
            start = True
            continue
        if set(token) <= set("<>&0123456789") and ("<" in token or ">" in token):
            skip_next = not token.endswith("&")
            continue
        if start and token in ("while", "until", "for", "select"):
            loop = Loop(token)
            open_loops.append(loop)
            loops.append(loop)
            continue
        if start and token == "do" and open_loops:
            open_loops[-1].in_body = True
            open_loops[-1].condition.pop()
            continue
        if start and token == "done" and open_loops:
            finish(";")
            loop = open_loops.pop()
            if loop.body:
                loop.body.pop()
            continue
        if start and token == "if":
            if_depth += 1
            continue
        if start and token == "fi":
            finish(";")
            if_depth = max(0, if_depth - 1)
            continue
        if start and token in _PREFIX_KEYWORDS:
            continue
        if start and _ASSIGNMENT.match(token) and not current:
            continue
        if start and not current:
            for loop in open_loops:
                if loop.in_body:
                    loop.body_commands.append(token)
        current.append(token)
        start = False
    finish(";")
    for loop in loops:
        # the trailing separator of the condition is not part of it
        while loop.condition and all(c in _SEPARATOR_CHARS for c in loop.condition[-1]):
            loop.condition.pop()
        while loop.body and all(c in _SEPARATOR_CHARS for c in loop.body[-1]):
            loop.body.pop()
    errexit = errexit or any(
        command.words[0] == "set" and any(_sets_errexit(word) for word in command.words[1:])
        for command in commands
    )
    return Script(commands, loops, errexit)


def _sets_errexit(word: str) -> bool:
    return (
        word.startswith("-") and "e" in word[1:] and not word.startswith("--")
    ) or word == "errexit"


def loops_without_exit(script: Script) -> Iterator[Loop]:
    """``until`` loops, and ``while true`` / ``while ! ...`` loops, with no way out.

    A loop counts as bounded when its body can leave (``exit``, ``break``, ``return``), when
    it counts (arithmetic, ``let``, ``expr``, ``seq``) or when its condition compares with
    ``-lt``/``-gt``/``-le``/``-ge`` (retry counters and deadlines).
    """
    for loop in script.loops:
        if loop.keyword == "while" and not _forever(loop.condition):
            continue
        if loop.keyword not in ("while", "until"):
            continue
        if _EXITS & set(loop.body_commands):
            continue
        text = " ".join(loop.condition + loop.body)
        if _ARITHMETIC.search(text) or _ORDER_TESTS & set(loop.condition):
            continue
        if "timeout" in loop.condition:
            continue
        yield loop


def _forever(condition: list[str]) -> bool:
    words = [word for word in condition if word not in (";", "\n")]
    if not words:
        return False
    if words[0] == "!" or words in (["true"], [":"], ["[", "1", "]"], ["/bin/true"]):
        return True
    # a negated test: "while [ ! -e /ready ]" waits until the file appears
    return words[0] in ("[", "[[", "test") and len(words) > 1 and words[1] == "!"


def has_flag(words: Sequence[str], short: str, long: str) -> bool:
    for word in words:
        if word == "--":
            return False
        if word == long:
            return True
        if word.startswith("-") and not word.startswith("--") and short in word[1:]:
            return True
    return False
