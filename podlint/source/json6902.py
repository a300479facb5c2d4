"""JSON 6902 patches (lists of operations) -> the fragment of an object they write.

A kustomization applies such a patch to the objects of its ``target`` (kind, group, version,
name). The values that ``add`` and ``replace`` operations write are placed at their paths in
an object of the target's kind, so the rules that judge a written value see them where they
will be; a finding is located at the value inside the operation that writes it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podlint.model.document import Document
from podlint.model.pointer import split
from podlint.model.span import Span
from podlint.source.compose import ComposeError, compose, make_composer, to_data
from podlint.source.layout import kustomize_patch
from podlint.source.locator import NodeLocator
from podlint.source.manifest import SourceItem, parse_text

_WRITES = ("add", "replace")


@dataclass(frozen=True, slots=True)
class _Write:
    path: tuple[str, ...]
    index: int  # of the operation in the list


class OperationLocator:
    """Locates a pointer of the written object at the value of the operation that wrote it."""

    def __init__(self, locator: NodeLocator, writes: list[_Write]) -> None:
        self.locator = locator
        self._writes = writes

    def span(self, pointer: str, key: bool = False) -> Span | None:
        parts = tuple(split(pointer))
        write = self._writer(parts)
        if write is None:
            return self.locator.span("")
        rest = "".join("/" + _escape(part) for part in parts[len(write.path) :])
        return self.locator.span(f"/{write.index}/value{rest}", key)

    def writes(self, pointer: str) -> bool:
        """Whether an operation writes the value at ``pointer`` (the rest of the object, its
        kind and apiVersion among it, comes from the target, not from the patch)."""
        return self._writer(tuple(split(pointer))) is not None

    def _writer(self, parts: tuple[str, ...]) -> _Write | None:
        best: _Write | None = None
        for write in self._writes:
            if parts[: len(write.path)] == write.path and (
                best is None or len(write.path) >= len(best.path)
            ):
                best = write
        return best


def parse_fragment(text: str, path: str) -> Iterator[SourceItem]:
    """The items of a kustomize patch: its objects, or the object a JSON 6902 patch writes."""
    items = list(parse_text(text, path))
    yield from items
    if any(isinstance(item, Document) for item in items) or path.startswith("<"):
        return
    patch = kustomize_patch(Path(path))
    document = patch_document(path, text, patch.target if patch is not None else None)
    if document is not None:
        yield document


def patch_document(path: str, text: str, target: Mapping[str, Any] | None) -> Document | None:
    """The object a JSON 6902 patch text writes, or None when the text is not such a patch or
    no target kind says what it patches."""
    if not target or not isinstance(target.get("kind"), str):
        return None
    try:
        root = compose(make_composer(), text)
        if root is None:
            return None
        operations = to_data(root, json_numbers=path.endswith(".json")).data
    except ComposeError:
        return None  # the parser reports it
    if not isinstance(operations, list) or not operations:
        return None
    data: dict[str, Any] = _skeleton(target)
    writes: list[_Write] = []
    for index, operation in enumerate(operations):
        if not isinstance(operation, dict) or not isinstance(operation.get("path"), str):
            return None
        if operation.get("op") not in _WRITES or "value" not in operation:
            continue
        parts = tuple(split(operation["path"]))
        if parts and _place(data, parts, operation["value"]):
            writes.append(_Write(parts, index))
    locator = OperationLocator(NodeLocator(root, 0), writes)
    return Document(path, 0, data, "", locator)


# A target often names only the kind; kustomize then matches any group and version.
_PREFERRED_VERSIONS = {
    "Deployment": "apps/v1",
    "StatefulSet": "apps/v1",
    "DaemonSet": "apps/v1",
    "ReplicaSet": "apps/v1",
    "Job": "batch/v1",
    "CronJob": "batch/v1",
}


def _skeleton(target: Mapping[str, Any]) -> dict[str, Any]:
    group, version = target.get("group"), target.get("version")
    if isinstance(group, str) and group and isinstance(version, str) and version:
        api_version = f"{group}/{version}"
    elif isinstance(version, str) and version and not group:
        api_version = version
    else:
        api_version = _PREFERRED_VERSIONS.get(target["kind"], "v1")
    metadata = {k: target[k] for k in ("name", "namespace") if isinstance(target.get(k), str)}
    return {"apiVersion": api_version, "kind": target["kind"], "metadata": metadata}


def _place(data: dict[str, Any], parts: tuple[str, ...], value: Any) -> bool:
    """Set ``value`` at ``parts``, creating what is missing on the way (an index or ``-``
    in a list the base holds becomes an entry of an empty list here)."""
    node: Any = data
    for position, part in enumerate(parts):
        last = position == len(parts) - 1
        following = parts[position + 1] if not last else ""
        child: Any = value if last else ([] if following.isdigit() or following == "-" else {})
        if isinstance(node, dict):
            if last or not isinstance(node.get(part), dict | list):
                node[part] = child
            node = node[part]
        elif isinstance(node, list):
            if part == "-":
                part = str(len(node))
            if not part.isdigit():
                return False
            while len(node) <= int(part):
                node.append({} if not last else None)
            if last or not isinstance(node[int(part)], dict | list):
                node[int(part)] = child
            node = node[int(part)]
        else:
            return False
    return True


def _escape(part: str) -> str:
    return part.replace("~", "~0").replace("/", "~1")
