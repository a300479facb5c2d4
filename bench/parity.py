"""Agreement with the real kube-apiserver: per kind, precision and recall of podlint's
rejecting errors (schema, api-*, duplicate-*, missing-image, yaml-syntax) against server-side
dry-run creates with strict field validation.

Starts ../shared/kube-apiserver (needs etcd), judges the ../shared/corpus documents and
seeded single-mistake mutations of every pod-carrying kind and (``--object-mutations``) of
the kinds beside workloads, prints one table per input. Figures go to CONFORMANCE.md.

    python bench/parity.py --seed 1 --mutations 3000 --object-mutations 3000
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.cluster.apiserver import (  # noqa: E402
    Case,
    Judge,
    Outcome,
    compare,
    rejecting_engine,
    tally,
)
from tests.cluster.conftest import start_cluster, stop_cluster  # noqa: E402
from tests.cluster.mutations import generate  # noqa: E402
from tests.cluster.mutations_objects import generate as generate_objects  # noqa: E402
from tests.cluster.test_apiserver_parity import ENVIRONMENT, documents  # noqa: E402
from tests.conftest import SHARED  # noqa: E402


def table(title: str, outcomes: list[Outcome]) -> str:
    header = (
        "| kind | refused | caught | missed | false rejections | accepted | precision | recall |"
    )
    rows = [title, "", header, "|---|---:|---:|---:|---:|---:|---:|---:|"]
    tallies = tally(outcomes)
    for kind in sorted(tallies, key=lambda k: (k == "*", k)):
        t = tallies[kind]
        name = "**all**" if kind == "*" else kind
        rows.append(
            f"| {name} | {t.caught + t.missed} | {t.caught} | {t.missed} | {t.false} | "
            f"{t.accepted} | {t.precision:.1%} | {t.recall:.1%} |"
        )
    return "\n".join(rows)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--mutations", type=int, default=3000)
    parser.add_argument("--object-mutations", type=int, default=0)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="podlint-parity-") as state:
        cluster = start_cluster(Path(state))
        try:
            judge = Judge(cluster)
            engine = rejecting_engine()
            started = time.perf_counter()
            paths = sorted(
                p for p in args.corpus.rglob("*") if p.suffix in (".yaml", ".yml", ".json")
            )
            corpus = [case for path in paths for case in documents(path, args.corpus)]
            outcomes, _ = compare(judge, engine, corpus)
            outcomes = [o for o in outcomes if o.case.origin not in ENVIRONMENT]
            print(table(f"corpus ({len(outcomes)} documents, {len(ENVIRONMENT)} "
                        "environment-only refusals left out)", outcomes))  # fmt: skip
            runs = [("mutations", generate(args.seed, args.mutations))]
            if args.object_mutations:
                runs.append(
                    ("object mutations", generate_objects(args.seed, args.object_mutations))
                )
            for title, generated in runs:
                cases = [
                    Case(f"mutation-{i}.yaml", json.dumps(obj, indent=1) + "\n")
                    for i, (_, obj) in enumerate(generated)
                ]
                outcomes, unanswered = compare(judge, engine, cases)
                print()
                heading = (
                    f"{title} (seed {args.seed}, {len(outcomes)} judged, "
                    f"{len(unanswered)} the apiserver did not answer)"
                )
                print(table(heading, outcomes))
            print(f"\n{time.perf_counter() - started:.0f} s")
            judge.close()
        finally:
            stop_cluster(Path(state))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
