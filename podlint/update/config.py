"""ConfigMap and Secret updates (``ValidateConfigMapUpdate``, ``ValidateSecretUpdate``).

A ConfigMap or Secret stored with ``immutable: true`` keeps its data and stays immutable; a
Secret's ``type`` never changes. A Secret's ``stringData`` is merged into ``data`` before the
apiserver validates, so the two are compared as the bytes they become.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.version import KubeVersion
from podlint.update.common import kind_of, mapping
from podlint.update.compare import show

_IMMUTABLE = "field is immutable when `immutable` is set (Forbidden on {field})"
_SECRET_TYPE = "Opaque"


def _name(obj: dict[str, Any]) -> str:
    value = mapping(obj.get("metadata")).get("name")
    return value if isinstance(value, str) and value else "NAME"


def _decoded(value: Any, *, stored: bool) -> Any:
    """The bytes a ``[]byte`` field holds (base64 text or a list of byte values); the value
    itself when it does not decode. A null that was stored reads back as empty bytes, while
    a null sent in an update is Go's nil slice, which equals no stored value."""
    if value is None:
        return b"" if stored else None
    decoded = formats.byte_value(value)
    return value if decoded is None else decoded


def _text(value: Any) -> Any:
    """A string field as the apiserver decodes it: null is the empty string."""
    return "" if value is None else value


def _bytes_map(
    obj: dict[str, Any], field: str, *, stored: bool, decode: bool = True
) -> dict[str, Any]:
    items = mapping(obj.get(field)).items()
    if not decode:
        return {str(key): _text(value) for key, value in items}
    return {str(key): _decoded(value, stored=stored) for key, value in items}


def _secret_data(obj: dict[str, Any], *, stored: bool) -> dict[str, tuple[Any, str]]:
    """Key -> (bytes, the field that wrote it): ``stringData`` wins over ``data``."""
    data = _bytes_map(obj, "data", stored=stored)
    result = {key: (value, "data") for key, value in data.items()}
    for key, value in mapping(obj.get("stringData")).items():
        value = _text(value)
        text = value if isinstance(value, str) else show(value)
        result[str(key)] = (text.encode(), "stringData")
    return result


def _advice(kind: str, name: str) -> str:
    return (
        f"an immutable {kind} can only be deleted: create one under a new name and point the "
        f"Pods at it, or delete {kind.lower()} {name} and create it again"
    )


def immutable_data(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    kind = kind_of(new)
    if kind != kind_of(old) or kind not in (("", "ConfigMap"), ("", "Secret")):
        return
    if old.get("immutable") is not True:
        return
    name = kind[1]
    advice = _advice(name, _name(new))
    if new.get("immutable") is not True:
        if "immutable" in new:
            at, what = join(base, "immutable"), f"immutable changed to {show(new['immutable'])}"
        else:
            at, what = base, "immutable removed (was true)"
        yield Finding(at, f"{what}: {_IMMUTABLE.format(field='immutable')}; {advice}")
    if name == "Secret":
        before = _secret_data(old, stored=True)
        yield from _data_changes(before, _secret_data(new, stored=False), "data", new, base, advice)
        return
    for field in ("data", "binaryData"):
        # A ConfigMap's data is text; only binaryData holds bytes.
        decode = field == "binaryData"
        old_map = _bytes_map(old, field, stored=True, decode=decode)
        new_map = _bytes_map(new, field, stored=False, decode=decode)
        before = {k: (v, field) for k, v in old_map.items()}
        after = {k: (v, field) for k, v in new_map.items()}
        yield from _data_changes(before, after, field, new, base, advice)


def _data_changes(
    before: dict[str, tuple[Any, str]],
    after: dict[str, tuple[Any, str]],
    field: str,
    new: dict[str, Any],
    base: str,
    advice: str,
) -> Iterator[Finding]:
    said = _IMMUTABLE.format(field=field)
    for key in [*before, *(k for k in after if k not in before)]:
        if key in before and key in after and before[key][0] == after[key][0]:
            continue
        if key not in after:
            written = field if field in new else ""
            at = join(base, written) if written else base
            what = f"{field}[{key}] removed"
        else:
            at = join(base, after[key][1], key)
            state = "changed" if key in before else "added"
            what = f"{after[key][1]}[{key}] {state}"
        yield Finding(at, f"{what}: {said}; {advice}")


def secret_type(
    old: dict[str, Any], new: dict[str, Any], version: KubeVersion, base: str = ""
) -> Iterator[Finding]:
    if kind_of(new) != ("", "Secret") or kind_of(old) != ("", "Secret"):
        return
    before = old.get("type") or _SECRET_TYPE
    after = new.get("type") or _SECRET_TYPE
    if before == after:
        return
    at = join(base, "type") if new.get("type") else base
    state = f"changed to {show(after)}" if new.get("type") else f"removed (now {show(after)})"
    yield Finding(
        at,
        f"type {state} (was {show(before)}): field is immutable (Invalid on type); delete the "
        f"Secret and create it again (kubectl replace --force), or give it a new name",
    )
