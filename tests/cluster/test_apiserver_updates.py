"""podlint's update checks agree with the real kube-apiserver v1.35, update by update.

The update fixtures (tests/update) and seeded single changes of valid objects
(``update_mutations.py``) are created for real and then replaced with a dry run (see
updates.py); ``check_update`` must report an error exactly when the apiserver refuses the
change, at the field it names. A false rejection always fails. A refusal podlint misses fails
unless the manifests cannot show it, and those are listed below with the reason: the apiserver
filled in or decided something the previous manifest does not hold. ``PODLINT_UPDATE_SEED``
repeats a run, ``PODLINT_UPDATE_CASES`` sets its size.

The ``kubectl apply`` trap of update strategies is reproduced with real patches: a
strategic-merge patch built as client-side ``kubectl apply`` builds it, and server-side apply.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from podlint.model.document import Document
from podlint.source.manifest import parse_text
from podlint.update import check_update
from podlint.update.compare import parse_quantity
from podlint.update.run import Identity, identity
from podlint.update.testing import case_version, cases
from tests.cluster.apiserver import APISERVER_VERSION, DRY_RUN, Judge, rejecting_engine
from tests.cluster.conftest import Cluster
from tests.cluster.update_mutations import generate
from tests.cluster.updates import UpdateCase, UpdateJudge, UpdateOutcome, isolate, update_opinion
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "update"
MUTATIONS = int(os.environ.get("PODLINT_UPDATE_CASES", "400"))
# Fixture cases whose old side describes an object a create cannot make (a uid, a deletion
# under way): the apiserver would compare the update with another object than podlint does.
NOT_CREATABLE = {"immutable-metadata/deletion-set-by-update", "immutable-metadata/finalizer-while-deleting",
                 "immutable-metadata/uid-changed"}  # fmt: skip


def _quantity(obj: dict[str, Any]) -> Any:
    spec = obj.get("spec") or {}
    return parse_quantity(((spec.get("resources") or {}).get("requests") or {}).get("storage"))


def _claim_not_bound(case: UpdateCase) -> bool:
    """A grown claim or a new attributes class: allowed on a bound claim only, and this
    cluster binds none (no controller runs); a manifest without status cannot say."""
    if case.old.get("kind") != "PersistentVolumeClaim" or "status" in case.old:
        return False
    before, after = _quantity(case.old), _quantity(case.new)
    grown = before is not None and after is not None and after.value > before.value
    old_spec, new_spec = case.old.get("spec") or {}, case.new.get("spec") or {}
    key = "volumeAttributesClassName"
    return grown or (old_spec.get(key) != new_spec.get(key) and new_spec.get(key) is not None)


def _written(spec: dict[str, Any], *keys: str) -> bool:
    return any(spec.get(key) not in (None, "", []) for key in keys)


def _allocated_address(case: UpdateCase) -> bool:
    """An address or IP family written where the previous manifest had none: compared with
    what the apiserver allocated (the cluster's primary family), which no manifest holds."""
    if case.old.get("kind") != "Service":
        return False
    old_spec, new_spec = case.old.get("spec") or {}, case.new.get("spec") or {}
    ips = not _written(old_spec, "clusterIP", "clusterIPs") and _written(
        new_spec, "clusterIP", "clusterIPs"
    )
    families = not _written(old_spec, "ipFamilies") and _written(new_spec, "ipFamilies")
    return ips or families


def _warned(case: UpdateCase) -> bool:
    """Refused because the apply keeps the rollingUpdate the apiserver filled in: podlint
    warns (rolling-update-kept), since client-side kubectl apply clears a Deployment's."""
    found = check_update(case.old, case.new, APISERVER_VERSION)
    return any(f.rule == "rolling-update-kept" for f in found)


UNKNOWABLE: dict[str, Callable[[UpdateCase], bool]] = {
    "claim not bound in this cluster": _claim_not_bound,
    "address or family the apiserver allocated": _allocated_address,
    "warned: the apply keeps the filled-in rollingUpdate": _warned,
}


@pytest.fixture(scope="module")
def judge(parity_cluster: Cluster) -> Iterator[Judge]:
    running = Judge(parity_cluster)
    yield running
    running.close()


def _documents(directory: Path, prefix: str) -> dict[Identity, Document]:
    found: dict[Identity, Document] = {}
    for path in sorted(directory.glob(f"{prefix}*.yaml")):
        for item in parse_text(path.read_text(encoding="utf-8"), str(path)):
            if isinstance(item, Document) and (key := identity(item)) is not None:
                found.setdefault(key, item)
    return found


def fixture_cases(updates: UpdateJudge) -> list[UpdateCase]:
    result = []
    for index, directory in enumerate(cases(FIXTURES)):
        name = str(directory.relative_to(FIXTURES))
        if name in NOT_CREATABLE:
            continue
        version = case_version(directory)
        if (version.major, version.minor) != (1, 35) and (directory / "fixture.yaml").exists():
            continue  # judged at another version than this apiserver's
        old, new = _documents(directory, "old"), _documents(directory, "new")
        for key in sorted(set(old) & set(new)):
            pair = UpdateCase(f"{name}: {key}", old[key].data, new[key].data)
            if not updates.serves(pair):
                continue
            namespaced = updates.namespaced(pair.old)
            suffix = f"f{index}"
            result.append(
                UpdateCase(
                    pair.origin,
                    isolate(pair.old, suffix, namespaced),
                    isolate(pair.new, suffix, namespaced),
                )
            )
    return result


def _check(outcomes: list[UpdateOutcome], excused: Callable[[UpdateCase], str | None]) -> list[str]:
    problems = []
    false = [o for o in outcomes if o.false_rejection]
    if false:
        problems.append(f"false rejections ({len(false)}):\n" + "\n".join(
            f"  {o.describe()}" for o in false[:40]))  # fmt: skip
    missed = [o for o in outcomes if o.miss and excused(o.case) is None]
    if missed:
        problems.append(f"refusals podlint misses ({len(missed)}):\n" + "\n".join(
            f"  {o.describe()}" for o in missed[:40]))  # fmt: skip
    elsewhere = [o for o in outcomes if not o.fields_agree]
    if elsewhere:
        problems.append(f"podlint points elsewhere ({len(elsewhere)}):\n" + "\n".join(
            f"  {o.case.origin}: apiserver {list(o.verdict.update.fields)}, podlint "
            f"{[p for _, p, _ in o.opinion.errors]}"
            for o in elsewhere[:40] if o.verdict.update))  # fmt: skip
    return problems


def _unknowable(case: UpdateCase) -> str | None:
    return next((reason for reason, test in UNKNOWABLE.items() if test(case)), None)


def summary(outcomes: list[UpdateOutcome]) -> str:
    judged = [o for o in outcomes if o.judged]
    refused = [o for o in judged if o.refused]
    caught = [o for o in refused if not o.opinion.accepted]
    unknowable = [o for o in refused if o.opinion.accepted and _unknowable(o.case)]
    reasons = sorted({str(_unknowable(o.case)) for o in unknowable})
    counts = ", ".join(f"{sum(_unknowable(o.case) == r for o in unknowable)} {r}" for r in reasons)
    return (
        f"{len(outcomes)} cases, {len(judged)} judged as updates, {len(refused)} refused, "
        f"{len(caught)} caught, {len(unknowable)} unknowable from the manifests ({counts}), "
        f"{sum(o.false_rejection for o in judged)} false rejections"
    )


def test_update_fixtures_agree_with_the_apiserver(judge: Judge) -> None:
    updates = UpdateJudge(judge)
    found = fixture_cases(updates)
    verdicts = updates.run_all(found)
    engine = rejecting_engine()
    outcomes = [UpdateOutcome(c, v, update_opinion(engine, c)) for c, v in
                zip(found, verdicts, strict=True)]  # fmt: skip
    not_created = [o.case.origin for o in outcomes if not o.verdict.created.accepted]
    assert not not_created, f"old versions the apiserver does not create: {not_created}"
    judged = [o for o in outcomes if o.judged]
    assert len(judged) >= 60, summary(outcomes)
    problems = _check(outcomes, _unknowable)
    assert not problems, summary(outcomes) + "\n" + "\n".join(problems)
    print(summary(outcomes))


def test_single_changes_agree_with_the_apiserver(judge: Judge) -> None:
    seed = int(os.environ.get("PODLINT_UPDATE_SEED", random.randrange(2**32)))
    updates = UpdateJudge(judge)
    found = []
    for index, (change, old, new) in enumerate(generate(seed, MUTATIONS)):
        namespaced = updates.namespaced(old)
        origin = f"change-{index} ({change.signature})"
        suffix = f"m{seed % 10000}-{index}"
        found.append(
            UpdateCase(origin, isolate(old, suffix, namespaced), isolate(new, suffix, namespaced))
        )
    verdicts = updates.run_all(found)
    engine = rejecting_engine()
    outcomes = [UpdateOutcome(c, v, update_opinion(engine, c)) for c, v in
                zip(found, verdicts, strict=True)]  # fmt: skip
    head = f"seed {seed} (PODLINT_UPDATE_SEED={seed} repeats it): {summary(outcomes)}"
    not_created = [o for o in outcomes if not o.verdict.created.accepted]
    assert not not_created, head + "\n" + "\n".join(
        f"  {o.case.origin}: {o.verdict.created.message[:200]}" for o in not_created[:20])  # fmt: skip
    judged = [o for o in outcomes if o.judged]
    assert len(judged) >= MUTATIONS // 2, head
    problems = _check(outcomes, _unknowable)
    assert not problems, head + "\n" + "\n".join(problems)
    print(head)


def _three_way(old: Any, new: Any) -> Any:
    """The patch client-side ``kubectl apply`` computes from the last applied manifest to the
    new one, for maps: what the new one says, and null for what it no longer names. (kubectl
    adds ``$retainKeys`` for a Deployment's strategy, which clears the rest of it.)"""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return new
    patch = {key: _three_way(old.get(key), value) for key, value in new.items()}
    patch.update({key: None for key in old if key not in new})
    return patch


def _strategy_pairs() -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    directories = [*sorted((FIXTURES / "rolling-update-kept").iterdir()),
                   FIXTURES / "allowed" / "strategy-rolling-update-cleared",
                   FIXTURES / "allowed" / "statefulset-mutable-fields",
                   FIXTURES / "allowed" / "statefulset-type-written"]  # fmt: skip
    pairs = []
    for index, directory in enumerate(directories):
        old, new = _documents(directory, "old"), _documents(directory, "new")
        for key in sorted(set(old) & set(new)):
            suffix = f"s{index}"
            pairs.append((f"{directory.name}: {key}", isolate(old[key].data, suffix, True),
                          isolate(new[key].data, suffix, True)))  # fmt: skip
    return pairs


def test_apply_keeps_the_rolling_update_the_apiserver_filled_in(judge: Judge) -> None:
    """rolling-update-kept warns exactly when the patch of an apply is refused, and what it
    says about each way of applying holds."""
    client = judge.client
    pairs = _strategy_pairs()
    assert len(pairs) >= 4
    judge.prepare(old for _, old, _ in pairs)
    problems = []
    for origin, old, new in pairs:
        warned = any(
            f.rule == "rolling-update-kept" for f in check_update(old, new, APISERVER_VERSION)
        )
        name = old["metadata"]["name"]
        path = judge.path_of(old)
        for mode in ("client-side", "server-side"):
            if mode == "client-side":
                created = client.post(path, json=old)
                patch = _three_way(old, new)
                answer = client.patch(f"{path}/{name}", params=DRY_RUN, content=json.dumps(patch),
                                      headers={"Content-Type": "application/strategic-merge-patch+json"})  # fmt: skip
                retained = None
                if old["kind"] == "Deployment":
                    patch["spec"].setdefault("strategy", {})["$retainKeys"] = sorted(
                        k for k, v in new["spec"].get("strategy", {}).items() if v is not None
                    )
                    retained = client.patch(f"{path}/{name}", params=DRY_RUN, content=json.dumps(patch),
                                            headers={"Content-Type": "application/strategic-merge-patch+json"})  # fmt: skip
            else:
                params = {"fieldManager": "podlint-test", "force": "true"}
                created = client.patch(f"{path}/{name}", params=params, content=json.dumps(old),
                                       headers={"Content-Type": "application/apply-patch+yaml"})  # fmt: skip
                answer = client.patch(f"{path}/{name}", params={**params, **DRY_RUN},
                                      content=json.dumps(new),
                                      headers={"Content-Type": "application/apply-patch+yaml"})  # fmt: skip
                retained = None
            assert created.status_code < 300, (origin, mode, created.text[:300])
            refused = answer.status_code >= 300
            client.delete(f"{path}/{name}")
            if mode == "client-side" and refused != warned:
                problems.append(f"{origin}: strategic-merge patch refused={refused}, warned={warned}: "
                                f"{answer.text[:300]}")  # fmt: skip
            if mode == "server-side" and warned and not refused:
                problems.append(f"{origin}: server-side apply accepted a warned change")
            # What the warning says of server-side apply: null does not clear a Deployment's.
            strategy = (new["spec"].get("strategy") or {}) if new["kind"] == "Deployment" else {}
            cleared = "rollingUpdate" in strategy and strategy["rollingUpdate"] is None
            unwritten = "rollingUpdate" not in (old["spec"].get("strategy") or {})
            if mode == "server-side" and cleared and unwritten and not refused:
                problems.append(f"{origin}: server-side apply cleared rollingUpdate with null")
            if retained is not None and retained.status_code >= 300:
                problems.append(
                    f"{origin}: kubectl's patch with $retainKeys refused: {retained.text[:300]}"
                )
    assert not problems, "\n".join(problems)
