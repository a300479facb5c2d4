"""What the apiserver refuses in workload specs: selectors, strategies, Job and CronJob fields.

Workload defaults are applied first: Deployment and DaemonSet strategies default to
RollingUpdate (25%/25% and 1/0), StatefulSets to OrderedReady and RollingUpdate, a pod
template's restartPolicy to Always, progressDeadlineSeconds to 600.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from podlint.checks._api import (
    V1_26,
    V1_27,
    V1_29,
    V1_32,
    V1_33,
    V1_34,
    defaulted,
    is_live,
    items,
    listed,
    mapping,
    quote,
)
from podlint.checks.api_jobs import job_policies
from podlint.checks.api_pod import label_selector
from podlint.checks.api_volumes import claim_spec
from podlint.k8s import formats
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

CONTROLLERS = ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "ReplicationController")


def workload(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    spec = obj.data.get("spec")
    if not isinstance(spec, dict):
        return
    at = obj.at("spec")
    kind = obj.kind
    if kind in CONTROLLERS:
        yield from _controller(obj, spec, at)
    if kind == "Deployment":
        yield from _deployment(spec, at)
    elif kind == "DaemonSet":
        yield from _daemonset(spec, at)
    elif kind == "StatefulSet":
        yield from _statefulset(spec, at, ctx, is_live(obj.data))
    elif kind == "Job":
        yield from _job(
            spec, at, ctx, cron=False, name=_name(obj.data), name_at=obj.at("metadata", "name")
        )
    elif kind == "CronJob":
        yield from _cronjob(spec, at, ctx)


def _template(spec: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    template = mapping(spec.get("template"))
    return mapping(template.get("metadata")), mapping(template.get("spec"))


def _controller(obj: ObjectView, spec: dict[str, Any], at: str) -> Iterator[Finding]:
    meta, pod = _template(spec)
    labels = mapping(meta.get("labels"))
    selector = spec.get("selector")
    if obj.kind == "ReplicationController":
        # An empty selector is defaulted from the template's labels; with none, it stays empty.
        if not selector and spec.get("template") is not None and not labels:
            yield Finding(
                join(at, "selector"),
                "spec.selector: Required value: without a selector the template's labels are "
                "used, and the template has none",
            )
        if (
            isinstance(selector, dict)
            and selector
            and spec.get("template") is not None
            and any(labels.get(k) != v for k, v in selector.items())
        ):
            yield Finding(
                join(at, "template", "metadata", "labels"),
                _not_selected(labels),
            )
    elif isinstance(selector, dict):
        yield from label_selector(selector, join(at, "selector"))
        if not selector.get("matchLabels") and not selector.get("matchExpressions"):
            yield Finding(join(at, "selector"), f"empty selector is invalid for {obj.kind.lower()}")
        elif spec.get("template") is not None and not selector_matches(selector, labels):
            yield Finding(
                join(at, "template", "metadata", "labels"),
                _not_selected(labels),
            )
    if spec.get("template") is None:
        return
    policy = defaulted(pod.get("restartPolicy"), "Always")
    if isinstance(policy, str) and policy != "Always":
        yield Finding(
            join(at, "template", "spec", "restartPolicy"),
            f'{obj.kind} pod template restartPolicy "{policy}" is not supported; '
            'supported values: "Always"',
        )
    if pod.get("activeDeadlineSeconds") is not None:
        yield Finding(
            join(at, "template", "spec", "activeDeadlineSeconds"),
            f"activeDeadlineSeconds in {obj.kind} is not supported",
        )
    # A StatefulSet's revisionHistoryLimit is not validated (a negative one is accepted).
    history = ("revisionHistoryLimit",) if obj.kind in ("Deployment", "DaemonSet") else ()
    for field in ("replicas", "minReadySeconds", *history):
        yield from _non_negative(spec, at, field)


def _not_selected(labels: dict[str, Any]) -> str:
    shown = (
        ", ".join(
            f"{key}={value if isinstance(value, str) else json.dumps(value)}"
            for key, value in labels.items()
        )
        or "none"
    )
    return f"spec.selector does not select the template's labels ({shown})"


def selector_matches(selector: dict[str, Any], labels: dict[str, Any]) -> bool:
    """Whether a LabelSelector selects a set of labels (unknown operators never match)."""
    for key, value in mapping(selector.get("matchLabels")).items():
        if labels.get(key) != value:
            return False
    for _, expression in items(selector.get("matchExpressions")):
        name, operator = expression.get("key"), expression.get("operator")
        if not isinstance(name, str):
            continue  # the schema rule reports it
        values = listed(expression.get("values"))
        if operator == "In" and (name not in labels or labels[name] not in values):
            return False
        if operator == "NotIn" and name in labels and labels[name] in values:
            return False
        if operator == "Exists" and name not in labels:
            return False
        if operator == "DoesNotExist" and name in labels:
            return False
    return True


def _non_negative(spec: dict[str, Any], at: str, field: str) -> Iterator[Finding]:
    value = spec.get(field)
    if formats.is_int(value) and value < 0:
        yield Finding(join(at, field), f"spec.{field} {value} must be greater than or equal to 0")


def _int_or_percent(value: Any, at: str, where: str) -> Iterator[Finding]:
    if formats.is_int(value) and value < 0:
        yield Finding(at, f"{where} {value} must be greater than or equal to 0")
    elif isinstance(value, str):
        if not formats.is_percent(value):
            yield Finding(
                at, f'{where} "{value}" must be an integer or percentage (e.g. 5 or "5%")'
            )
        elif int(value[:-1]) > 100:
            yield Finding(at, f'{where} "{value}" must not be greater than 100%')


def _or_default(value: Any, default: Any) -> Any:
    return default if value is None else value


def _is_zero(value: Any) -> bool:
    return bool(value == 0 or value == "0%")


def _deployment(spec: dict[str, Any], at: str) -> Iterator[Finding]:
    strategy = spec.get("strategy")
    s_at = join(at, "strategy")
    if isinstance(strategy, dict):
        kind = defaulted(strategy.get("type"), "RollingUpdate")
        rolling = strategy.get("rollingUpdate")
        if kind not in ("Recreate", "RollingUpdate"):
            yield Finding(
                join(s_at, "type"),
                f'strategy type "{kind}" is not supported; supported values: "Recreate", '
                f'"RollingUpdate"',
            )
        elif kind == "Recreate" and rolling is not None:
            yield Finding(
                join(s_at, "rollingUpdate"),
                "rollingUpdate may not be specified when strategy type is 'Recreate'",
            )
        elif kind == "RollingUpdate" and isinstance(rolling, dict):
            r_at = join(s_at, "rollingUpdate")
            # IntOrString: only a missing value is defaulted, "" is a string
            unavailable = _or_default(rolling.get("maxUnavailable"), "25%")
            surge = _or_default(rolling.get("maxSurge"), "25%")
            yield from _int_or_percent(unavailable, join(r_at, "maxUnavailable"), "maxUnavailable")
            if isinstance(surge, str) and formats.is_percent(surge):
                pass  # maxSurge may exceed 100%
            else:
                yield from _int_or_percent(surge, join(r_at, "maxSurge"), "maxSurge")
            if _is_zero(unavailable) and _is_zero(surge):
                yield Finding(
                    join(r_at, "maxUnavailable"), "maxUnavailable may not be 0 when maxSurge is 0"
                )
    yield from _non_negative(spec, at, "progressDeadlineSeconds")
    deadline = defaulted(spec.get("progressDeadlineSeconds"), 600)
    ready = spec.get("minReadySeconds") or 0
    if formats.is_int(deadline) and formats.is_int(ready) and deadline <= ready:
        yield Finding(
            join(at, "progressDeadlineSeconds"),
            f"progressDeadlineSeconds {deadline} must be greater than minReadySeconds {ready}",
        )


def _daemonset(spec: dict[str, Any], at: str) -> Iterator[Finding]:
    strategy = spec.get("updateStrategy")
    if not isinstance(strategy, dict):
        return
    s_at = join(at, "updateStrategy")
    kind = defaulted(strategy.get("type"), "RollingUpdate")
    if kind not in ("RollingUpdate", "OnDelete"):
        yield Finding(
            join(s_at, "type"),
            f'updateStrategy type "{kind}" is not supported; supported values: "OnDelete", '
            f'"RollingUpdate"',
        )
        return
    rolling = strategy.get("rollingUpdate")
    if kind != "RollingUpdate" or not isinstance(rolling, dict):
        return
    r_at = join(s_at, "rollingUpdate")
    unavailable = _or_default(rolling.get("maxUnavailable"), 1)
    surge = _or_default(rolling.get("maxSurge"), 0)
    yield from _int_or_percent(unavailable, join(r_at, "maxUnavailable"), "maxUnavailable")
    yield from _int_or_percent(surge, join(r_at, "maxSurge"), "maxSurge")
    if _is_zero(unavailable) and _is_zero(surge):
        yield Finding(join(r_at, "maxUnavailable"), "maxUnavailable cannot be 0 when maxSurge is 0")
    elif not _is_zero(unavailable) and not _is_zero(surge):
        yield Finding(
            join(r_at, "maxSurge"), "maxSurge may not be set when maxUnavailable is non-zero"
        )


def _statefulset(spec: dict[str, Any], at: str, ctx: RuleContext, live: bool) -> Iterator[Finding]:
    policy = defaulted(spec.get("podManagementPolicy"), "OrderedReady")
    if policy not in ("OrderedReady", "Parallel"):
        yield Finding(
            join(at, "podManagementPolicy"),
            f"podManagementPolicy \"{policy}\" must be 'OrderedReady' or 'Parallel'",
        )
    strategy = spec.get("updateStrategy")
    if isinstance(strategy, dict):
        s_at = join(at, "updateStrategy")
        kind = defaulted(strategy.get("type"), "RollingUpdate")
        rolling = strategy.get("rollingUpdate")
        if kind not in ("RollingUpdate", "OnDelete"):
            yield Finding(
                join(s_at, "type"),
                f"updateStrategy type \"{kind}\" must be 'RollingUpdate' or 'OnDelete'",
            )
        elif kind == "OnDelete" and rolling is not None:
            yield Finding(
                join(s_at, "rollingUpdate"),
                "rollingUpdate is only allowed for updateStrategy 'RollingUpdate'",
            )
        elif isinstance(rolling, dict):
            r_at = join(s_at, "rollingUpdate")
            yield from _non_negative(rolling, r_at, "partition")
            unavailable = rolling.get("maxUnavailable")
            if unavailable is not None:
                u_at = join(r_at, "maxUnavailable")
                yield from _int_or_percent(unavailable, u_at, "maxUnavailable")
                if _is_zero(unavailable):
                    yield Finding(u_at, "maxUnavailable cannot be 0")
    ordinals = spec.get("ordinals")
    if isinstance(ordinals, dict):
        yield from _non_negative(ordinals, join(at, "ordinals"), "start")
    # StatefulSetAutoDeletePVC is on by default from 1.27; before, the policy is dropped.
    retention = mapping(spec.get("persistentVolumeClaimRetentionPolicy"))
    if ctx.kubernetes_version < V1_27:
        retention = {}
    for field in ("whenDeleted", "whenScaled"):
        value = retention.get(field)
        if isinstance(value, str) and value and value not in ("Retain", "Delete"):
            yield Finding(
                join(at, "persistentVolumeClaimRetentionPolicy", field),
                f'{field} "{value}" is not supported; supported values: "Retain", "Delete"',
            )
    if ctx.kubernetes_version >= V1_34:  # claim templates are validated as claims from 1.34
        for index, claim in items(spec.get("volumeClaimTemplates")):
            c_at = join(at, "volumeClaimTemplates", index)
            name = mapping(claim.get("metadata")).get("name")
            # Each template becomes a pod volume of its name, validated as one.
            if name is None or name == "":
                yield Finding(
                    join(c_at, "metadata", "name"),
                    f"volumeClaimTemplates[{index}]: metadata.name is required (it names the "
                    "pod volume of the claim)",
                )
            elif isinstance(name, str):
                for problem in formats.dns1123_label(name):
                    yield Finding(
                        join(c_at, "metadata", "name"),
                        f'volumeClaimTemplate name "{name}" (the name of a pod volume) {problem}',
                    )
            claim_of = claim.get("spec")
            yield from claim_spec(
                {} if claim_of is None else claim_of,  # null decodes as an empty spec
                join(c_at, "spec"),
                f'volumeClaimTemplate "{name}"',
            )
    service = spec.get("serviceName")
    # Checked on create only: existing StatefulSets keep the names they have.
    if isinstance(service, str) and service and ctx.kubernetes_version >= V1_33 and not live:
        for problem in formats.dns1123_label(service):
            yield Finding(join(at, "serviceName"), f'serviceName "{service}" {problem}')


JOB_COUNTERS = ("parallelism", "completions", "activeDeadlineSeconds", "backoffLimit",
                "ttlSecondsAfterFinished", "backoffLimitPerIndex", "maxFailedIndexes")  # fmt: skip


def _name(data: dict[str, Any]) -> str | None:
    name = mapping(data.get("metadata")).get("name")
    return name if isinstance(name, str) and name else None


def _job(
    spec: dict[str, Any],
    at: str,
    ctx: RuleContext,
    cron: bool,
    name: str | None = None,
    name_at: str = "",
) -> Iterator[Finding]:
    for field in JOB_COUNTERS:
        yield from _non_negative(spec, at, field)
    mode = defaulted(spec.get("completionMode"), "NonIndexed")
    if mode not in ("NonIndexed", "Indexed"):
        yield Finding(
            join(at, "completionMode"),
            f'completionMode "{mode}" is not supported; supported values: "NonIndexed", "Indexed"',
        )
    elif (
        mode == "Indexed"
        and spec.get("completions") is None
        # Defaulting sets completions (and parallelism) to 1 when neither is given.
        and spec.get("parallelism") is not None
    ):
        yield Finding(
            join(at, "completions"), "completions is required when completionMode is Indexed"
        )
    elif mode == "NonIndexed" and ctx.kubernetes_version >= V1_29:
        # JobBackoffLimitPerIndex is on by default from 1.29; before, the fields are dropped.
        for field in ("backoffLimitPerIndex", "maxFailedIndexes"):
            if spec.get(field) is not None:
                yield Finding(join(at, field), f"{field} requires indexed completion mode")
    if (
        spec.get("maxFailedIndexes") is not None
        and spec.get("backoffLimitPerIndex") is None
        and ctx.kubernetes_version >= V1_29
    ):
        yield Finding(
            join(at, "backoffLimitPerIndex"),
            "backoffLimitPerIndex is required when maxFailedIndexes is set",
        )
    if ctx.kubernetes_version >= V1_33:  # checked against the 1.35 apiserver
        yield from job_policies(spec, at, mode == "Indexed")
    completions = spec.get("completions")
    if mode == "Indexed" and name and formats.is_int(completions) and completions > 0:
        hostname = f"{name}-{completions - 1}"
        if formats.dns1123_label(hostname):
            # Indexed Pods are named, and their hostnames set, after the Job and the index.
            yield Finding(
                name_at,
                f'Job name "{name}" makes the invalid pod hostname "{hostname}" (a DNS label)',
            )
    managed = spec.get("managedBy")
    # JobManagedBy is on by default from 1.32; before, the field is dropped.
    if isinstance(managed, str) and len(managed) > 63 and ctx.kubernetes_version >= V1_32:
        yield Finding(
            join(at, "managedBy"),
            f"managedBy must be no more than 63 characters (has {len(managed)})",
        )
    if cron:
        if spec.get("selector") is not None:
            yield Finding(
                join(at, "selector"), "selector will be auto-generated; do not set it in a CronJob"
            )
        if spec.get("manualSelector") is True:
            yield Finding(
                join(at, "manualSelector"),
                'manualSelector "true" is not supported; supported values: nil, false',
            )
    elif spec.get("manualSelector") is not True:
        if isinstance(spec.get("selector"), dict):
            yield from label_selector(spec["selector"], join(at, "selector"))
        yield from _generated_selector(spec, at, name)
    elif spec.get("selector") is None:
        yield Finding(join(at, "selector"), "selector is required when manualSelector is true")
    elif isinstance(spec.get("selector"), dict):
        meta, _ = _template(spec)
        if not selector_matches(spec["selector"], mapping(meta.get("labels"))):
            yield Finding(
                join(at, "template", "metadata", "labels"),
                _not_selected(mapping(meta.get("labels"))),
            )
    if spec.get("template") is None:
        return
    _, pod = _template(spec)
    policy = defaulted(pod.get("restartPolicy"), "Always")
    p_at = join(at, "template", "spec", "restartPolicy")
    if policy == "Always":
        yield Finding(
            p_at, 'a Job pod template needs restartPolicy "OnFailure" or "Never" (Required value)'
        )
    elif isinstance(policy, str) and policy not in ("OnFailure", "Never"):
        yield Finding(
            p_at,
            f'restartPolicy "{policy}" is not supported; supported values: "OnFailure", "Never"',
        )
    elif (
        spec.get("podFailurePolicy") is not None
        and policy != "Never"
        and ctx.kubernetes_version >= V1_26  # JobPodFailurePolicy is on from 1.26
    ):
        yield Finding(p_at, 'restartPolicy must be "Never" when podFailurePolicy is specified')


_UID_LABELS = ("controller-uid", "batch.kubernetes.io/controller-uid")
_NAME_LABELS = ("job-name", "batch.kubernetes.io/job-name")


class _Unknown:
    """The Job's uid, which the apiserver assigns: no value written in a manifest equals it."""


