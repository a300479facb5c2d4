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

import json
import os
import random
import re
from pathlib import Path

import pytest

from podlint.source.manifest import _split_documents
from tests.cluster.apiserver import Case, Judge, Outcome, compare, rejecting_engine
from tests.cluster.conftest import Cluster
from tests.cluster.mutation_harness import Mutation
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


def _report(title: str, outcomes: list[Outcome]) -> str:
    return f"{title} ({len(outcomes)}):\n" + "\n".join(
        f"  {outcome.describe()}" for outcome in outcomes[:40]
    )


def _disagreements(outcomes: list[Outcome], known: set[str]) -> list[str]:
    problems = []
    false = [o for o in outcomes if o.false_rejection]
    if false:
        problems.append(_report("false rejections", false))
    missed = [o for o in outcomes if o.miss and o.case.origin not in known]
    if missed:
        problems.append(_report("refusals podlint misses", missed))
    elsewhere = [o for o in outcomes if not o.fields_agree]
    if elsewhere:
        problems.append(
            f"podlint points elsewhere than the apiserver ({len(elsewhere)}):\n"
            + "\n".join(
                f"  {o.case.origin}: apiserver {list(o.verdict.fields)}, podlint "
                f"{[pointer for _, pointer, _ in o.opinion.errors]}"
                for o in elsewhere[:40]
            )
        )
    return problems


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
    problems = _disagreements(outcomes, set())
    assert not problems, "\n".join(problems)


def test_corpus_agrees_with_the_apiserver(judge: Judge) -> None:
    paths = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
    cases = [case for path in paths for case in documents(path, CORPUS)]
    outcomes, unanswered = compare(judge, rejecting_engine(), cases)
    assert len(outcomes) > 2000
    assert not unanswered, [case.origin for case in unanswered]
    outcomes = [o for o in outcomes if o.case.origin not in ENVIRONMENT]
    problems = _disagreements(outcomes, set(CORPUS_GAPS))
    caught = sorted(o.case.origin for o in outcomes if not o.miss and o.case.origin in CORPUS_GAPS)
    if caught:
        problems.append(f"listed in CORPUS_GAPS but now agreed on (remove them): {caught}")
    assert not problems, "\n".join(problems)


def _known_gap(mutation: Mutation) -> bool:
    return any(re.fullmatch(pattern, mutation.signature) for pattern in MUTATION_GAPS)


def test_single_mistake_mutations_agree_with_the_apiserver(judge: Judge) -> None:
    seed = int(os.environ.get("PODLINT_PARITY_SEED", random.randrange(2**32)))
    generated = generate(seed, MUTATIONS)
    cases = [Case(f"mutation-{index}.yaml", _as_yaml(obj)) for index, (_, obj) in
             enumerate(generated)]  # fmt: skip
    mutation_of = {
        case.origin: mutation for case, (mutation, _) in zip(cases, generated, strict=True)
    }
    outcomes, unanswered = compare(judge, rejecting_engine(), cases)
    assert len(outcomes) >= 2000, f"seed {seed}: only {len(outcomes)} cases were judged"
    # The apiserver panics on a few inputs (and answers nothing); they must stay rare.
    assert len(unanswered) < len(cases) / 100, f"seed {seed}: {len(unanswered)} unanswered"
    known = {o.case.origin for o in outcomes if _known_gap(mutation_of[o.case.origin])}
    problems = _disagreements(outcomes, known)
    labelled = "\n".join(
        f"  {origin}: {mutation_of[origin].describe()}"
        for origin in sorted(mutation_of)
        if any(origin + ":" in problem for problem in problems)
    )
    assert not problems, (
        f"seed {seed} (PODLINT_PARITY_SEED={seed} repeats it)\n"
        + "\n".join(problems)
        + f"\nthe mutations:\n{labelled}"
    )


def _as_yaml(obj: object) -> str:
    # JSON is YAML; the apiserver reads it with its YAML decoder, as podlint does.
    return json.dumps(obj, indent=1) + "\n"
