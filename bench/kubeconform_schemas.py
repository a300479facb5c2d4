"""Write kubeconform's schema layout from the kubernetes-validate release podlint reads.

kubeconform looks schemas up as ``DIR/v<version>-standalone[-strict]/<kind>-<group>-<version>.json``
with every ``$ref`` inlined. kubernetes-validate ships the same definitions as one
``_definitions.json`` that the per-kind files refer to; this script inlines those references
so that both tools judge documents against the same schemas in `bench_peers.py`.

    python bench/kubeconform_schemas.py /tmp/kubeconform-schemas --kubernetes-version 1.35
    python bench/bench_peers.py ../shared/corpus --kubeconform-schemas /tmp/kubeconform-schemas \
        --kubernetes-version 1.35

A definition that refers to itself (only the CustomResourceDefinition's JSON-schema props) is
cut at the repetition and accepts anything there.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from podlint.k8s.schemas import schema_root  # noqa: E402

_REF_PREFIXES = ("/api/_definitions.json#/$defs/", "#/$defs/")


def inline(node: Any, definitions: dict[str, Any], open_refs: frozenset[str]) -> Any:
    """The node with every definition reference replaced by the definition itself."""
    if isinstance(node, list):
        return [inline(item, definitions, open_refs) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    name = next(
        (ref[len(p) :] for p in _REF_PREFIXES if isinstance(ref, str) and ref.startswith(p)),
        None,
    )
    if name is not None:
        if name in open_refs:
            return {}
        rest = {key: value for key, value in node.items() if key != "$ref"}
        target = inline(definitions[name], definitions, open_refs | {name})
        return {**target, **inline(rest, definitions, open_refs)} if rest else target
    return {key: inline(value, definitions, open_refs) for key, value in node.items()}


def convert(source: Path, target: Path) -> int:
    definitions = json.loads((source / "_definitions.json").read_text())["$defs"]
    target.mkdir(parents=True, exist_ok=True)
    written = 0
    for path in sorted(source.glob("*.json")):
        if path.name in {"_definitions.json", "all.json"}:
            continue
        schema = json.loads(path.read_text())
        schema.pop("$id", None)
        standalone = inline(schema, definitions, frozenset())
        (target / path.name).write_text(json.dumps(standalone, separators=(",", ":")))
        written += 1
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("output", type=Path)
    parser.add_argument("--kubernetes-version", default="1.35", help="MAJOR.MINOR")
    args = parser.parse_args()
    version = f"v{args.kubernetes_version}.0"
    for suffix in ("", "-strict"):
        source = schema_root() / f"{version}-local{suffix}"
        if not source.is_dir():
            sys.exit(f"kubernetes-validate has no {source.name}")
        count = convert(source, args.output / f"{version}-standalone{suffix}")
        print(f"{args.output / f'{version}-standalone{suffix}'}: {count} schemas")


if __name__ == "__main__":
    main()
