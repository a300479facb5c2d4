"""YAML text -> composed nodes -> plain data, as the kube-apiserver's decoder reads it.

Positions come from the nodes that ruamel.yaml's C-accelerated composer builds; the plain data
is built from the same nodes by ``to_data``, which applies the YAML 1.1 scalar rules of the
apiserver's decoder (go-yaml v2 via sigs.k8s.io/yaml), expands merge keys, notices duplicate
keys and refuses alias expansion beyond a bound (billion laughs).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

from podlint.model.span import Span

_NULLS = frozenset({"", "~", "null", "Null", "NULL"})
_TRUE = frozenset({"y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"})
_FALSE = frozenset({"n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE"})
_SPECIAL_FLOATS = {
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
}
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_NUMERIC_START = frozenset("+-.0123456789")
_INT_PREFIXES = {"0x": 16, "0o": 8, "0b": 2}
_INT_DIGITS = {
    2: frozenset("01"),
    8: frozenset("01234567"),
    10: frozenset("0123456789"),
    16: frozenset("0123456789abcdefABCDEF"),
}


def resolve_plain_scalar(text: str) -> Any:
    """The value of an unquoted scalar under the apiserver's YAML 1.1 rules."""
    if text in _NULLS:
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if text[0] not in _NUMERIC_START:
        return text
    if text in _SPECIAL_FLOATS:
        return _SPECIAL_FLOATS[text]
    plain = text.replace("_", "")
    number = _parse_go_int(plain)
    if number is not None:
        return number
    if _FLOAT.match(plain):
        real = float(plain)
        # Go's ParseFloat refuses what overflows a float64 (6e725), so it stays a string.
        if not math.isinf(real):
            return real
    return _binary_fallback(plain, text)


def _binary_fallback(plain: str, text: str) -> Any:
    """go-yaml's last try: a base-2 number after "0b" may carry a sign ("0b-1" is -1)."""
    number = None
    if plain.startswith("0b"):
        number = _parse_go_int(plain[2:], base=2)
    elif plain.startswith("-0b"):
        number = _parse_go_int("-" + plain[3:], base=2)
    return text if number is None else number


def _parse_go_int(text: str, base: int = 0) -> int | None:
    """strconv.ParseInt(text, base, 64) semantics; base 0: 0x, 0o, 0b prefixes and 0-prefixed
    octal."""
    sign = 1
    body = text
    if body[:1] in ("+", "-"):
        sign = -1 if body[0] == "-" else 1
        body = body[1:]
    if not body:
        return None
    prefix = body[:2].lower()
    if base:
        digits = body
    elif prefix in _INT_PREFIXES:
        digits, base = body[2:], _INT_PREFIXES[prefix]
    elif len(body) > 1 and body[0] == "0":
        digits, base = body[1:], 8
    else:
        digits, base = body, 10
    # Python's int() also takes a sign, spaces and underscores after the prefix; Go's does not
    # ("0-1" is the string "0-1" to the apiserver, not -1).
    if not digits or not set(digits) <= _INT_DIGITS[base]:
        return None
    value = sign * int(digits, base)
    if not -(2**63) <= value < 2**64:
        return None
    return value


