"""How many findings each shipped policy gives on a directory of real manifests, per rule.

The noise budget of a policy is a number to watch as rules change: this lints the directory
once per policy (as `podlint lint DIR --policy P` does, configuration files ignored) and prints
the findings per rule, the totals, and how many pod-carrying objects get at least one finding.

    python bench/corpus_findings.py ../shared/corpus
    python bench/corpus_findings.py ../shared/corpus --policy default --policy hardened
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field

from podlint.lint import lint_sources
from podlint.model.kinds import BUILTIN_POD_SPEC_POINTERS
from podlint.registry import default_registry
from podlint.runtime import Options, build_engine

POD_CARRYING = frozenset({*BUILTIN_POD_SPEC_POINTERS, "Rollout"})


@dataclass
class Tally:
    files: int = 0
    documents: int = 0
    pod_objects: int = 0
    pod_objects_with_findings: int = 0
    by_rule: Counter[tuple[str, str]] = field(default_factory=Counter)

    @property
    def findings(self) -> int:
        return sum(self.by_rule.values())

    def severity(self, name: str) -> int:
        return sum(count for (_, severity), count in self.by_rule.items() if severity == name)


def tally(directory: str, policy: str) -> Tally:
    result = Tally()
    engine = build_engine(Options(policy=policy))
    for source in lint_sources(engine, [directory]):
        if not source.supplement:
            result.files += 1
        result.documents += source.documents
        result.by_rule.update((f.rule, f.severity.value) for f in source.findings)
        flagged = {f.document for f in source.findings}
        for ref in source.objects:
            if ref.kind in POD_CARRYING:
                result.pod_objects += 1
                result.pod_objects_with_findings += ref.document in flagged
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("directory")
    parser.add_argument(
        "--policy",
        action="append",
        help="a shipped policy name or a policy file; repeatable (default: default, recommended)",
    )
    args = parser.parse_args()
    policies = args.policy or ["default", "recommended"]
    registry = default_registry()
    for policy in policies:
        result = tally(args.directory, policy)
        share = result.pod_objects_with_findings / result.pod_objects if result.pod_objects else 0
        print(f"## {policy}")
        print(
            f"{result.findings} findings ({result.severity('error')} errors, "
            f"{result.severity('warning')} warnings, {result.severity('info')} infos) in "
            f"{result.files} files, {result.documents} documents; "
            f"{result.pod_objects_with_findings} of {result.pod_objects} pod-carrying "
            f"objects ({share:.1%}) have at least one"
        )
        width = max((len(rule) for rule, _ in result.by_rule), default=4)
        for (rule, severity), count in sorted(
            result.by_rule.items(), key=lambda item: (-item[1], item[0])
        ):
            known = registry.rules.get(rule)
            category = known.category if known is not None else ""
            print(f"{count:>6}  {rule:<{width}}  {severity:<7}  {category}")
        print()


if __name__ == "__main__":
    main()
