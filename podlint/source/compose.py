"""YAML text -> composed nodes -> plain data, as the kube-apiserver's decoder reads it.

Positions come from the nodes that ruamel.yaml's C-accelerated composer builds; the plain data
is built from the same nodes by ``to_data``, which applies the YAML 1.1 scalar rules of the
apiserver's decoder (go-yaml v2 via sigs.k8s.io/yaml), expands merge keys, notices duplicate
keys and refuses alias expansion beyond a bound (billion laughs).
"""

from __future__ import annotations

import functools
import math
import operator
import re
from dataclasses import dataclass, field
from typing import Any

from ruamel.yaml.events import (
    AliasEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)
from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from ruamel.yaml.tag import Tag

from podlint.lazyre import LazyPattern
from podlint.model.span import Span
from podlint.source.lines import LineIndex, has_unusual_breaks, split_lines

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
_FLOAT = LazyPattern(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")
_DOT_FLOAT = LazyPattern(r"\.[0-9]+(_[0-9]+)*([eE][-+]?[0-9]+(_[0-9]+)*)?\Z")
_NUMERIC_START = frozenset("+-.0123456789")
_INT_PREFIXES = {"0x": 16, "0o": 8, "0b": 2}
_INT_DIGITS = {
    2: frozenset("01"),
    8: frozenset("01234567"),
    10: frozenset("0123456789"),
    16: frozenset("0123456789abcdefABCDEF"),
}


# Plain scalars repeat (names, labels, ports, "true"): short ones are resolved once per text,
# within bounds.
_RESOLVED_LENGTH = 64


def resolve_plain_scalar(text: str) -> Any:
    """The value of an unquoted scalar under the apiserver's YAML 1.1 rules."""
    if len(text) > _RESOLVED_LENGTH:
        return _resolve_plain(text)
    return _resolve_short(text)


@functools.lru_cache(maxsize=8192)
def _resolve_short(text: str) -> Any:
    return _resolve_plain(text)


def _resolve_plain(text: str) -> Any:
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
    if text[0] == ".":
        # go-yaml hands a scalar starting with "." to ParseFloat as written, which takes an
        # underscore only between two digits (.1_5 is 0.15; .15_ and ._5 stay strings).
        return float(text.replace("_", "")) if _DOT_FLOAT.match(text) else text
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
    """A mapping key given twice (its second place, and the line of the first)."""

    key: str
    line: int
    column: int
    first_line: int


@dataclass(slots=True)
class Conversion:
    """The plain data of a node tree, and what was noticed while building it."""

    data: Any
    duplicates: list[DuplicateKey] = field(default_factory=list)
    # A scalar read as inf or nan, which JSON (and so the apiserver) cannot carry.
    non_finite: bool = False


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
        # The composer calls both hooks around every node. Built-in callables that take the
        # same arguments and do nothing visible cost a third less composing time than
        # Python methods would (built-ins do not bind to the instance either).
        descend_resolver = operator.is_  # (parent, index) -> ignored
        ascend_resolver = tuple  # () -> ignored

        def resolve(self, kind: Any, value: Any, implicit: Any) -> Tag:
            if kind is ScalarNode:
                return _STR_TAG
            return _SEQ_TAG if kind is SequenceNode else _MAP_TAG

    return UntypedLoader


_LOADER_CLASS: Any = None


def make_composer() -> Any:
    """The loader class ``compose`` instantiates per document (built once per process)."""
    global _LOADER_CLASS
    if _LOADER_CLASS is None:
        _LOADER_CLASS = _untyped_loader_class()
    return _LOADER_CLASS


# No Kubernetes object nests collections anywhere near this deep. The C composer recurses once
# per level without bound (tens of thousands of levels crash the process), and turning nodes
# into data recurses too, so a deeper document is refused before it is composed.
MAX_DEPTH = 256
_DEEP_INDENT_CACHE: dict[int, tuple[re.Pattern[str], re.Pattern[str]]] = {}
_COLLECTION_STARTS = (SequenceStartEvent, MappingStartEvent)
_COLLECTION_ENDS = (SequenceEndEvent, MappingEndEvent)


def _may_be_too_deep(text: str) -> bool:
    """A linear over-estimate: False only when the text cannot nest beyond MAX_DEPTH.

    Flow collections nest at most once per bracket that may open one; a block collection
    nested on one line (``- - x``, ``? - x``) costs an indicator, and one on a new line needs
    more indentation, so block depth is at most about twice the longest run of spaces and
    indicators that starts a line.
    """
    flow = text.count("[") + text.count("{")
    # Every list or mapping is written with at least one of these indicators, so a text with
    # few of them cannot nest deeply (most documents: a cheaper test than the pattern).
    if len(text) < _SMALL_TEXT and (
        flow + text.count(":") + text.count("-") + text.count("?") <= MAX_DEPTH
    ):
        return False
    if flow <= _BRACKETS_WORTH_READING:
        # Brackets inside text (descriptions, patterns: most of a CRD's) open nothing.
        flow = _flow_openers(text, MAX_DEPTH)
    room = (MAX_DEPTH - flow - 4) // 2
    if room <= 0:
        return True
    patterns = _DEEP_INDENT_CACHE.get(room)
    if patterns is None:
        # A run at the start, and one after a line break, rather than ^ in multi-line mode:
        # the search then skips from line break to line break, several times faster.
        run = rf"[ \t?:-]{{{room},}}"
        patterns = _DEEP_INDENT_CACHE[room] = (re.compile(run), re.compile("\n" + run))
    at_start, after_break = patterns
    return at_start.match(text) is not None or after_break.search(text) is not None


# Below this length, counting indicators costs less than searching for deep indentation.
_SMALL_TEXT = 16384
# Beyond this many brackets, each one's context is not worth reading: the parser's events
# are counted instead (a hostile text of brackets stops at the first level too many).
_BRACKETS_WORTH_READING = 16384
# libyaml also skips a byte order mark that starts a line.
_BLANKS = " \t\ufeff"
_BREAKS = "\n\r\x85\u2028\u2029"
# What may stand before a collection's first character, blanks and properties aside: a line
# break, a block indicator, or inside a flow collection its own brackets and separators.
_BEFORE_A_COLLECTION = _BREAKS + "-?:,[{"


def _flow_openers(text: str, limit: int) -> int:
    """How many of the text's brackets may open a flow collection (at most ``limit + 1``).

    libyaml starts a collection only where a node starts: at the text's start, after a line
    break, a block indicator, a bracket, a comma or a colon, with blanks and properties
    (``&anchor``, ``!tag``, each followed by a blank) between. Any other bracket is inside a
    scalar, or a syntax error at which the parser stops before going deeper.
    """
    count = 0
    for bracket in "[{":
        at = text.find(bracket)
        while at >= 0:
            if _may_open_collection(text, at):
                count += 1
                if count > limit:
                    return count
            at = text.find(bracket, at + 1)
    return count


def _may_open_collection(text: str, at: int) -> bool:
    before = at - 1
    while before >= 0 and text[before] in _BLANKS:
        before -= 1
    if before < 0 or text[before] in _BEFORE_A_COLLECTION:
        return True
    if before == at - 1:  # no blank between: part of a scalar
        return False
    # The word before the blanks may hold properties, glued to a bracket or comma in a flow
    # collection and written with any character inside a verbatim tag: any & or ! will do.
    start = before
    while start >= 0 and text[start] not in _BLANKS and text[start] not in _BREAKS:
        start -= 1
    word = text[start + 1 : before + 1]
    return "&" in word or "!" in word


def _check_depth(composer: Any, text: str, index: LineIndex | None) -> None:
    """Raise ComposeError where nesting first goes beyond MAX_DEPTH.

    The parser (not the composer) reads events iteratively, so counting them is safe at any
    depth; it stops at the first level too many, so a hostile text costs no more than that.
    """
    if not _may_be_too_deep(text):
        return
    next_event = getattr(composer(text), "get_event", None)
    if next_event is None:  # pragma: no cover - the pure-Python composer raises RecursionError
        return
    depth = 0
    while True:
        try:
            event = next_event()
        except Exception:  # a syntax error: composing reports it with its position
            return
        kind = event.__class__
        if kind in _COLLECTION_STARTS:
            depth += 1
            if depth > MAX_DEPTH:
                line, column = _position(event.start_mark, index)
                raise ComposeError(
                    f"nesting is too deep: more than {MAX_DEPTH} levels of lists and mappings",
                    line,
                    column,
                )
        elif kind in _COLLECTION_ENDS:
            depth -= 1
        elif event is None or kind is StreamEndEvent:
            return


def compose(composer: Any, text: str) -> Node | None:
    """Compose one YAML document; raises ComposeError with the position of the problem.

    Positions (of nodes and of problems) count lines as editors do (see podlint.source.lines).
    """
    index = LineIndex(text) if has_unusual_breaks(text) else None
    try:
        _check_depth(composer, text, index)
        root: Node | None = composer(text).get_single_node()
    except ComposeError:
        raise
    except RecursionError:
        raise ComposeError("nesting is too deep to read") from None
    except Exception as error:  # ruamel raises a family of MarkedYAMLError and a few others
        raise _compose_error(error, text, index) from None
    if root is not None and index is not None:
        _renumber(root, index)
    return root


@dataclass(frozen=True, slots=True)
class EditorMark:
    """A node position renumbered as editors count lines (the parser's marks are read-only)."""

    line: int
    column: int
    index: int


def _position(mark: Any, index: LineIndex | None) -> tuple[int, int]:
    if index is None:
        return mark.line, mark.column
    return index.position(mark.index)


def _renumber(root: Node, index: LineIndex) -> None:
    seen: set[int] = set()
    pending = [root]
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        for attribute in ("start_mark", "end_mark"):
            mark = getattr(node, attribute)
            line, column = index.position(mark.index)
            setattr(node, attribute, EditorMark(line, column, mark.index))
        if isinstance(node, SequenceNode):
            pending.extend(node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                pending.extend((key, value))


def _compose_error(error: Exception, text: str, index: LineIndex | None) -> ComposeError:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    problem = getattr(error, "problem", None) or str(error).strip().splitlines()[0]
    context = getattr(error, "context", None)
    line, column = _position(mark, index) if mark is not None else (0, 0)
    position = getattr(error, "position", None)
    if mark is None and isinstance(position, int):
        # A character the reader refuses (NUL, ESC, ...): its position counts UTF-8 bytes.
        at = len(text.encode("utf-8")[:position].decode("utf-8", "ignore"))
        line, column = (index or LineIndex(text)).position(at)
        character = getattr(error, "character", None)
        if isinstance(character, int):
            escaped = f"\\x{character:02x}" if character <= 0xFF else f"\\u{character:04x}"
            return ComposeError(
                f"invalid YAML: character U+{character:04X} is not allowed in YAML text; "
                f'write it as "{escaped}" in a double-quoted string if it is meant',
                line,
                column,
            )
    lines = split_lines(text)
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


class ExpansionError(ComposeError):
    """Aliases that expand far beyond the text; ``limit`` is the bound that was crossed."""

    def __init__(self, message: str, line: int, column: int, limit: int) -> None:
        super().__init__(message, line, column)
        self.limit = limit


# Aliases may repeat what a document says a few times over (shared env lists, merge keys),
# never more: everything after composing (checks, findings, reports) costs per expanded node.
ALIAS_ROOM = 10_000
ALIAS_FACTOR = 4


def expansion_limit(written: int, max_expansion: int = 1_000_000) -> int:
    """The most nodes a document that writes ``written`` nodes (aliases count one) may expand to."""
    return min(max_expansion, ALIAS_ROOM + ALIAS_FACTOR * written)


def to_data(
    node: Node, *, json_numbers: bool = False, max_expansion: int = 1_000_000
) -> Conversion:
    """Build plain dicts, lists and scalars from a composed node tree.

    Aliases share their converted value; the size of the tree with every alias expanded is
    bounded (a few times the document's own size), since a consumer walking the data would
    otherwise walk the expansion.
    """
    builder = _Builder(json_numbers=json_numbers)
    try:
        data = builder.build(node)
        # Only a collection reached twice (an alias) can make the expansion larger than the text.
        expanded = builder.expanded_size(node) if builder.shared else builder.distinct
    except RecursionError:
        raise ComposeError("nesting is too deep to read") from None
    written = builder.distinct + builder.shared  # every alias is written out once
    limit = expansion_limit(written, max_expansion)
    if expanded > limit:
        raise ExpansionError(
            f"aliases expand to {expanded:,} nodes, over the bound of {limit:,} for a document "
            f"that writes {written:,} (a YAML alias bomb?)",
            node.start_mark.line,
            node.start_mark.column,
            limit,
        )
    return Conversion(data, builder.duplicates, builder.non_finite)


def locate_expansion(composer: Any, text: str, limit: int) -> tuple[int, int] | None:
    """Where, reading in order, the expansion of aliases first goes beyond ``limit``.

    Read from the parser's events (an alias event has the position of the ``*name``),
    counting nodes as ``to_data`` does.
    """
    index = LineIndex(text) if has_unusual_breaks(text) else None
    next_event = getattr(composer(text), "get_event", None)
    if next_event is None:  # pragma: no cover - without the C parser
        return None
    sizes: dict[str, int] = {}
    # For each open collection: its anchor and the expanded size of what it holds so far.
    open_collections: list[tuple[str | None, int]] = []
    total = 0
    while True:
        try:
            event = next_event()
        except Exception:
            return None
        kind = event.__class__
        if kind is ScalarEvent or kind is AliasEvent or kind in _COLLECTION_STARTS:
            size = 1 if kind is not AliasEvent else sizes.get(event.anchor, 1)
            total += size
            if kind is AliasEvent and total > limit:
                return _position(event.start_mark, index)
            if open_collections:
                anchor, held = open_collections[-1]
                open_collections[-1] = (anchor, held + size)
            if kind in _COLLECTION_STARTS:
                open_collections.append((event.anchor, 0))
            elif kind is ScalarEvent and event.anchor:
                sizes[event.anchor] = 1
        elif kind in _COLLECTION_ENDS:
            anchor, held = open_collections.pop()
            if open_collections:
                parent, parent_held = open_collections[-1]
                open_collections[-1] = (parent, parent_held + held)
            if anchor:
                sizes[anchor] = 1 + held
        elif event is None or kind is StreamEndEvent:
            return None


def _duplicate(node: MappingNode, second: ScalarNode) -> DuplicateKey:
    first = next(
        key
        for key, _ in node.value
        if key.__class__ is ScalarNode
        and key.value == second.value
        and (key.value != "<<" or key.style)  # a merge key is not a key of the mapping
    )
    line = second.start_mark.line
    return DuplicateKey(second.value, line, second.start_mark.column, first.start_mark.line)


class _Builder:
    def __init__(self, *, json_numbers: bool) -> None:
        self.json_numbers = json_numbers
        self.memo: dict[int, Any] = {}
        self.sizes: dict[int, int] = {}
        self.duplicates: list[DuplicateKey] = []
        self.distinct = 0
        self.shared = 0
        self.non_finite = False

    def build(self, node: Node) -> Any:
        if node.__class__ is ScalarNode:
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
        merged: list[dict[str, Any]] = []
        scalars = 0
        for key_node, value_node in node.value:
            if key_node.__class__ is not ScalarNode:
                raise ComposeError(
                    "mapping keys must be strings, not a collection",
                    key_node.start_mark.line,
                    key_node.start_mark.column,
                )
            key = key_node.value
            if key == "<<" and not key_node.style:
                merged.extend(self.merge_sources(value_node))
                continue
            if key in mapping:  # merged keys are added last, so only a key written before
                self.duplicates.append(_duplicate(node, key_node))
            # Scalar values inline: most values are scalars.
            if value_node.__class__ is ScalarNode:
                scalars += 1
                mapping[key] = self.scalar(value_node)
            else:
                mapping[key] = self.build(value_node)
        self.distinct += scalars
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
        value = (
            _json_number(text)
            if self.json_numbers and text[:1] in _NUMERIC_START
            else resolve_plain_scalar(text)
        )
        if value.__class__ is float and not math.isfinite(value):
            self.non_finite = True
        return value

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
