"""Text edits that make a pointer of a YAML or JSON document hold a value, keeping the rest.

An edit never re-serialises YAML: it replaces one scalar, or inserts the missing keys as new
lines in the style of their neighbours (block mappings) or as a new entry (flow mappings and
JSON). Positions are worked out as character offsets from the composed nodes (YAML counts
U+0085, U+2028 and U+2029 as line breaks, editors do not), and only then turned into lines.
Where the text cannot be edited with certainty (a node reached through an alias, an entry
after an alias in a flow collection, an unexpected node type) no edit is made.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from podlint.model.document import Document
from podlint.model.pointer import join, split
from podlint.model.span import Span
from podlint.source.locator import NodeLocator

Scalar = bool | int | str
# A tuple is a list of strings, written as a flow sequence: [ALL].
Value = Scalar | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace ``span`` (0-based, end-exclusive; empty for an insertion) with ``new_text``."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Change:
    """Edits, and the pointer of the outermost value they change (everything else stays)."""

    edits: tuple[TextEdit, ...]
    target: str


class LineIndex:
    """Character offsets <-> (line, column), with lines as ``str.splitlines`` (and the editor
    protocol's text documents) count them."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        for row in text.splitlines(keepends=True):
            self.starts.append(self.starts[-1] + len(row))
        self._newlines: list[int] | None = None

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset) - 1
        line = min(line, len(self.starts) - 1)
        return line, offset - self.starts[line]

    def span(self, start: int, end: int) -> Span:
        line, column = self.position(start)
        end_line, end_column = self.position(end)
        return Span(line, column, end_line, end_column)

    def offset(self, line: int, column: int) -> int:
        if line >= len(self.starts) - 1:
            return len(self.text)
        return self.starts[line] + column

    def after_newlines(self, count: int) -> int:
        """The offset just after the ``count``-th "\\n" (where a document that many "\\n"
        into the text starts, as the document splitter counts them)."""
        if count <= 0:
            return 0
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        if count > len(self._newlines):
            return len(self.text)
        return self._newlines[count - 1] + 1


@dataclass(frozen=True, slots=True)
class _Edit:
    start: int
    end: int
    new_text: str