def _generated_selector(spec: dict[str, Any], at: str, name: str | None) -> Iterator[Finding]:
    """Without manualSelector the apiserver labels the pod template with the Job's uid and name
    and adds the uid to the selector's matchLabels; a selector the user wrote is kept only when
    it still selects exactly those generated labels."""
    meta, _ = _template(spec)
    labels = dict(mapping(meta.get("labels")))
    l_at = join(at, "template", "metadata", "labels")
    for key in _UID_LABELS:
        if key in labels:
            yield Finding(join(l_at, key), f'label "{key}" is set by the apiserver; remove it')
        labels[key] = _Unknown
    for key in _NAME_LABELS:
        if name is not None and key in labels and labels[key] != name:
            yield Finding(join(l_at, key), f'label "{key}" must be the Job\'s name "{name}"')
        labels.setdefault(key, name)
    selector = spec.get("selector")
    # With only a generateName, the name the labels get is not known yet.
    if name is None or not isinstance(selector, dict) or not _operators_known(selector):
        return
    generated = {key: _Unknown for key in _UID_LABELS} | {key: name for key in _NAME_LABELS}
    if not selector_matches(selector, generated):
        yield Finding(
            join(at, "selector"),
            "selector is not auto-generated: it must select only the labels the apiserver "
            "generates (job-name, controller-uid); set manualSelector: true, or remove the "
            "selector",
        )
    elif not selector_matches(selector, labels):
        yield Finding(l_at, _not_selected(mapping(meta.get("labels"))))


