"""Label selectors as kubectl takes them (``app=web,tier in (a,b),!legacy``), checked locally
so that a typo is named before any request is sent."""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")
_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_SET = re.compile(r"^(\S+)\s+(in|notin)\s*\((.*)\)$")
_BINARY = re.compile(r"^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$")


class SelectorError(ValueError):
    """A selector that cannot be parsed; the message names the requirement."""


@dataclass(frozen=True)
class Requirement:
    key: str
    # equal | not_equal | in | not_in | exists | not_exists
    operator: str
    values: tuple[str, ...] = ()


def parse_selector(text: str) -> tuple[Requirement, ...]:
    return tuple(_requirement(part.strip()) for part in _split(text) if part.strip())


def _split(text: str) -> list[str]:
    parts, depth, current = [], 0, ""
    for char in text:
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"(": 1, ")": -1}.get(char, 0)
        current += char
    parts.append(current)
    return parts


def _requirement(part: str) -> Requirement:
    if match := _SET.match(part):
        key, operator, listed = match.groups()
        values = tuple(value.strip() for value in listed.split(","))
        for value in values:
            _check_value(value, part)
        return Requirement(_checked_key(key, part), operator.replace("notin", "not_in"), values)
    if match := _BINARY.match(part):
        key, operator, value = match.groups()
        _check_value(value, part)
        name = "not_equal" if operator == "!=" else "equal"
        return Requirement(_checked_key(key, part), name, (value,))
    if part.startswith("!"):
        return Requirement(_checked_key(part[1:].strip(), part), "not_exists")
    return Requirement(_checked_key(part, part), "exists")


def _checked_key(key: str, part: str) -> str:
    if not _KEY.match(key) or len(key.rsplit("/", 1)[-1]) > 63:
        raise SelectorError(
            f"label selector {part!r}: {key!r} is not a label key (expected name or "
            "prefix/name: alphanumerics, '-', '_' and '.', 63 characters at most); "
            "requirements look like key=value, key!=value, key in (a,b), key notin (a), key, !key"
        )
    return key


def _check_value(value: str, part: str) -> None:
    if not _VALUE.match(value) or len(value) > 63:
        raise SelectorError(
            f"label selector {part!r}: {value!r} is not a label value (alphanumerics, '-', "
            "'_' and '.', beginning and ending with an alphanumeric, 63 characters at most)"
        )