class ComposeError(Exception):
    """A document that cannot be read; carries a 0-based position within the document."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


@dataclass(frozen=True, slots=True)
class DuplicateKey:
    key: str
    line: int
    column: int
    first_line: int


@dataclass(slots=True)
class Conversion:
    """The plain data of a node tree, and what was noticed while building it."""

    data: Any
    duplicates: list[DuplicateKey] = field(default_factory=list)


# Shared tag objects: every node the untyped loader builds refers to one of these, so no tag
# object is built per node, and "was this scalar tagged explicitly?" is an identity test.
_STR_TAG = Tag(suffix="tag:yaml.org,2002:str")
_SEQ_TAG = Tag(suffix="tag:yaml.org,2002:seq")
_MAP_TAG = Tag(suffix="tag:yaml.org,2002:map")


def _untyped_loader_class() -> Any:
    """ruamel.yaml's C parser and composer with a resolver that leaves scalars as strings.

    ``to_data`` resolves plain scalars itself (as the apiserver does), so ruamel's Python
    resolver, which costs more than the C parsing, is not needed. Without the C extension,
    the pure-Python loader is used the same way.
    """
    try:
        from _ruamel_yaml import CParser
    except ImportError:  # pragma: no cover - platforms without ruamel.yaml.clib
        from ruamel.yaml import YAML

        class PureLoader:
            def __init__(self, stream: str) -> None:
                self.stream = stream

            def get_single_node(self) -> Node | None:
                yaml = YAML(typ="safe", pure=True)
                yaml.version = (1, 1)
                return yaml.compose(self.stream)  # type: ignore[no-any-return]

        return PureLoader

    class UntypedLoader(CParser):  # type: ignore[misc]
        def descend_resolver(self, parent: Any, index: Any) -> None:
            pass

        def ascend_resolver(self) -> None:
            pass

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Tag:
            return _untyped_tag(kind)

    return UntypedLoader


def _untyped_tag(kind: Any) -> Tag:
    if kind is ScalarNode:
        return _STR_TAG
    return _SEQ_TAG if kind is SequenceNode else _MAP_TAG


_LOADER_CLASS: Any = None


def make_composer() -> Any:
    """The loader class ``compose`` instantiates per document (built once per process)."""
    global _LOADER_CLASS
    if _LOADER_CLASS is None:
        _LOADER_CLASS = _untyped_loader_class()
    return _LOADER_CLASS


def compose(composer: Any, text: str) -> Node | None:
    """Compose one YAML document; raises ComposeError with the position of the problem."""
    try:
        return composer(text).get_single_node()  # type: ignore[no-any-return]
    except RecursionError:
        raise ComposeError("nesting is too deep to read") from None
    except Exception as error:  # ruamel raises a family of MarkedYAMLError and a few others
        raise _compose_error(error, text) from None


def _compose_error(error: Exception, text: str) -> ComposeError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).strip().splitlines()[0]
    context = getattr(error, "context", None)
    line = mark.line if mark is not None else 0
    column = mark.column if mark is not None else 0
    lines = text.splitlines()
    if line >= len(lines) or not lines[line].strip():
        # At the end of the document: point at the end of its last line that has content.
        content = [i for i, row in enumerate(lines[: line + 1]) if row.strip()]
        if content:
            line, column = content[-1], len(lines[content[-1]].rstrip())
    elif "\t" in lines[line][: column + 1]:
        row = lines[line]
        indentation = row[: len(row) - len(row.lstrip(" \t"))]
        if "\t" in indentation:
            return ComposeError(
                "tab character used for indentation; YAML allows only spaces there",
                line,
                row.index("\t"),
            )
    message = f"{problem}" + (f" ({context})" if context else "")
    return ComposeError(f"invalid YAML: {message}", line, column)


def to_data(
    node: Node, *, json_numbers: bool = False, max_expansion: int = 1_000_000
) -> Conversion:
    """Build plain dicts, lists and scalars from a composed node tree.

    Aliases share their converted value; the size of the tree with every alias expanded is
    bounded, since a consumer walking the data would otherwise walk the expansion.
    """
    builder = _Builder(json_numbers=json_numbers)
    try:
        data = builder.build(node)
        # Only a collection reached twice (an alias) can make the expansion larger than the text.
        expanded = builder.expanded_size(node) if builder.shared else builder.distinct
    except RecursionError:
        raise ComposeError("nesting is too deep to read") from None
    if expanded > max_expansion and expanded > 4 * builder.distinct:
        raise ComposeError(
            f"aliases expand to more than {max_expansion:,} nodes (a YAML alias bomb?)",
            node.start_mark.line,
            node.start_mark.column,
        )
    return Conversion(data, builder.duplicates)


class _Builder:
    def __init__(self, *, json_numbers: bool) -> None:
        self.json_numbers = json_numbers
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.duplicates: list[DuplicateKey] = []
        self.distinct = 0
        self.shared = 0

    def build(self, node: Node) -> Any:
        if isinstance(node, ScalarNode):
            self.distinct += 1
            return self.scalar(node)
        ident = id(node)
        if ident in self.memo:
            self.shared += 1
            return self.memo[ident]
        self.distinct += 1
        if isinstance(node, SequenceNode):
            items: list[Any] = []
            self.memo[ident] = items
            items.extend(self.build(child) for child in node.value)
            return items
        if isinstance(node, MappingNode):
            mapping: dict[str, Any] = {}
            self.memo[ident] = mapping
            self.fill_mapping(node, mapping)
            return mapping
        raise ComposeError(f"unsupported YAML node {node.tag}")  # pragma: no cover

    def fill_mapping(self, node: MappingNode, mapping: dict[str, Any]) -> None:
        first_lines: dict[str, int] = {}
        merged: list[dict[str, Any]] = []
        for key_node, value_node in node.value:
            if key_node.value == "<<" and not key_node.style and isinstance(key_node, ScalarNode):
                merged.extend(self.merge_sources(value_node))
                continue
            if not isinstance(key_node, ScalarNode):
                raise ComposeError(
                    "mapping keys must be strings, not a collection",
                    key_node.start_mark.line,
                    key_node.start_mark.column,
                )
            key = key_node.value
            line = key_node.start_mark.line
            if key in first_lines:
                self.duplicates.append(
                    DuplicateKey(key, line, key_node.start_mark.column, first_lines[key])
                )
            else:
                first_lines[key] = line
            mapping[key] = self.build(value_node)
        for source in merged:
            for key, value in source.items():
                mapping.setdefault(key, value)

    def merge_sources(self, node: Node) -> list[dict[str, Any]]:
        nodes = node.value if isinstance(node, SequenceNode) else [node]
        sources = []
        for item in nodes:
            value = self.build(item)
            if not isinstance(value, dict):
                raise ComposeError(
                    "a merge key '<<' needs a mapping or a list of mappings",
                    item.start_mark.line,
                    item.start_mark.column,
                )
            sources.append(value)
        return sources

    def scalar(self, node: ScalarNode) -> Any:
        text: str = node.value
        if node.style:  # quoted, literal or folded; plain is "" (C parser) or None
            return text
        if node.ctag is not _STR_TAG and node.tag not in _IMPLICIT_TAGS:
            return _explicit_scalar(node)
        if self.json_numbers and text[:1] in _NUMERIC_START:
            return _json_number(text)
        return resolve_plain_scalar(text)

    def expanded_size(self, node: Node) -> int:
        if isinstance(node, ScalarNode):
            return 1
        ident = id(node)
        size = self.sizes.get(ident)
        if size is not None:
            return size
        self.sizes[ident] = 1  # a recursive alias counts once rather than forever
        if isinstance(node, SequenceNode):
            size = 1 + sum(self.expanded_size(child) for child in node.value)
        else:
            size = 1 + sum(self.expanded_size(k) + self.expanded_size(v) for k, v in node.value)
        self.sizes[ident] = size
        return size


_IMPLICIT_TAGS = frozenset(
    "tag:yaml.org,2002:" + name
    for name in ("str", "int", "float", "bool", "null", "timestamp", "merge", "value")
)


def _explicit_scalar(node: ScalarNode) -> Any:
    if (node.tag or "").endswith(":binary"):
        return node.value.replace("\n", "")
    return node.value


def _json_number(text: str) -> Any:
    try:
        return int(text)
    except ValueError:
        pass
    try:
        return float(text)
    except ValueError:
        return resolve_plain_scalar(text)


def node_span(node: Node, line_offset: int) -> Span:
    start, end = node.start_mark, node.end_mark
    return Span(start.line + line_offset, start.column, end.line + line_offset, end.column)
