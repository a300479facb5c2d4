"""Ask the real kube-apiserver whether it accepts an update, and ask ``check_update`` the same.

An *update case* is a pair of versions of one object. The apiserver judges it for real: the
old version is created (not a dry run), the new one is sent as a dry-run replace (``PUT``,
``dryRun=All``, ``fieldValidation=Strict``), and the old object is deleted again.

What is sent is what ``kubectl apply`` makes of the live object, not the bare manifest: the
apiserver fills in fields on create (a Job's generated selector and labels, the
ServiceAccount token volume of a Pod, defaults), and an apply keeps every live field that
neither manifest names. ``applied`` computes that body (as a strategic merge would, with
list items matched by position and items the apiserver appended kept); a bare ``PUT`` of the
manifest is ``kubectl replace``, which would refuse most changes for dropping those fields. The new
version is also sent alone, as a dry-run create under another name, so that a refusal of
the new object itself (which the create-time tier measures) is told apart from a refusal of
the change. podlint judges the pair by ``check_update``'s errors at v1.35 together with the
rejecting errors of a plain lint of the new version.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from podlint.engine import Engine
from podlint.model.finding import Severity
from podlint.update import check_update
from tests.cluster.apiserver import (
    APISERVER_VERSION,
    DRY_RUN,
    Case,
    Judge,
    Opinion,
    Verdict,
    fields_agree,
    podlint_opinion,
    verdict_of,
)

NAMESPACE = "updates"
_PV_SOURCES = frozenset({"hostPath", "local", "nfs", "csi", "iscsi", "fc", "cephfs", "rbd"})


@dataclass(frozen=True)
class UpdateCase:
    origin: str
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass(frozen=True)
class UpdateVerdict:
    """What the apiserver said: to creating the old version, to the new one alone, and to
    the update (None when the old version could not be created)."""

    created: Verdict
    alone: Verdict | None = None
    update: Verdict | None = None


def isolate(obj: dict[str, Any], suffix: str, namespaced: bool) -> dict[str, Any]:
    """A copy with a name of its own (and the test namespace), so that cases never meet."""
    result = copy.deepcopy(obj)
    meta = result.setdefault("metadata", {})
    meta["name"] = f"{meta.get('name', 'object')}-{suffix}"
    if namespaced:
        meta["namespace"] = NAMESPACE
    else:
        meta.pop("namespace", None)
    return result


def applied(live: Any, old: Any, new: Any) -> Any:
    """The live object after an apply that moves from manifest ``old`` to manifest ``new``:
    what ``new`` says, nothing ``old`` said that ``new`` dropped, and every live field that
    neither names (filled in by the apiserver). List items are matched by position; items the
    apiserver appended after those of the old manifest are kept."""
    if isinstance(new, dict):
        live_map = live if isinstance(live, dict) else {}
        old_map = old if isinstance(old, dict) else {}
        result = {key: applied(live_map.get(key), old_map.get(key), value)
                  for key, value in new.items()}  # fmt: skip
        for key, value in live_map.items():
            if key not in new and key not in old_map:
                result[key] = value
        return result
    if isinstance(new, list) and isinstance(live, list) and isinstance(old, list):
        items = [
            applied(live[i], old[i], item) if i < len(old) and i < len(live) else item
            for i, item in enumerate(new)
        ]
        return items + live[len(old) :]
    return new


@dataclass
class UpdateJudge:
    judge: Judge

    def namespaced(self, obj: dict[str, Any]) -> bool:
        return self.judge.resources[(obj["apiVersion"], obj["kind"])][1]

    def serves(self, case: UpdateCase) -> bool:
        return self.judge.serves(case.old) and self.judge.serves(case.new)

    def run(self, case: UpdateCase) -> UpdateVerdict:
        client = self.judge.client
        old, new = case.old, case.new
        path = self.judge.path_of(old)
        name = old["metadata"]["name"]
        answer = client.post(path, json=old)
        created = verdict_of(answer)
        if not created.accepted:
            return UpdateVerdict(created)
        created_object = answer.json()
        created_object.get("metadata", {}).pop("managedFields", None)
        try:
            alone = copy.deepcopy(new)
            alone["metadata"]["name"] = name + "-alone"
            alone_verdict = verdict_of(client.post(path, params=DRY_RUN, json=alone))
            body = applied(created_object, old, new)
            update = verdict_of(client.put(f"{path}/{name}", params=DRY_RUN, json=body))
        finally:
            client.delete(f"{path}/{name}")
        return UpdateVerdict(created, alone_verdict, update)

    def run_all(self, cases: Sequence[UpdateCase]) -> list[UpdateVerdict]:
        self.judge.prepare([c.old for c in cases] + [c.new for c in cases])
        with ThreadPoolExecutor(self.judge.workers) as pool:
            return list(pool.map(self.run, cases))


def update_opinion(engine: Engine, case: UpdateCase) -> Opinion:
    found = check_update(case.old, case.new, APISERVER_VERSION)
    errors = tuple((f.rule, f.pointer, f.message) for f in found if f.severity is Severity.ERROR)
    text = json.dumps(case.new, indent=1) + "\n"
    return Opinion(errors + podlint_opinion(engine, Case(case.origin, text)).errors)


def _as_named(pointer: str) -> str:
    """The field the apiserver names for a place podlint points at, where the two differ by
    construction: a Secret's ``stringData`` is merged into ``data`` before validation, and a
    PersistentVolume's source (``spec.nfs``, ``spec.local``, ...) is named by the Go field that
    embeds it, ``spec.persistentvolumesource``."""
    if pointer.startswith("/stringData"):
        return "/data" + pointer[len("/stringData") :]
    parts = pointer.split("/")
    if len(parts) > 2 and parts[1] == "spec" and parts[2] in _PV_SOURCES:
        return "/spec/persistentvolumesource"
    return pointer


@dataclass(frozen=True)
class UpdateOutcome:
    case: UpdateCase
    verdict: UpdateVerdict
    opinion: Opinion

    @property
    def judged(self) -> bool:
        """The old version was created and the new one is valid on its own: the update's
        verdict is about the change."""
        alone = self.verdict.alone
        return self.verdict.update is not None and alone is not None and alone.accepted

    @property
    def refused(self) -> bool:
        update = self.verdict.update
        return update is not None and not update.accepted

    @property
    def false_rejection(self) -> bool:
        return self.judged and not self.refused and not self.opinion.accepted

    @property
    def miss(self) -> bool:
        return self.judged and self.refused and self.opinion.accepted

    @property
    def fields_agree(self) -> bool:
        update = self.verdict.update
        if not self.judged or not self.refused or self.opinion.accepted or update is None:
            return True
        if not update.fields:
            return True
        ours = (_as_named(pointer) for _, pointer, _ in self.opinion.errors)
        return fields_agree(ours, update.fields)

    def describe(self) -> str:
        if self.false_rejection:
            said = "; ".join(f"{r}: {p}: {m[:200]}" for r, p, m in self.opinion.errors[:2])
            return f"{self.case.origin}: the apiserver accepts the update, podlint says {said}"
        update = self.verdict.update
        message = update.message[:300] if update else ""
        return f"{self.case.origin}: the apiserver refuses the update: {message}"