def _operators_known(selector: dict[str, Any]) -> bool:
    return all(
        expression.get("operator") in ("In", "NotIn", "Exists", "DoesNotExist")
        for _, expression in items(selector.get("matchExpressions"))
    )


def _cronjob(spec: dict[str, Any], at: str, ctx: RuleContext) -> Iterator[Finding]:
    schedule = spec.get("schedule")
    if isinstance(schedule, str):
        if re.search(r"(^|\s)(CRON_)?TZ=", schedule):
            # Refused from 1.27; before, the cron parser read a TZ= prefix.
            if ctx.kubernetes_version >= V1_27:
                yield Finding(
                    join(at, "schedule"),
                    "cannot use TZ or CRON_TZ in schedule, use the timeZone field instead",
                )
        else:
            problem = cron_problem(schedule)
            if problem:
                yield Finding(join(at, "schedule"), f'schedule "{schedule}": {problem}')
    zone = spec.get("timeZone")
    if isinstance(zone, str) and (not zone or zone.lower() == "local" or not _zone_ok(zone)):
        yield Finding(join(at, "timeZone"), f'timeZone "{zone}" is not a valid IANA time zone name')
    policy = spec.get("concurrencyPolicy")
    if isinstance(policy, str) and policy and policy not in ("Allow", "Forbid", "Replace"):
        yield Finding(
            join(at, "concurrencyPolicy"),
            f'concurrencyPolicy "{policy}" is not supported; supported values: "Allow", '
            f'"Forbid", "Replace"',
        )
    for field in (
        "startingDeadlineSeconds",
        "successfulJobsHistoryLimit",
        "failedJobsHistoryLimit",
    ):
        yield from _non_negative(spec, at, field)
    job = mapping(spec.get("jobTemplate"))
    job_spec = job.get("spec")
    if isinstance(job_spec, dict):
        yield from _job(job_spec, join(at, "jobTemplate", "spec"), ctx, cron=True)


