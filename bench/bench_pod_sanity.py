"""Cost of the pod sanity rules (init, probes, resources, lifecycle, apiversions).

Parses a directory once, then times the rules alone over the parsed documents (so parse
noise stays out): the whole family, and each rule on its own; best of N rounds. The parse
time of the same files (best of at most 3) is printed for scale.

    python bench/bench_pod_sanity.py ../shared/corpus --rounds 5
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from podlint.engine import Engine
from podlint.model.document import Document
from podlint.policy import RuleSetting
from podlint.registry import default_registry
from podlint.source.manifest import parse_text

FAMILIES = ("init", "probes", "resources", "lifecycle", "apiversions")


def family_rules() -> list[str]:
    registry = default_registry()
    return sorted(
        rule.id
        for rule in registry.rules.values()
        if rule.check and rule.check.split(".", 1)[0] in FAMILIES
    )


def parse(texts: list[tuple[str, str]], rounds: int) -> tuple[list[Document], float]:
    best = float("inf")
    documents: list[Document] = []
    for _ in range(rounds):
        start = time.perf_counter()
        documents = [
            item
            for path, text in texts
            for item in parse_text(text, path)
            if isinstance(item, Document)
        ]
        best = min(best, time.perf_counter() - start)
    return documents, best


def run(documents: list[Document], rule_ids: list[str], rounds: int) -> tuple[float, int]:
    """(best seconds, findings) of running these rules over the parsed documents."""
    registry = default_registry()
    engine = Engine(registry, {r: RuleSetting(registry.rules[r].severity) for r in rule_ids})
    best = float("inf")
    findings = 0
    for _ in range(rounds):
        start = time.perf_counter()
        findings = sum(1 for document in documents for _ in engine.lint_document(document))
        best = min(best, time.perf_counter() - start)
    return best, findings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--top", type=int, default=5, help="slowest rules to list")
    args = parser.parse_args()
    files = sorted(p for p in args.directory.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    texts = [(str(p), p.read_text(encoding="utf-8", errors="replace")) for p in files]
    documents, parse_seconds = parse(texts, min(args.rounds, 3))
    rules = family_rules()
    family, findings = run(documents, rules, args.rounds)
    count = len(documents)
    print(f"{len(texts)} files, {count} documents, {len(rules)} rules, best of {args.rounds}")
    print("| stage | time | documents/s | µs/document |")
    print("| --- | --- | --- | --- |")
    for label, seconds in (("parse (for scale)", parse_seconds), ("pod sanity rules", family)):
        print(
            f"| {label} | {seconds * 1000:.0f} ms | {count / seconds:,.0f} "
            f"| {seconds / count * 1e6:.0f} |"
        )
    print(f"\n{findings} findings")
    costs = sorted(((run(documents, [r], args.rounds)[0], r) for r in rules), reverse=True)
    print("\nslowest rules alone:")
    for seconds, rule_id in costs[: args.top]:
        print(f"  {rule_id}: {seconds * 1000:.1f} ms ({seconds / count * 1e6:.1f} µs/document)")


if __name__ == "__main__":
    main()
