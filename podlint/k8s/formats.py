"""The apiserver's shared name and value formats (apimachinery util/validation).

Each function returns the list of problems, empty when the value is valid, so a message can
say why, as the apiserver does.
"""

from __future__ import annotations

import binascii
import functools
import ipaddress
import re
from base64 import b64decode
from collections.abc import Callable
from typing import Any, TypeGuard

from podlint.k8s.fastcheck import decodes
from podlint.lazyre import LazyPattern

_LABEL = LazyPattern(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
_DNS1035_LABEL = LazyPattern(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_SUBDOMAIN = LazyPattern(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
_QUALIFIED_NAME = LazyPattern(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = LazyPattern(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_PORT_NAME_CHARS = LazyPattern(r"^[-a-z0-9]+$")
_HAS_LETTER = LazyPattern(r"[a-z]")
_ENV_NAME = LazyPattern(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_CONFIG_KEY = LazyPattern(r"^[-._a-zA-Z0-9]+$")
_PERCENT = LazyPattern(r"^[0-9]+%$")
_HEADER_NAME = LazyPattern(r"^[-A-Za-z0-9]+$")
# Go's base64 decoder skips line breaks and nothing else.
_LINE_BREAKS = LazyPattern(r"[\r\n]")

LABEL_MAX = 63
SUBDOMAIN_MAX = 253
# Values up to this long have their problems remembered (no valid name is longer).
_REMEMBERED_LENGTH = SUBDOMAIN_MAX


def _remembered(check: Callable[[str], list[str]]) -> Callable[[str], list[str]]:
    """``check``, with the problems of each value kept (bounded): manifests repeat the same
    names, label keys and ports. Each call gets a list of its own."""
    known = functools.lru_cache(maxsize=8192)(lambda value: tuple(check(value)))

    def remembered(value: str) -> list[str]:
        if len(value) > _REMEMBERED_LENGTH:
            return check(value)
        return list(known(value))

    return functools.wraps(check)(remembered)


@_remembered
def dns1123_label(value: str) -> list[str]:
    problems = []
    if len(value) > LABEL_MAX:
        problems.append(f"must be no more than {LABEL_MAX} characters")
    if not _LABEL.match(value):
        if _SUBDOMAIN.match(value):
            problems.append("must not contain dots")
        else:
            problems.append(
                "must consist of lower case alphanumeric characters or '-', and must start and "
                "end with an alphanumeric character (RFC 1123 label)"
            )
    return problems


def dns1035_label(value: str) -> list[str]:
    problems = []
    if len(value) > LABEL_MAX:
        problems.append(f"must be no more than {LABEL_MAX} characters")
    if not _DNS1035_LABEL.match(value):
        problems.append(
            "must consist of lower case alphanumeric characters or '-', start with an "
            "alphabetic character, and end with an alphanumeric character (RFC 1035 label)"
        )
    return problems


def path_segment(value: str) -> list[str]:
    if value in (".", ".."):
        return [f"may not be '{value}'"]
    return [f"may not contain '{c}'" for c in ("/", "%") if c in value]


@_remembered
def dns1123_subdomain(value: str) -> list[str]:
    problems = []
    if len(value) > SUBDOMAIN_MAX:
        problems.append(f"must be no more than {SUBDOMAIN_MAX} characters")
    if not _SUBDOMAIN.match(value):
        problems.append(
            "must consist of lower case alphanumeric characters, '-' or '.', and must start "
            "and end with an alphanumeric character (RFC 1123 subdomain)"
        )
    return problems


def name_prefix(value: str) -> list[str]:
    """generateName: a DNS subdomain once a trailing '-' is masked."""
    return dns1123_subdomain(value[:-1] + "a" if value.endswith("-") else value)


@_remembered
def qualified_name(value: str) -> list[str]:
    parts = value.split("/")
    if len(parts) == 1:
        name = parts[0]
    elif len(parts) == 2:
        prefix, name = parts
        if not prefix:
            return ["prefix part must be non-empty"]
        problems = [f"prefix part {p}" for p in dns1123_subdomain(prefix)]
        if problems:
            return problems
    else:
        return [
            "must consist of alphanumeric characters, '-', '_' or '.', with an optional DNS "
            "subdomain prefix and '/' (e.g. 'example.com/MyName')"
        ]
    if not name:
        return ["name part must be non-empty"]
    if len(name) > LABEL_MAX:
        return [f"name part must be no more than {LABEL_MAX} characters"]
    if not _QUALIFIED_NAME.match(name):
        return [
            "name part must consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character"
        ]
    return []


@_remembered
def label_value(value: str) -> list[str]:
    problems = []
    if len(value) > LABEL_MAX:
        problems.append(f"must be no more than {LABEL_MAX} characters")
    if not _LABEL_VALUE.match(value):
        problems.append(
            "must be empty or consist of alphanumeric characters, '-', '_' or '.', and must "
            "start and end with an alphanumeric character"
        )
    return problems


@_remembered
def port_name(value: str) -> list[str]:
    """IANA_SVC_NAME: 1-15 characters, [-a-z0-9], a letter, no '--', no leading/trailing '-'."""
    problems = []
    if len(value) > 15:
        problems.append("must be no more than 15 characters")
    if not _PORT_NAME_CHARS.match(value):
        problems.append("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)")
    if "--" in value:
        problems.append("must not contain consecutive hyphens")
    if not _HAS_LETTER.search(value):
        problems.append("must contain at least one letter (a-z)")
    if value.startswith("-") or value.endswith("-"):
        problems.append("must not begin or end with a hyphen")
    return problems


def env_var_name(value: str, relaxed: bool) -> list[str]:
    if relaxed:
        if not value or any(not (32 <= ord(c) <= 126) or c == "=" for c in value):
            return ["must consist only of printable ASCII characters other than '='"]
        return []
    problems = []
    if not _ENV_NAME.match(value):
        problems.append(
            "must consist of alphabetic characters, digits, '_', '-', or '.', and must not "
            "start with a digit"
        )
    if value in (".", "..") or value.startswith(".."):
        problems.append("must not be '.', '..' or start with '..'")
    return problems


def config_key(value: str) -> list[str]:
    problems = []
    if len(value) > SUBDOMAIN_MAX:
        problems.append(f"must be no more than {SUBDOMAIN_MAX} characters")
    if not _CONFIG_KEY.match(value):
        problems.append("must consist of alphanumeric characters, '-', '_' or '.'")
    if value in (".", "..") or value.startswith(".."):
        problems.append("must not be '.', '..' or start with '..'")
    return problems


def is_percent(value: str) -> bool:
    return bool(_PERCENT.match(value))


def header_name(value: str) -> list[str]:
    if _HEADER_NAME.match(value):
        return []
    return ["must consist of alphanumeric characters or '-'"]


def local_path(value: str, reserved: bool = False) -> list[str]:
    """validateLocalDescendingPath (and the non-reserved variant that refuses a leading '..')."""
    problems = []
    if value.startswith("/"):
        problems.append("must be a relative path")
    if ".." in re.split(r"[\\/]", value):
        problems.append("must not contain '..'")
    if reserved and value.startswith(".."):
        problems.append("must not start with '..'")
    return problems


def is_int(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool)


_SLOPPY_IPV4 = LazyPattern(r"^[0-9]{1,3}(\.[0-9]{1,3}){3}$")


def ip_address(value: str, strict: bool) -> list[str]:
    """An IP address of a legacy field; ``strict`` (1.36+) refuses leading zeros in IPv4."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        sloppy = _SLOPPY_IPV4.match(value) and all(int(p) <= 255 for p in value.split("."))
        if sloppy and not strict:
            return []
        return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"]
    return []


def byte_value(value: Any) -> bytes | None:
    """The bytes a `format: byte` value decodes to: base64 text, a list of byte values, or
    null (no bytes); None for a value the apiserver cannot decode."""
    if value is None:
        return b""
    if isinstance(value, str):
        try:
            return b64decode(_LINE_BREAKS.sub("", value), validate=True)
        except (binascii.Error, ValueError):
            return None
    if isinstance(value, list):
        numbers = [0 if item is None else item for item in value]
        if all(_is_byte(item) for item in numbers):
            return bytes(int(item) for item in numbers)
    return None


def _is_byte(value: Any) -> bool:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    return float(value).is_integer() and decodes(value, "uint8")
