"""podlint agrees with the real kube-apiserver v1.35 on single-mistake mutations of the built-in
kinds beside workloads (``tests/cluster/mutations_objects.py``): Services, Ingresses and
IngressClasses, ConfigMaps and Secrets, volumes and StorageClasses, Namespaces and
ServiceAccounts, RBAC objects, NetworkPolicies, HorizontalPodAutoscalers, PodDisruptionBudgets,
PriorityClasses, ResourceQuotas, LimitRanges and webhook configurations.

As in ``test_apiserver_parity.py``: every case is a server-side dry-run create with strict
field validation, compared with podlint's rejecting errors at ``--kubernetes-version 1.35``. A
false rejection fails unless listed in ``KNOWN_FALSE_REJECTIONS``; a refusal podlint misses
fails unless listed in ``OBJECT_GAPS``, each with its reason. ``PODLINT_PARITY_SEED`` repeats
a run, ``PODLINT_PARITY_CASES`` sets its size.
"""

from __future__ import annotations

import os
import random
import re

import pytest

from tests.cluster.apiserver import Case, Judge, compare, rejecting_engine
from tests.cluster.conftest import Cluster
from tests.cluster.mutations import Mutation
from tests.cluster.mutations_objects import generate
from tests.cluster.test_apiserver_parity import _as_yaml, _disagreements

MUTATIONS = int(os.environ.get("PODLINT_PARITY_CASES", "2400"))

# Mutation signatures (``Kind site operation value``, a regular expression) whose refusals
# podlint does not report yet, with what the apiserver checks there.
OBJECT_GAPS = {
    r".* (2147483648|-2147483649)": "an integer beyond int32 (refused when decoding)",
    r"(Validating|Mutating)WebhookConfiguration /webhooks/N/matchConditions/N/expression .*": (
        "matchConditions are CEL expressions the apiserver compiles and type-checks"
    ),
    r"Ingress /spec/ingressClassName .*": "ingressClassName (a DNS subdomain)",
    r"Ingress /spec/rules/N/http/paths/N/backend/resource .*": "resource backends",
    r"PersistentVolume /spec( (remove|replace .*|empty)|/nfs( .*|/server.*)|/hostPath .*"
    r"|/nodeAffinity .*|/persistentVolumeReclaimPolicy .*)": "a PersistentVolume without a "
    "volume source (or with two), NFS servers, node affinity terms, and which reclaim policy "
    "each volume source allows",
    r"PersistentVolumeClaim /spec(/dataSource| (remove|replace null|empty)).*": "claim data "
    "sources, and a claim spec removed",
    r"(Ingress|PersistentVolume(Claim)?) .* (replace null|empty)": "a null value or an emptied "
    "mapping or list in the kinds whose checks predate these mutations: the apiserver decodes "
    "the zero value (a quantity 0, an empty volume source), those checks read null as absent",
}

# Documents the apiserver accepts and podlint refuses, each left to the work that owns it.
KNOWN_FALSE_REJECTIONS: dict[str, str] = {}


@pytest.fixture(scope="module")
def judge(parity_cluster: Cluster) -> Judge:
    running = Judge(parity_cluster)
    yield running  # type: ignore[misc]
    running.close()


def _matches(mutation: Mutation, patterns: dict[str, str]) -> bool:
    return any(re.fullmatch(pattern, mutation.signature) for pattern in patterns)


def test_object_mutations_agree_with_the_apiserver(judge: Judge) -> None:
    seed = int(os.environ.get("PODLINT_PARITY_SEED", random.randrange(2**32)))
    generated = generate(seed, MUTATIONS)
    cases = [Case(f"mutation-{i}.yaml", _as_yaml(obj)) for i, (_, obj) in enumerate(generated)]
    mutation_of = {
        case.origin: mutation for case, (mutation, _) in zip(cases, generated, strict=True)
    }
    outcomes, unanswered = compare(judge, rejecting_engine(), cases)
    assert len(outcomes) >= 2000, f"seed {seed}: only {len(outcomes)} cases were judged"
    assert len(unanswered) < len(cases) / 100, f"seed {seed}: {len(unanswered)} unanswered"
    known = {o.case.origin for o in outcomes if _matches(mutation_of[o.case.origin], OBJECT_GAPS)}
    outcomes = [
        o
        for o in outcomes
        if not (o.false_rejection and _matches(mutation_of[o.case.origin],
                                               KNOWN_FALSE_REJECTIONS))
    ]  # fmt: skip
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


def test_every_object_base_is_accepted(judge: Judge) -> None:
    """The bases the mutations start from are valid, for podlint and the apiserver alike."""
    from tests.cluster.mutations_objects import bases

    cases = [Case(f"base-{kind}.yaml", _as_yaml(obj)) for kind, obj in bases().items()]
    outcomes, unanswered = compare(judge, rejecting_engine(), cases)
    assert not unanswered
    assert len(outcomes) == len(cases), "the apiserver does not serve every base kind"
    refused = [o.describe() for o in outcomes if not o.verdict.accepted or not o.opinion.accepted]
    assert not refused, refused
