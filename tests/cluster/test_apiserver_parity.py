"""podlint agrees with the real kube-apiserver v1.35, document by document.

Each document is sent to the apiserver as a server-side dry-run create with strict field
validation, and linted with podlint's rejecting rules (``REJECTING`` in apiserver.py) at
``--kubernetes-version 1.35``. They must agree: podlint reports a rejecting error exactly
when the apiserver refuses, and then points at the field the apiserver names.

A false rejection (an error on a document the apiserver accepts) always fails. A refusal
podlint misses fails unless it is listed below as a known gap, with the reason; a listed gap
that podlint now catches fails too, so the lists only shrink. The mutation run is seeded:
``PODLINT_PARITY_SEED`` repeats a run, ``PODLINT_PARITY_CASES`` sets its size.
"""

from __future__ import annotations

import os
import random
from pathlib import Path

import pytest

from podlint.source.manifest import _split_documents
from tests.cluster.apiserver import (
    Case,
    Judge,
    assert_mutations_agree,
    compare,
    disagreements,
    judge_mutations,
    matches,
    rejecting_engine,
)
from tests.cluster.conftest import Cluster
from tests.cluster.mutations import generate
from tests.conftest import ROOT, SHARED

CORPUS = SHARED / "corpus"
MUTATIONS = int(os.environ.get("PODLINT_PARITY_CASES", "2400"))

# Refusals that reflect this test cluster rather than the manifest: it is single-stack IPv4.
ENVIRONMENT = {
    "istio/samples/bookinfo/platform/kube/bookinfo-details-dualstack.yaml:1": "dual-stack",
    "istio/samples/bookinfo/platform/kube/bookinfo-dualstack.yaml:1": "dual-stack",
    "istio/samples/bookinfo/platform/kube/bookinfo-dualstack.yaml:81": "dual-stack",
    "istio/samples/bookinfo/platform/kube/bookinfo-dualstack.yaml:134": "dual-stack",
    "istio/samples/bookinfo/platform/kube/bookinfo-dualstack.yaml:280": "dual-stack",
    "istio/samples/bookinfo/platform/kube/bookinfo-ratings-discovery-dualstack.yaml:1": "dual-stack",
    "istio/samples/bookinfo/platform/kube/bookinfo-ratings-dualstack.yaml:1": "dual-stack",
    "istio/samples/helloworld/helloworld-dual-stack.yaml:1": "dual-stack",
    "istio/samples/tcp-echo/tcp-echo-dual-stack.yaml:1": "dual-stack",
    "istio/samples/tcp-echo/tcp-echo-ipv6.yaml:1": "an IPv6 family on an IPv4 cluster",
}  # fmt: skip

# Refusals of corpus documents podlint does not report yet (kinds beside the workloads).
CORPUS_GAPS: dict[str, str] = {}

# Mutation sites (Mutation.site, a regular expression) whose refusals podlint does not report
# yet, with what the apiserver checks there. Every one found so far is covered.
MUTATION_GAPS: dict[str, str] = {}


@pytest.fixture(scope="module")
def judge(parity_cluster: Cluster) -> Judge:
    running = Judge(parity_cluster)
    yield running  # type: ignore[misc]
    running.close()


def documents(path: Path, root: Path) -> list[Case]:
    text = path.read_text(encoding="utf-8", errors="replace")
    origin = str(path.relative_to(root))
    return [Case(f"{origin}:{offset + 1}", chunk) for offset, chunk in _split_documents(text)]


def test_rule_fixtures_agree_with_the_apiserver(judge: Judge) -> None:
    rules = ROOT / "tests" / "rules"
    directories = [*sorted(rules.glob("api-*")), rules / "schema"]
    cases = [
        case
        for directory in directories
        for path in sorted(directory.glob("*.yaml"))
        if path.name != "fixture.yaml"
        for case in documents(path, ROOT)
    ]
    outcomes, unanswered = compare(judge, rejecting_engine(), cases)
    assert len(outcomes) > 60, "the fixtures hold fewer served documents than expected"
    assert not unanswered, [case.origin for case in unanswered]
    problems = disagreements(outcomes, set())
    assert not problems, "\n".join(problems)


def test_corpus_agrees_with_the_apiserver(judge: Judge) -> None:
    paths = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    cases = [case for path in paths for case in documents(path, CORPUS)]
    outcomes, unanswered = compare(judge, rejecting_engine(), cases)
    assert len(outcomes) > 2000
    assert not unanswered, [case.origin for case in unanswered]
    outcomes = [o for o in outcomes if o.case.origin not in ENVIRONMENT]
    problems = disagreements(outcomes, set(CORPUS_GAPS))
    caught = sorted(o.case.origin for o in outcomes if not o.miss and o.case.origin in CORPUS_GAPS)
    if caught:
        problems.append(f"listed in CORPUS_GAPS but now agreed on (remove them): {caught}")
    assert not problems, "\n".join(problems)


def test_single_mistake_mutations_agree_with_the_apiserver(judge: Judge) -> None:
    seed = int(os.environ.get("PODLINT_PARITY_SEED", random.randrange(2**32)))
    outcomes, mutation_of = judge_mutations(judge, generate(seed, MUTATIONS), seed)
    known = {o.case.origin for o in outcomes if matches(mutation_of[o.case.origin], MUTATION_GAPS)}
    assert_mutations_agree(seed, outcomes, known, mutation_of)
