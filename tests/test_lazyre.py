"""LazyPattern: the answers of re.compile, compiled on first use."""

from __future__ import annotations

import re

from podlint.lazyre import LazyPattern


def test_every_method_answers_as_the_compiled_pattern() -> None:
    source, flags = r"(?P<word>[a-z]+)(\d*)", re.IGNORECASE
    text = "ab12 Cd x9 -- EF"
    expected = re.compile(source, flags)
    calls = [
        ("match", (text,)),
        ("match", (text, 5)),
        ("fullmatch", ("ab12",)),
        ("fullmatch", (text, 0, 4)),
        ("search", ("-- EF",)),
        ("sub", ("<\\1>", text)),
        ("sub", (lambda m: m.group(0).upper(), text, 1)),
        ("subn", ("_", text)),
        ("split", (text,)),
        ("split", (text, 1)),
        ("findall", (text,)),
    ]
    for name, args in calls:
        lazy = LazyPattern(source, flags)  # fresh: the first call compiles
        first = getattr(lazy, name)(*args)
        again = getattr(lazy, name)(*args)  # handed over to the compiled pattern
        want = getattr(expected, name)(*args)
        if isinstance(want, re.Match):
            assert isinstance(first, re.Match) and isinstance(again, re.Match)
            assert (first.span(), first.groups()) == (want.span(), want.groups()), name
            assert (again.span(), again.groups()) == (want.span(), want.groups()), name
        else:
            assert first == want and again == want, name
    lazy = LazyPattern(source, flags)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in expected.finditer(text)]


def test_it_compiles_on_first_use_only() -> None:
    lazy = LazyPattern("[")  # an invalid pattern is not compiled at import
    assert lazy.pattern == "["
    try:
        lazy.match("x")
    except re.error:
        pass
    else:
        raise AssertionError("the pattern should have been compiled")
    good = LazyPattern("a+")
    assert "match" not in vars(good)
    assert good.match("aa") is not None
    assert vars(good)["match"] == re.compile("a+").match
