"""RFC 6901 JSON Pointers, kept as plain strings ("" is the whole document)."""

from __future__ import annotations

from collections.abc import Iterable


def escape(part: str | int) -> str:
    if type(part) is int:
        return str(part)
    text = str(part)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text


def unescape(part: str) -> str:
    return part.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *parts: str | int) -> str:
    """Append reference tokens: join("/spec", "containers", 0) == "/spec/containers/0"."""
    if not parts:
        return pointer
    if len(parts) == 1:
        return pointer + "/" + escape(parts[0])
    return pointer + "/" + "/".join([escape(p) for p in parts])


def from_parts(parts: Iterable[str | int]) -> str:
    return join("", *parts)


def split(pointer: str) -> list[str]:
    """The unescaped reference tokens of a pointer."""
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise ValueError(f"JSON pointer must start with '/': {pointer!r}")
    return [unescape(p) for p in pointer[1:].split("/")]


def parent(pointer: str) -> str:
    return pointer[: pointer.rfind("/")] if pointer else ""


def resolve(data: object, pointer: str) -> object:
    """The value at pointer in plain data; raises KeyError when it does not exist."""
    node = data
    for part in split(pointer):
        if isinstance(node, dict):
            if part not in node:
                raise KeyError(pointer)
            node = node[part]
        elif isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise KeyError(pointer)
            node = node[int(part)]
        else:
            raise KeyError(pointer)
    return node
