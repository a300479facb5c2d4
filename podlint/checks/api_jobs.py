"""What the apiserver refuses in a Job's failure and success policies and indexed limits.

Part of the api-workload rule (called for a Job's spec and a CronJob's job template).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Any

from podlint.checks._api import items, listed, mapping, quote
from podlint.k8s import formats
from podlint.lazyre import LazyPattern
from podlint.model.finding import Finding
from podlint.model.pointer import join

ACTIONS = ("Count", "FailIndex", "FailJob", "Ignore")
EXIT_CODE_OPERATORS = ("In", "NotIn")
CONDITION_STATUSES = ("False", "True", "Unknown")
REPLACEMENT_POLICIES = ("Failed", "TerminatingOrFailed")
MAX_POLICY_RULES = 20
MAX_EXIT_CODES = 255
MAX_CONDITION_PATTERNS = 20
MAX_SUCCESS_RULES = 20
MAX_INDEXES_TEXT = 64 * 1024
MAX_INDEXED_PARALLELISM = 100_000
MAX_FAILED_INDEXES = 100_000
COMPLETIONS_SOFT_LIMIT = 100_000
HIGH_COMPLETIONS_LIMIT = 10_000
_PATH_CHARACTERS = LazyPattern(r"^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]*$")


def job_policies(spec: dict[str, Any], at: str, indexed: bool) -> Iterator[Finding]:
    yield from _indexed_limits(spec, at, indexed)
    yield from _managed_by(spec, at)
    policy = spec.get("podFailurePolicy")
    if isinstance(policy, dict):
        yield from _pod_failure_policy(spec, policy, join(at, "podFailurePolicy"))
    success = spec.get("successPolicy")
    if isinstance(success, dict):
        if not indexed:
            yield Finding(
                join(at, "successPolicy"), "successPolicy requires indexed completion mode"
            )
        else:
            yield from _success_policy(spec, success, join(at, "successPolicy"))
    replacement = spec.get("podReplacementPolicy")
    if isinstance(replacement, str):
        allowed = ("Failed",) if isinstance(policy, dict) else REPLACEMENT_POLICIES
        if replacement not in allowed:
            yield Finding(
                join(at, "podReplacementPolicy"),
                f'podReplacementPolicy "{replacement}" is not supported; supported values: '
                f"{quote(allowed)}" + (" (with a podFailurePolicy)" if len(allowed) == 1 else ""),
            )


def _int(value: Any) -> int | None:
    return value if formats.is_int(value) else None


def _indexed_limits(spec: dict[str, Any], at: str, indexed: bool) -> Iterator[Finding]:
    if not indexed:
        return
    completions = _int(spec.get("completions"))
    parallelism = _int(spec.get("parallelism"))
    failed = _int(spec.get("maxFailedIndexes"))
    if parallelism is not None and parallelism > MAX_INDEXED_PARALLELISM:
        yield Finding(
            join(at, "parallelism"),
            f"parallelism {parallelism} must be less than or equal to "
            f"{MAX_INDEXED_PARALLELISM} when completion mode is Indexed",
        )
    if completions is not None and failed is not None and failed > completions:
        yield Finding(
            join(at, "maxFailedIndexes"),
            f"maxFailedIndexes {failed} must be less than or equal to completions",
        )
    if failed is not None and failed > MAX_FAILED_INDEXES:
        yield Finding(
            join(at, "maxFailedIndexes"),
            f"maxFailedIndexes {failed} must be less than or equal to {MAX_FAILED_INDEXES}",
        )
    if (
        completions is not None
        and completions > COMPLETIONS_SOFT_LIMIT
        and spec.get("backoffLimitPerIndex") is not None
    ):
        high = f"when completions are above {COMPLETIONS_SOFT_LIMIT} with backoffLimitPerIndex"
        if spec.get("maxFailedIndexes") is None:
            yield Finding(join(at, "maxFailedIndexes"), f"maxFailedIndexes is required {high}")
        if parallelism is not None and parallelism > HIGH_COMPLETIONS_LIMIT:
            yield Finding(
                join(at, "parallelism"),
                f"parallelism must be less than or equal to {HIGH_COMPLETIONS_LIMIT} {high}",
            )
        if failed is not None and failed > HIGH_COMPLETIONS_LIMIT:
            yield Finding(
                join(at, "maxFailedIndexes"),
                f"maxFailedIndexes must be less than or equal to {HIGH_COMPLETIONS_LIMIT} {high}",
            )


def _managed_by(spec: dict[str, Any], at: str) -> Iterator[Finding]:
    managed = spec.get("managedBy")
    if not isinstance(managed, str):
        return
    domain, slash, path = managed.partition("/")
    problems = formats.dns1123_subdomain(domain) if domain else ["must not be empty"]
    if not slash or not domain or not path or problems or not _PATH_CHARACTERS.match(path):
        yield Finding(
            join(at, "managedBy"),
            f'managedBy "{managed}" must be a domain-prefixed path (such as "acme.io/foo")',
        )


def _pod_failure_policy(spec: dict[str, Any], policy: dict[str, Any], at: str) -> Iterator[Finding]:
    rules = listed(policy.get("rules"))
    r_at = join(at, "rules")
    if len(rules) > MAX_POLICY_RULES:
        yield Finding(r_at, f"podFailurePolicy may have at most {MAX_POLICY_RULES} rules")
    template = mapping(mapping(spec.get("template")).get("spec"))
    names = {
        c.get("name")
        for key in ("containers", "initContainers")
        for _, c in items(template.get(key))
    }
    for index, rule in items(rules):
        yield from _failure_rule(spec, rule, join(r_at, index), names)


def _failure_rule(
    spec: dict[str, Any], rule: dict[str, Any], at: str, names: set[Any]
) -> Iterator[Finding]:
    action = rule.get("action")
    a_at = join(at, "action")
    if action in (None, ""):
        yield Finding(a_at, f"action is required; supported values: {quote(ACTIONS)}")
    elif action == "FailIndex" and spec.get("backoffLimitPerIndex") is None:
        yield Finding(a_at, 'action "FailIndex" requires backoffLimitPerIndex to be set')
    elif isinstance(action, str) and action not in ACTIONS:
        yield Finding(
            a_at, f'action "{action}" is not supported; supported values: {quote(ACTIONS)}'
        )
    codes = rule.get("onExitCodes")
    conditions = listed(rule.get("onPodConditions"))
    if isinstance(codes, dict):
        yield from _exit_codes(codes, join(at, "onExitCodes"), names)
    yield from _conditions(conditions, join(at, "onPodConditions"))
    if isinstance(codes, dict) and conditions:
        yield Finding(at, "specifying both onExitCodes and onPodConditions is not supported")
    if not isinstance(codes, dict) and not conditions:
        yield Finding(at, "one of onExitCodes and onPodConditions is required")


def _exit_codes(codes: dict[str, Any], at: str, names: set[Any]) -> Iterator[Finding]:
    operator = codes.get("operator")
    if operator in (None, ""):
        yield Finding(
            join(at, "operator"),
            f"operator is required; supported values: {quote(EXIT_CODE_OPERATORS)}",
        )
    elif isinstance(operator, str) and operator not in EXIT_CODE_OPERATORS:
        yield Finding(
            join(at, "operator"),
            f'operator "{operator}" is not supported; supported values: '
            f"{quote(EXIT_CODE_OPERATORS)}",
        )
    container = codes.get("containerName")
    if isinstance(container, str) and container not in names:
        yield Finding(
            join(at, "containerName"),
            f'containerName "{container}" must be one of the container or initContainer names '
            "in the pod template",
        )
    listed_values = [0 if v is None else v for v in listed(codes.get("values"))]  # null is 0
    values = [v for v in listed_values if formats.is_int(v)]
    v_at = join(at, "values")
    if not listed_values:
        yield Finding(v_at, "at least one exit code value is required")
    elif len(listed_values) > MAX_EXIT_CODES:
        yield Finding(v_at, f"at most {MAX_EXIT_CODES} exit code values are allowed")
    seen: set[int] = set()
    for index, value in enumerate(listed_values):
        if not formats.is_int(value):
            continue
        if operator == "In" and value == 0:
            yield Finding(join(v_at, index), "exit code 0 is not allowed with the In operator")
        if value in seen:
            yield Finding(join(v_at, index), f"exit code {value} is listed twice")
        seen.add(value)
    if any(a > b for a, b in itertools.pairwise(values)):
        yield Finding(v_at, "exit code values must be ordered")


def _conditions(conditions: list[Any], at: str) -> Iterator[Finding]:
    if len(conditions) > MAX_CONDITION_PATTERNS:
        yield Finding(at, f"at most {MAX_CONDITION_PATTERNS} onPodConditions are allowed")
    for index, pattern in items(conditions):
        p_at = join(at, index)
        kind = pattern.get("type")
        if isinstance(kind, str) or kind is None:
            for problem in formats.qualified_name(kind or ""):
                yield Finding(join(p_at, "type"), f'condition type "{kind or ""}": {problem}')
        status = pattern.get("status")  # defaulted to "True" when unset
        if isinstance(status, str) and status and status not in CONDITION_STATUSES:
            yield Finding(
                join(p_at, "status"),
                f'status "{status}" is not supported; supported values: '
                f"{quote(CONDITION_STATUSES)}",
            )


def _success_policy(spec: dict[str, Any], success: dict[str, Any], at: str) -> Iterator[Finding]:
    rules = listed(success.get("rules"))
    r_at = join(at, "rules")
    if not rules:
        yield Finding(r_at, "successPolicy needs at least one rule")
    elif len(rules) > MAX_SUCCESS_RULES:
        yield Finding(r_at, f"successPolicy may have at most {MAX_SUCCESS_RULES} rules")
    completions = _int(spec.get("completions"))
    if completions is None:
        return  # no completions to count against (the apiserver itself fails here)
    for index, rule in items(rules):
        yield from _success_rule(rule, join(r_at, index), completions)


def _success_rule(rule: dict[str, Any], at: str, completions: int) -> Iterator[Finding]:
    indexes, count = rule.get("succeededIndexes"), rule.get("succeededCount")
    if indexes is None and count is None:
        yield Finding(at, "at least one of succeededCount or succeededIndexes is required")
    total = None
    if isinstance(indexes, str):
        i_at = join(at, "succeededIndexes")
        if len(indexes) > MAX_INDEXES_TEXT:
            yield Finding(i_at, f"succeededIndexes must be at most {MAX_INDEXES_TEXT} characters")
        total, problem = count_indexes(indexes, completions)
        if problem:
            yield Finding(i_at, f'succeededIndexes "{indexes}": {problem}')
    if formats.is_int(count):
        c_at = join(at, "succeededCount")
        if count < 0:
            yield Finding(c_at, f"succeededCount {count} must be greater than or equal to 0")
        if count > completions:
            yield Finding(
                c_at,
                f"succeededCount {count} must be less than or equal to {completions} "
                "(the number of completions)",
            )
        if total is not None and count > total:
            yield Finding(
                c_at,
                f"succeededCount {count} must be less than or equal to {total} (the number of "
                "indexes in succeededIndexes)",
            )


def count_indexes(text: str, completions: int) -> tuple[int, str | None]:
    """How many indexes an interval list such as ``0,2-4`` names, or why it does not parse."""
    if not text:
        return 0, None
    total, previous = 0, -1
    for fragment in text.split(","):
        bounds = fragment.split("-")
        if len(bounds) > 2:
            return total, f'the interval "{fragment}" has more than two parts'
        numbers = []
        for bound in bounds:
            if not bound.isdigit():
                return total, f'"{bound}" is not an index'
            numbers.append(int(bound))
        first, last = numbers[0], numbers[-1]
        for number in numbers:
            if number >= completions:
                return total, f"index {number} is not below completions ({completions})"
        if first <= previous or (len(numbers) == 2 and first >= last):
            return total, "indexes must be in increasing order"
        total += last - first + 1
        previous = last
    return total, None
