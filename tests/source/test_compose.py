from __future__ import annotations

import math
import time

import pytest

from podlint.source.compose import (
    ComposeError,
    compose,
    make_composer,
    resolve_plain_scalar,
    to_data,
)


def data_of(text: str):
    node = compose(make_composer(), text)
    assert node is not None
    return to_data(node)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", True),
        ("On", True),
        ("y", True),
        ("NO", False),
        ("off", False),
        ("true", True),
        ("~", None),
        ("null", None),
        ("010", 8),
        ("0x1F", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("1_000", 1000),
        ("-12", -12),
        ("08", 8.0),
        ("1e3", 1000.0),
        ("1.5", 1.5),
        (".inf", math.inf),
        ("1:20", "1:20"),
        ("2001-12-14", "2001-12-14"),
        ("nginx:1.27", "nginx:1.27"),
        ("512m", "512m"),
        # Go's ParseInt takes no sign after a prefix or a leading 0; go-yaml's last resort
        # reads a sign after 0b
        ("0-1", "0-1"),
        # A scalar that starts with "." goes to Go's ParseFloat as written: an underscore only
        # between two digits.
        (".2660_", ".2660_"),
        (".26_60", 0.266),
        (".1_636", 0.1636),
        ("._5", "._5"),
        (".7e_1", ".7e_1"),
        (".5e3", 500.0),
        ("0.5_", 0.5),
        ("0+1", "0+1"),
        ("0x-1", "0x-1"),
        ("0o+7", "0o+7"),
        ("0b-1", -1),
        ("-0b+1", "-0b+1"),
        ("-0b101", -5),
        ("019", 19.0),
        ("6E725", "6E725"),
    ],
)
def test_plain_scalars_resolve_as_the_apiserver_reads_them(text: str, value: object) -> None:
    assert resolve_plain_scalar(text) == value
    assert type(resolve_plain_scalar(text)) is type(value)


def test_quoted_scalars_stay_strings() -> None:
    data = data_of("a: \"yes\"\nb: '010'\nc: |\n  on\n").data
    assert data == {"a": "yes", "b": "010", "c": "on\n"}


def test_merge_keys_expand_and_explicit_keys_win() -> None:
    data = data_of("base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n").data
    assert data["m"] == {"x": 1, "y": 3}


def test_duplicate_keys_are_reported_with_both_lines() -> None:
    result = data_of("a: 1\nb: 2\na: 3\n")
    assert result.data == {"a": 3, "b": 2}
    [duplicate] = result.duplicates
    assert (duplicate.key, duplicate.line, duplicate.column, duplicate.first_line) == ("a", 2, 0, 0)


def test_billion_laughs_is_refused_quickly() -> None:
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for index in range(1, 10):
        name, previous = chr(ord("a") + index), chr(ord("a") + index - 1)
        levels.append(f"{name}: &{name} [" + ",".join([f"*{previous}"] * 9) + "]")
    text = "\n".join(levels) + "\n"
    started = time.perf_counter()
    with pytest.raises(ComposeError, match="alias"):
        data_of(text)
    assert time.perf_counter() - started < 1.0


def test_shared_aliases_within_bounds_are_accepted() -> None:
    data = data_of("a: &a [1, 2]\nb: [*a, *a]\n").data
    assert data["b"] == [[1, 2], [1, 2]]


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(ComposeError):
        data_of("a: " + "[" * 5000 + "]" * 5000 + "\n")


def test_complex_keys_are_refused() -> None:
    with pytest.raises(ComposeError, match="keys"):
        data_of("? [a, b]\n: 1\n")


def test_duplicate_keys_name_the_first_written_key_not_a_merge() -> None:
    result = data_of("base: &b {x: 1}\nm:\n  <<: *b\n  '<<': 2\n  '<<': 3\n")
    [duplicate] = result.duplicates
    assert (duplicate.key, duplicate.line, duplicate.first_line) == ("<<", 4, 3)


def test_deep_block_nesting_is_an_error_not_a_crash() -> None:
    text = "".join(" " * level + "a:\n" for level in range(300)) + " " * 300 + "b: 1\n"
    with pytest.raises(ComposeError, match="too deep"):
        data_of(text)


@pytest.mark.parametrize(
    ("text", "json_numbers", "non_finite"),
    [
        ("a: 1.5\nb: [1, x]\n", False, False),
        ("a: '.inf'\n", False, False),
        ("a: {b: [.inf]}\n", False, True),
        ("a: .NaN\n", False, True),
        ("a: -.NaN\n", False, False),
        ("a: .5e999\n", False, True),
        ('{"a": 1e999}', True, True),
        ('{"a": 1e300}', True, False),
    ],
)
def test_numbers_json_cannot_carry_are_noticed(
    text: str, json_numbers: bool, non_finite: bool
) -> None:
    node = compose(make_composer(), text)
    assert node is not None
    assert to_data(node, json_numbers=json_numbers).non_finite is non_finite