class SourceText:
    """The text of one source with the node tree of one of its documents."""

    def __init__(self, text: str, document: Document, index: LineIndex | None = None) -> None:
        self.text = text
        self.index = index if index is not None else LineIndex(text)
        # New lines follow the file's line endings.
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.document = document
        locator = document.locator
        self.root: Node | None = locator.root if isinstance(locator, NodeLocator) else None
        line_offset = locator.line_offset if isinstance(locator, NodeLocator) else 0
        self.base = self.index.after_newlines(line_offset)

    # --- reading ---------------------------------------------------------------------

    def value(self, pointer: str) -> Any:
        """The plain value at an absolute pointer of the document, or None."""
        node: Any = self.document.data
        relative = pointer[len(self.document.pointer) :]
        for part in split(relative):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return None
        return node

    # --- editing -----------------------------------------------------------------------

    def set(self, pointer: str, value: Value) -> Change | None:
        """Edits that make ``pointer`` hold ``value``, creating missing mappings on the way."""
        if self.root is None:
            return None
        parts = split(pointer)
        node: Node = self.root
        key_node: Node | None = None
        parent: Node | None = None
        for depth, part in enumerate(parts):
            child = self._child(node, part)
            if child is None:
                edits = self._insert(node, parent, key_node, parts[depth:], value)
                if edits is None:
                    return None
                created = depth + 1 if isinstance(node, MappingNode) else depth
                return self._change(edits, join("", *parts[:created]))
            if isinstance(child, _Aliased):
                return None
            parent = node
            key_node, node = child
        if not isinstance(node, ScalarNode):
            return None
        start, end = self._value_start(node), self._content_end(node)
        rendered = _render_replacement(node, value)
        if start >= end:  # an empty value: write it after the blanks that follow its ":"
            while start < len(self.text) and self.text[start] in " \t":
                start += 1
            end = start
            if start > 0 and self.text[start - 1] not in " \t\r\n[{,":
                rendered = " " + rendered
        return self._change([_Edit(start, end, rendered)], pointer)

    def append(self, pointer: str, item: str) -> Change | None:
        """Edits that add ``item`` at the end of the sequence at ``pointer``."""
        if self.root is None:
            return None
        node: Node = self.root
        for part in split(pointer):
            child = self._child(node, part)
            if child is None or isinstance(child, _Aliased):
                return None
            node = child[1]
        if not isinstance(node, SequenceNode):
            return None
        target = join(pointer, str(len(node.value)))
        if node.flow_style:
            edit = self._append_flow(node, item)
            return self._change([edit], target) if edit is not None else None
        if not node.value:
            return None
        dash = self._dash_column(node)
        row = " " * dash + "- " + _render_yaml(item)
        return self._change([self._new_line_after(self._content_end(node), row)], target)

    # --- positions ---------------------------------------------------------------------

    def _start(self, node: Node) -> int:
        return self.base + int(node.start_mark.index)

    def _end(self, node: Node) -> int:
        return self.base + int(node.end_mark.index)

    def _value_start(self, node: Node) -> int:
        """Where the value itself starts, after an anchor (``&name``) or tag that the node's
        start mark includes: replacing a value keeps them."""
        position, end = self._start(node), self._end(node)
        text = self.text
        while position < end and text[position] in "&!":
            while position < end and not text[position].isspace():
                position += 1
            while position < end and text[position].isspace():
                position += 1
        return position

    def _change(self, edits: Sequence[_Edit], target: str) -> Change:
        return Change(
            tuple(TextEdit(self.index.span(e.start, e.end), e.new_text) for e in edits), target
        )

    def _child(self, node: Node, part: str) -> tuple[Node | None, Node] | _Aliased | None:
        """(key node, value node) of ``part``; ``_ALIASED`` when the value is written
        elsewhere (an alias: editing it would change every place that refers to it)."""
        if isinstance(node, MappingNode):
            floor = self._start(node)
            found: tuple[Node | None, Node] | _Aliased | None = None
            for key_node, value_node in node.value:
                in_place = self._start(key_node) >= floor
                if in_place:
                    floor = max(floor, self._end(key_node))
                value_in_place = in_place and self._start(value_node) >= floor
                if value_in_place:
                    floor = max(floor, self._end(value_node))
                if isinstance(key_node, ScalarNode) and key_node.value == part:
                    # The last of duplicate keys wins, as the data has it.
                    found = (key_node, value_node) if value_in_place else _ALIASED
            return found
        if isinstance(node, SequenceNode) and part.isdigit() and int(part) < len(node.value):
            position = int(part)
            floor = self._start(node)
            for item in node.value[:position]:
                if self._start(item) >= floor:
                    floor = self._end(item)
            item = node.value[position]
            return (None, item) if self._start(item) >= floor else _ALIASED
        return None

    def _is_in_place(self, items: Sequence[Node], floor: int) -> list[bool]:
        flags = []
        for item in items:
            in_place = self._start(item) >= floor
            if in_place:
                floor = max(floor, self._end(item))
            flags.append(in_place)
        return flags

    def _content_end(self, node: Node) -> int:
        """Where the content of ``node`` ends (a block collection's end mark is at the next
        token, after any comments and blank lines that follow it)."""
        if isinstance(node, MappingNode) and not node.flow_style and node.value:
            flat = [n for pair in node.value for n in pair]
            flags = self._is_in_place(flat, self._start(node))
            last_key, last_value = node.value[-1]
            if flags[-1]:
                return max(self._end(last_key), self._content_end(last_value))
            return self._back_over_comments(self._end(node), self._end(last_key))
        if isinstance(node, SequenceNode) and not node.flow_style and node.value:
            flags = self._is_in_place(node.value, self._start(node))
            if flags[-1]:
                return self._content_end(node.value[-1])
            return self._back_over_comments(self._end(node), self._start(node))
        end = self._end(node)
        if isinstance(node, ScalarNode) and node.style in ("|", ">"):
            # A block scalar ends at the start of the line after it; its last line is content.
            return self._back_over_blank(end, self._start(node))
        return end

    def _back_over_blank(self, end: int, floor: int) -> int:
        text = self.text
        while end > floor:
            line_start = text.rfind("\n", 0, end) + 1
            if text[line_start:end].strip():
                return end
            end = max(line_start - 1, floor)
        return end

    def _back_over_comments(self, end: int, floor: int) -> int:
        """The end of the last line before ``end`` that holds more than blanks or a comment."""
        text = self.text
        while end > floor:
            line_start = max(text.rfind("\n", 0, end) + 1, floor)
            row = text[line_start:end].strip()
            if row and not row.startswith("#"):
                return end
            end = max(line_start - 1, floor)
        return end

    def _new_line_after(self, position: int, row: str) -> _Edit:
        """An edit that inserts ``row`` as a line of its own after the line of ``position``."""
        newline = self.text.find("\n", position)
        if newline >= 0:
            return _Edit(newline + 1, newline + 1, row + self.newline)
        return _Edit(len(self.text), len(self.text), self.newline + row)

    def _line_start(self, position: int) -> int:
        return self.text.rfind("\n", 0, position) + 1

    def _dash_column(self, node: SequenceNode) -> int:
        first = node.value[0]
        start = self._start(first)
        if start >= self._start(node):
            prefix = self.text[self._line_start(start) : start]
            dash = prefix.rfind("-")
            if dash >= 0:
                return dash
        return int(node.start_mark.column)

    def _key_column(self, node: MappingNode) -> int:
        """The indentation of a block mapping's keys (``? key`` entries start at the ``?``)."""
        first_key = node.value[0][0]
        start = self._start(first_key)
        line_start = self._line_start(start)
        prefix = self.text[line_start:start]
        question = prefix.rfind("?")
        if question >= 0 and not prefix[question + 1 :].strip():
            return question
        return start - line_start

    def _indent_step(self, node: MappingNode) -> int:
        """How far this file indents a nested block mapping (2 unless a child shows otherwise)."""
        column = self._key_column(node)
        for _, value_node in node.value:
            if (
                isinstance(value_node, MappingNode)
                and not value_node.flow_style
                and value_node.value
                and self._start(value_node) > self._start(node)
            ):
                step = self._key_column(value_node) - column
                if step > 0:
                    return step
        return 2

    # --- insertions --------------------------------------------------------------------

    def _insert(
        self,
        node: Node,
        parent: Node | None,
        key_node: Node | None,
        missing: Sequence[str],
        value: Value,
    ) -> list[_Edit] | None:
        if isinstance(node, MappingNode):
            if node.flow_style:
                return self._insert_flow(node, missing, value)
            return self._insert_block(node, missing, value)
        if isinstance(node, ScalarNode) and key_node is not None and _is_null(node):
            if isinstance(parent, MappingNode) and parent.flow_style:
                return self._replace_flow_null(node, key_node, missing, value)
            return self._replace_block_null(node, key_node, missing, value)
        return None

    def _insert_block(
        self, node: MappingNode, missing: Sequence[str], value: Value
    ) -> list[_Edit] | None:
        if not node.value:
            return None
        indent = self._key_column(node)
        block = _block_lines(missing, value, indent, self._indent_step(node), self.newline)
        return [self._new_line_after(self._content_end(node), block)]

    def _insert_flow(
        self, node: MappingNode, missing: Sequence[str], value: Value
    ) -> list[_Edit] | None:
        start, end = self._start(node), self._end(node)
        if not node.value:
            brace = self.text.find("{", start, end)
            if brace < 0:
                return None
            entry = _flow_entry(missing, value, as_json=True)
            return [_Edit(brace + 1, brace + 1, entry)]
        flat = [n for pair in node.value for n in pair]
        if not all(self._is_in_place(flat, start)):
            return None
        first_key, _ = node.value[0]
        last_key, last_value = node.value[-1]
        entry = _flow_entry(missing, value, as_json=first_key.style == '"')
        separator = ", "
        if last_key.start_mark.line != first_key.start_mark.line or (
            node.start_mark.line != first_key.start_mark.line
        ):
            # A multi-line (pretty-printed) mapping gets the new entry on its own line.
            column = self._start(last_key) - self._line_start(self._start(last_key))
            separator = "," + self.newline + " " * column
        position = self._end(last_value)
        return [_Edit(position, position, separator + entry)]

    def _append_flow(self, node: SequenceNode, item: str) -> _Edit | None:
        start, end = self._start(node), self._end(node)
        if not node.value:
            bracket = self.text.find("[", start, end)
            if bracket < 0:
                return None
            return _Edit(bracket + 1, bracket + 1, json.dumps(item))
        if not all(self._is_in_place(node.value, start)):
            return None
        first, last = node.value[0], node.value[-1]
        as_json = isinstance(first, ScalarNode) and first.style == '"'
        rendered = json.dumps(item) if as_json else _render_yaml(item)
        position = self._end(last)
        return _Edit(position, position, ", " + rendered)

    def _replace_flow_null(
        self, node: ScalarNode, key_node: Node, missing: Sequence[str], value: Value
    ) -> list[_Edit]:
        as_json = getattr(key_node, "style", None) == '"'
        entry = "{" + _flow_entry(missing, value, as_json=as_json) + "}"
        start = self._value_start(node)
        return [_Edit(start, max(start, self._end(node)), entry)]

    def _replace_block_null(
        self, node: ScalarNode, key_node: Node, missing: Sequence[str], value: Value
    ) -> list[_Edit] | None:
        key_start = self._start(key_node)
        line_start = self._line_start(key_start)
        if self._line_start(self._start(node)) != line_start:
            return None
        prefix = self.text[line_start:key_start]
        if prefix.strip() not in ("", "-"):
            return None  # an explicit "? key" or a key after other content on its line
        indent = key_start - line_start + 2
        block = _block_lines(missing, value, indent, 2, self.newline)
        edits = []
        start, end = self._value_start(node), self._end(node)
        line_end = self.text.find("\n", key_start)
        if line_end < 0:
            line_end = len(self.text)
        elif line_end > 0 and self.text[line_end - 1] == "\r":
            line_end -= 1
        if end > start:  # an explicit ~ or null, and the blanks before it if it ends the line
            if not self.text[end:line_end].strip():
                while start > self._end(key_node) and self.text[start - 1] in " \t":
                    start -= 1
                end = line_end
            edits.append(_Edit(start, end, ""))
        edits.append(_Edit(line_end, line_end, self.newline + block))
        return edits


