"""JSON Pointer -> source span, walking the composed node tree."""

from __future__ import annotations

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from podlint.model.pointer import split
from podlint.model.span import Span
from podlint.source.compose import node_span


class NodeLocator:
    """Locates pointers in one YAML document whose first line is ``line_offset`` in its file."""

    __slots__ = ("keys", "line_offset", "root")

    def __init__(self, root: Node, line_offset: int) -> None:
        self.root = root
        self.line_offset = line_offset
        # Large mappings by key, built on first use: a finding per key of a mapping with
        # thousands of keys would otherwise scan the mapping once per finding.
        self.keys: dict[int, dict[str, tuple[Node, Node]]] = {}

    def span(self, pointer: str, key: bool = False) -> Span | None:
        node = self.root
        key_node: Node | None = None
        for part in split(pointer):
            found = self._child(node, part)
            if found is None:
                # A missing field is reported at its nearest existing ancestor.
                key = False
                break
            key_node, node = found
        if key and key_node is not None:
            return node_span(key_node, self.line_offset)
        return self._compact_span(node, key_node)

    def _compact_span(self, node: Node, key_node: Node | None) -> Span:
        if isinstance(node, ScalarNode):
            return node_span(node, self.line_offset)
        if node.start_mark.line == node.end_mark.line:
            return node_span(node, self.line_offset)
        # A block collection spans many lines; its key (or its first key) names it best.
        if key_node is not None:
            return node_span(key_node, self.line_offset)
        if isinstance(node, MappingNode) and node.value:
            return node_span(node.value[0][0], self.line_offset)
        start = node.start_mark
        line = start.line + self.line_offset
        return Span(line, start.column, line, start.column + 1)

    def _child(self, node: Node, part: str) -> tuple[Node | None, Node] | None:
        if isinstance(node, MappingNode) and len(node.value) > _SCAN_LIMIT:
            keys = self.keys.get(id(node))
            if keys is None:
                # In order, so the last of duplicate keys wins, as in the data.
                keys = self.keys[id(node)] = {
                    key.value: (key, value)
                    for key, value in node.value
                    if isinstance(key, ScalarNode)
                }
            return keys.get(part)
        return _child(node, part)


_SCAN_LIMIT = 16


def _child(node: Node, part: str) -> tuple[Node | None, Node] | None:
    if isinstance(node, MappingNode):
        for key_node, value_node in reversed(node.value):
            if isinstance(key_node, ScalarNode) and key_node.value == part:
                return key_node, value_node
        return None
    if isinstance(node, SequenceNode):
        if part.isdigit() and int(part) < len(node.value):
            return None, node.value[int(part)]
        return None
    return None
