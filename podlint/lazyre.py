"""Regular expressions compiled when first used.

Compiling the patterns of every imported module cost about a twentieth of a one-file lint,
and most of them serve inputs that such a run never meets (Ingress hosts, webhook URLs, shell
scripts, helm comments). A :class:`LazyPattern` compiles on its first match, then hands its
methods over to the compiled pattern, so later calls cost what they cost before.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

_METHODS = ("match", "fullmatch", "search", "sub", "subn", "split", "finditer", "findall")


class LazyPattern:
    """Stands in for ``re.compile(pattern, flags)`` at module level."""

    def __init__(self, pattern: str, flags: int = 0) -> None:
        self.pattern = pattern
        self.flags = flags

    def compiled(self) -> re.Pattern[str]:
        compiled = re.compile(self.pattern, self.flags)
        for name in _METHODS:
            # instance attributes shadow the methods below: the next call goes straight to re
            setattr(self, name, getattr(compiled, name))
        return compiled

    def match(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled().match(string, *args)

    def fullmatch(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled().fullmatch(string, *args)

    def search(self, string: str, *args: int) -> re.Match[str] | None:
        return self.compiled().search(string, *args)

    def sub(self, repl: Any, string: str, count: int = 0) -> str:
        return self.compiled().sub(repl, string, count)

    def subn(self, repl: Any, string: str, count: int = 0) -> tuple[str, int]:
        return self.compiled().subn(repl, string, count)

    def split(self, string: str, maxsplit: int = 0) -> list[str | Any]:
        return self.compiled().split(string, maxsplit)

    def finditer(self, string: str, *args: int) -> Iterator[re.Match[str]]:
        return self.compiled().finditer(string, *args)

    def findall(self, string: str, *args: int) -> list[Any]:
        return self.compiled().findall(string, *args)

    def __repr__(self) -> str:
        return f"LazyPattern({self.pattern!r}, {self.flags})"
