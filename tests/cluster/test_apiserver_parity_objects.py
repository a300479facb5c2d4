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

import pytest

from tests.cluster.apiserver import (
    Case,
    Judge,
    as_yaml,
    assert_mutations_agree,
    compare,
    judge_mutations,
    matches,
    rejecting_engine,
)
from tests.cluster.conftest import Cluster
from tests.cluster.mutations_objects import generate

MUTATIONS = int(os.environ.get("PODLINT_PARITY_CASES", "2400"))

# Mutation signatures (``Kind site operation value``, a regular expression) whose refusals
# podlint does not report yet, with what the apiserver checks there.
OBJECT_GAPS = {
    r"(Validating|Mutating)WebhookConfiguration /webhooks/N/matchConditions/N/expression .*": (
        "matchConditions are CEL expressions the apiserver compiles and type-checks"
    ),
}

# Documents the apiserver accepts and podlint refuses, each left to the work that owns it.
KNOWN_FALSE_REJECTIONS: dict[str, str] = {}


@pytest.fixture(scope="module")
def judge(parity_cluster: Cluster) -> Judge:
    running = Judge(parity_cluster)
    yield running  # type: ignore[misc]
    running.close()


def test_object_mutations_agree_with_the_apiserver(judge: Judge) -> None:
    seed = int(os.environ.get("PODLINT_PARITY_SEED", random.randrange(2**32)))
    outcomes, mutation_of = judge_mutations(judge, generate(seed, MUTATIONS), seed)
    known = {o.case.origin for o in outcomes if matches(mutation_of[o.case.origin], OBJECT_GAPS)}
    outcomes = [
        o
        for o in outcomes
        if not (o.false_rejection and matches(mutation_of[o.case.origin], KNOWN_FALSE_REJECTIONS))
    ]
    assert_mutations_agree(seed, outcomes, known, mutation_of)


def test_every_object_base_is_accepted(judge: Judge) -> None:
    """The bases the mutations start from are valid, for podlint and the apiserver alike."""
    from tests.cluster.mutations_objects import bases

    cases = [Case(f"base-{kind}.yaml", as_yaml(obj)) for kind, obj in bases().items()]
    outcomes, unanswered = compare(judge, rejecting_engine(), cases)
    assert not unanswered
    assert len(outcomes) == len(cases), "the apiserver does not serve every base kind"
    refused = [o.describe() for o in outcomes if not o.verdict.accepted or not o.opinion.accepted]
    assert not refused, refused
