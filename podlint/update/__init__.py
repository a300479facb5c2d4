"""Update validation: what the apiserver refuses when an existing object is changed.

The library entry point is pure and takes plain data, as an admission webhook receives it
(``request.oldObject`` and ``request.object``) or as two manifests are read::

    check_update(
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        kubernetes_version: KubeVersion = LATEST,
        *,
        rules: Collection[str] | None = None,
    ) -> list[Finding]

It returns one ``Finding`` per change the apiserver would refuse, with ``rule`` set to an
``immutable-*`` id and ``severity`` error, and one warning (``rolling-update-kept``) per
change that an apply of the new manifest would turn into a refused one; each has ``pointer``
the RFC 6901 pointer of the changed field in ``new`` (or of the place a removed field was),
and a message that names the field, its old value, what the apiserver answers and what to do
instead. ``path``, ``span`` and the object
identity are left empty: callers that read ``new`` from a file stamp them (the ``podlint
diff`` and ``podlint lint --base`` commands do, from the new document's locator). ``rules``
limits the run to some ids. Nothing is read, printed or logged.

The two objects are compared as the apiserver does after defaulting: empty and absent are
equal, quantities compare by value, and a field written on one side only is compared with
its default (``podlint.update.defaults``). ``status`` is never compared.

The rule cards (``rules/immutable-*.yaml``) name checks in ``podlint.checks.immutable``,
which run only when the engine hands them an :class:`~podlint.update.view.UpdateView`
(an object together with its previous version); a plain lint of one object yields nothing
for them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Mapping
from typing import Any

from podlint.model.finding import Finding, Severity
from podlint.model.version import LATEST, KubeVersion
from podlint.update.config import immutable_data, secret_type
from podlint.update.metadata import metadata
from podlint.update.pod import pod_spec
from podlint.update.rbac import role_ref
from podlint.update.service import service_spec
from podlint.update.storage import claim_spec, volume_spec
from podlint.update.strategy import kept_rolling_update
from podlint.update.workloads import job_spec, job_template, selector, statefulset_spec

UpdateCheck = Callable[[dict[str, Any], dict[str, Any], KubeVersion, str], Iterator[Finding]]

# Rule id -> the pure function behind it (the cards' checks delegate to the same functions).
UPDATE_RULES: dict[str, UpdateCheck] = {
    "immutable-metadata": metadata,
    "immutable-pod-spec": pod_spec,
    "immutable-selector": selector,
    "immutable-statefulset-spec": statefulset_spec,
    "immutable-job-spec": job_spec,
    "immutable-job-template": job_template,
    "immutable-config-data": immutable_data,
    "immutable-secret-type": secret_type,
    "immutable-pvc-spec": claim_spec,
    "immutable-pv-spec": volume_spec,
    "immutable-role-ref": role_ref,
    "immutable-service-spec": service_spec,
    "rolling-update-kept": kept_rolling_update,
}
# Update rules whose findings are warnings: what an apply may turn into a refusal.
UPDATE_WARNINGS = frozenset({"rolling-update-kept"})


def check_update(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    kubernetes_version: KubeVersion = LATEST,
    *,
    rules: Collection[str] | None = None,
) -> list[Finding]:
    """Findings for updating ``old`` to ``new`` (see the module documentation)."""
    old_data, new_data = dict(old), dict(new)
    findings: list[Finding] = []
    for rule_id, check in UPDATE_RULES.items():
        if rules is not None and rule_id not in rules:
            continue
        for finding in check(old_data, new_data, kubernetes_version, ""):
            severity = Severity.WARNING if rule_id in UPDATE_WARNINGS else Severity.ERROR
            findings.append(
                Finding(finding.pointer, finding.message, finding.key, rule_id, severity)
            )
    return findings


__all__ = ["UPDATE_RULES", "UPDATE_WARNINGS", "check_update"]