class _Aliased:
    """A node that is written elsewhere (an alias refers to it)."""


_ALIASED = _Aliased()


def _is_null(node: ScalarNode) -> bool:
    return not node.style and node.value in ("", "~", "null", "Null", "NULL")


def _block_lines(missing: Sequence[str], value: Value, indent: int, step: int, newline: str) -> str:
    rows = []
    for depth, part in enumerate(missing):
        prefix = " " * (indent + depth * step) + render_key(part) + ":"
        rows.append(prefix + " " + _render_yaml(value) if depth == len(missing) - 1 else prefix)
    return newline.join(rows)


def _flow_entry(missing: Sequence[str], value: Value, *, as_json: bool) -> str:
    key = json.dumps if as_json else render_key
    entry = _render_json(value) if as_json else _render_yaml(value)
    for part in reversed(missing[1:]):
        entry = "{" + key(part) + ": " + entry + "}"
    return key(missing[0]) + ": " + entry


_PLAIN_SAFE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]*$")


def render_key(key: str) -> str:
    return key if _PLAIN_SAFE.match(key) else json.dumps(key)


def _render_json(value: Value) -> str:
    return json.dumps(list(value) if isinstance(value, tuple) else value)


def _render_yaml(value: Value) -> str:
    if isinstance(value, tuple):
        return "[" + ", ".join(_render_yaml(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    from podlint.source.compose import resolve_plain_scalar

    if _PLAIN_SAFE.match(value) and resolve_plain_scalar(value) == value:
        return value
    return json.dumps(value)


render_yaml = _render_yaml


def _render_replacement(node: ScalarNode, value: Value) -> str:
    if isinstance(value, str) and node.style == '"':
        return json.dumps(value)
    if isinstance(value, str) and node.style == "'":
        return "'" + value.replace("'", "''") + "'"
    if node.style in ("|", ">"):
        return _render_json(value)  # a block scalar replaced by a flow scalar on its line
    return _render_yaml(value)