def _zone_ok(zone: str) -> bool:
    zones = _time_zones()
    if zones:
        return zone in zones
    # No tz database here: accept any IANA-shaped name rather than guess.
    return bool(re.match(r"^[A-Za-z0-9_+-]+(/[A-Za-z0-9_+-]+)*$", zone))


@cache
def _time_zones() -> frozenset[str]:
    """The IANA zone names of the tz database (the ``tzdata`` dependency ships one)."""
    from zoneinfo import available_timezones

    return frozenset(available_timezones())


_DESCRIPTORS = ("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_DAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat")
_FIELDS = (("minute", 0, 59, ()), ("hour", 0, 23, ()), ("day of month", 1, 31, ()),
           ("month", 1, 12, _MONTHS), ("day of week", 0, 7, _DAYS))  # fmt: skip


def cron_problem(schedule: str) -> str | None:
    """Why a standard cron schedule does not parse, or None when it does."""
    text = schedule.strip()
    if text.startswith("@"):
        if text in _DESCRIPTORS or re.match(r"^@every\s+\S+$", text):
            return None
        return f'unrecognized descriptor "{text}"'
    fields = text.split()
    if len(fields) != 5:
        return f"expected exactly 5 fields, found {len(fields)}"
    for value, (name, low, high, names) in zip(fields, _FIELDS, strict=False):
        for part in value.split(","):
            problem = _cron_part(part, low, high, names)
            if problem:
                return f"{name} field: {problem}"
    return None


def _cron_part(part: str, low: int, high: int, names: tuple[str, ...]) -> str | None:
    range_part, _, step = part.partition("/")
    if step and (not step.isdigit() or int(step) == 0):
        return f'invalid step "{step}"'
    if range_part in ("*", "?"):
        return None
    bounds = range_part.split("-")
    if len(bounds) > 2 or not all(bounds):
        return f'invalid range "{range_part}"'
    numbers = []
    for bound in bounds:
        if bound.isdigit():
            numbers.append(int(bound))
        elif bound.lower() in names:
            numbers.append(names.index(bound.lower()) + (1 if names is _MONTHS else 0))
        else:
            return f'"{bound}" is not a number'
    if any(not low <= n <= high for n in numbers):
        return f"value out of range {low}-{high}"
    if len(numbers) == 2 and numbers[0] > numbers[1]:
        return f"beginning of range ({numbers[0]}) beyond end of range ({numbers[1]})"
    return None


__all__ = ["cron_problem", "quote", "selector_matches", "workload"]
