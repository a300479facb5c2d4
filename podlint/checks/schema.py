"""Schema validation: every built-in object against its Kubernetes OpenAPI schema.

Each jsonschema error becomes one finding with a human message at the offending node. A
misspelt required field is reported once, as the unknown key, not again as the missing field.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from podlint.checks.apiversions import is_removed
from podlint.k8s.fastcheck import DECODES_AS, INTEGER_RANGES
from podlint.k8s.schemas import SchemaUnavailable, VersionSchemas, version_schemas
from podlint.model.finding import Finding
from podlint.model.kinds import BUILTIN_GROUPS, BUILTIN_POD_SPEC_POINTERS, api_group
from podlint.model.pointer import join, split
from podlint.model.version import SUPPORTED
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

LOG = logging.getLogger(__name__)

_JSON_TYPES = {
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    type(None): "null",
}
_ONE_OF_MEANING = {
    "Quantity": 'a quantity (a string such as "500m" or "1Gi", or a number)',
    "IntOrString": "an integer or a string",
}


def validate(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """Validate one object of a known kind against the schema of the target version."""
    api_version, kind = obj.api_version, obj.kind
    if not api_version or not kind:
        return
    yield from _not_json(obj)
    try:
        schemas = version_schemas(ctx.kubernetes_version)
    except SchemaUnavailable as error:
        yield Finding(obj.at("kind"), str(error))
        return
    definition = schemas.definition_name(api_version, kind)
    if definition is not None:
        found: list[Finding] = []
        verdict = schemas.is_valid(definition, obj.data)
        if not verdict:
            errors = schemas.errors(definition, obj.data, compiled=verdict is False)
            found = list(_findings(obj, errors, schemas, kind))
            yield from found
        yield from _missing_pod_spec(obj, found)
        return
    locations = _locations(ctx)
    if locations:
        from podlint.checks._custom_schema import custom_findings

        yield from custom_findings(obj, tuple(locations), api_version, kind)


def _not_json(obj: ObjectView) -> Iterator[Finding]:
    """Plain scalars such as `.inf` and `.nan` are YAML floats that JSON cannot carry: the
    apiserver refuses the object when it converts it, whatever the field."""
    safe = obj.document.json_safe
    if safe or (safe is None and _all_finite(obj.data)):
        return  # nearly always: the paths below are built only when there is a finding
    stack: list[tuple[list[str | int], Any]] = [([], obj.data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(([*path, str(k)], v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(([*path, i], v) for i, v in enumerate(value))
        elif _non_finite(value):
            yield Finding(
                join(obj.pointer, *path),
                f"{dotted(path) or obj.kind}: {str(value).lower()} is a YAML number that JSON "
                "cannot carry (the apiserver refuses the object); quote it if it is text",
            )


def _all_finite(data: Any) -> bool:
    """Whether no value in ``data`` is a float that JSON cannot carry."""
    stack = [data]
    pop, extend = stack.pop, stack.extend
    while stack:
        value = pop()
        if value.__class__ is str:
            continue
        if isinstance(value, dict):
            extend(value.values())
        elif isinstance(value, list):
            extend(value)
        elif _non_finite(value):
            return False
    return True


def _non_finite(value: Any) -> bool:
    return isinstance(value, float) and not math.isfinite(value)


# The reference tokens of each built-in pod spec pointer, split once.
_POD_SPEC_PARTS = {pointer: split(pointer) for pointer in BUILTIN_POD_SPEC_POINTERS.values()}


def _missing_pod_spec(obj: ObjectView, found: list[Finding]) -> Iterator[Finding]:
    """A pod-carrying object without its pod spec (or with a null one) is validated as one
    with an empty pod spec, which lacks its containers; unless a missing field on the way
    there is reported already."""
    relative = BUILTIN_POD_SPEC_POINTERS.get(obj.kind)
    if relative is None or api_group(obj.api_version) not in BUILTIN_GROUPS:
        return
    if "$patch" in obj.data:
        return  # a kustomize patch directive (reported as an unknown field), not an object
    node: Any = obj.data
    walked: list[str] = []
    parts = _POD_SPEC_PARTS.get(relative)
    for part in split(relative) if parts is None else parts:
        if not isinstance(node, dict):
            return  # a value of the wrong type, which the schema reports
        if node.get(part) is None:
            break
        node = node[part]
        walked.append(part)
    else:
        return
    where = obj.at(*walked)
    if any(f.pointer == where and f.message.startswith("missing required field") for f in found):
        return
    spec = dotted(split(relative))
    yield Finding(
        obj.pointer + relative, f'missing required field "containers" in PodSpec at {spec}'
    )


def unknown_kind(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    """A kind the target version does not serve in a built-in API group (CRDs are skipped)."""
    api_version, kind = obj.api_version, obj.kind
    if not api_version or not kind:
        return
    try:
        schemas = version_schemas(ctx.kubernetes_version)
    except SchemaUnavailable:
        return
    if schemas.definition_name(api_version, kind) is not None:
        return
    if is_removed(obj, ctx.kubernetes_version):
        return  # one root cause, one finding: removed-api-version names the replacement
    locations = _locations(ctx)
    if locations:
        from podlint.checks._custom_schema import custom_validator

        if custom_validator(tuple(locations), api_version, kind) is not None:
            return
    if schemas.serves_group(api_version):
        served = sorted(av for av, k in schemas.kinds if k == kind)
        hint = f"; served as {', '.join(served)}" if served else ""
        if not served:
            meant = suggest(kind, sorted({k for _, k in schemas.kinds}))
            if meant is not None:
                where = ", ".join(sorted(av for av, k in schemas.kinds if k == meant))
                hint = f' — did you mean "{meant}" ({where})?'
        yield Finding(
            obj.at("apiVersion"),
            f'Kubernetes {ctx.kubernetes_version} does not serve kind "{kind}" in '
            f'apiVersion "{api_version}"{hint}',
        )
    elif ctx.params.get("report-custom", False):
        yield Finding(
            obj.at("apiVersion"),
            f'no schema for custom kind "{kind}" of apiVersion "{api_version}"; '
            "add one with the schema-locations option",
        )


def _locations(ctx: RuleContext) -> list[str]:
    value = ctx.params.get("schema-locations") or []
    return [value] if isinstance(value, str) else [str(v) for v in value]


def _findings(
    obj: ObjectView, errors: Iterable[Any], schemas: VersionSchemas | None, kind: str
) -> Iterator[Finding]:
    seen: set[tuple[str, str]] = set()
    collected = list(errors)
    for error in sorted(collected, key=lambda e: [str(p) for p in e.absolute_path]):
        for finding in _describe(obj, error, schemas, kind):
            # "required" is one error per missing field, each naming them all
            if (finding.pointer, finding.message) not in seen:
                seen.add((finding.pointer, finding.message))
                yield finding


def _type_name(schema: Any, schemas: VersionSchemas | None, path: Sequence[Any], kind: str) -> str:
    name = schemas.type_name(schema) if schemas is not None else None
    if name:
        return name
    return kind if not path else "object"


def _describe(
    obj: ObjectView, error: Any, schemas: VersionSchemas | None, kind: str
) -> Iterator[Finding]:
    path = list(error.absolute_path)
    if _non_finite(error.instance):
        return  # reported on its own, whatever the schema wants there
    pointer = join(obj.pointer, *path)
    where = dotted(path)
    instance = error.instance
    if error.validator == "additionalProperties" and isinstance(instance, dict):
        known = list((error.schema.get("properties") or {}).keys())
        type_name = _type_name(error.schema, schemas, path, kind)
        for key in instance:
            if key in known:
                continue
            suggestion = suggest(str(key), known)
            hint = f' — did you mean "{suggestion}"?' if suggestion else ""
            yield Finding(
                join(pointer, str(key)),
                f'unknown field "{key}" in {type_name}{_at(where)}{hint}',
                key=True,
            )
        return
    if error.validator == "required" and isinstance(instance, dict):
        known = list((error.schema.get("properties") or {}).keys())
        unknown = [str(k) for k in instance if k not in known]
        type_name = _type_name(error.schema, schemas, path, kind)
        enforced = _enforced_required(error.schema, schemas, kind)
        for name in error.validator_value:
            if instance.get(name) is not None or name not in enforced:
                continue
            if any(suggest(key, [name]) for key in unknown):
                continue  # the misspelt key is already reported as unknown
            yield Finding(pointer, f'missing required field "{name}" in {type_name}{_at(where)}')
        return
    if error.validator == "type":
        if instance is None:
            return  # null decodes as the zero value; the api-* rules judge that value
        expected = error.validator_value
        expected_list = [expected] if isinstance(expected, str) else list(expected)
        wanted = _article(" or ".join(t for t in expected_list if t != "null") or "null")
        if schemas is not None and id(error.schema) in schemas.bytes_nodes:
            wanted = "a base64 string (or a list of byte values)"
        elif error.schema.get(DECODES_AS) == "uint8":
            wanted = "a byte value (an integer from 0 to 255)"
        yield Finding(pointer, f"{where or kind}: expected {wanted}, got {describe(instance)}")
        return
    if error.validator == DECODES_AS:
        yield Finding(pointer, _out_of_range(where or kind, instance, error.validator_value))
        return
    if error.validator == "oneOf":
        if instance is None:
            return  # null decodes as the zero value (a quantity 0, an IntOrString 0)
        if _is_int(instance) and not _fits(instance, "int32"):
            yield Finding(pointer, _out_of_range(where or kind, instance, "int32"))
            return
        name = _type_name(error.schema, schemas, path, kind)
        meaning = _ONE_OF_MEANING.get(name, f"a valid {name}")
        yield Finding(pointer, f"{where or kind}: expected {meaning}, got {describe(instance)}")
        return
    if error.validator == "enum":
        allowed = ", ".join(json.dumps(v) for v in error.validator_value)
        yield Finding(pointer, f"{where or kind}: {describe(instance)} is not one of {allowed}")
        return
    yield Finding(pointer, f"{where or kind}: {error.message}")


# The OpenAPI "required" lists are not what the apiserver enforces: validation code is. These
# kinds' subtrees were checked against it; elsewhere missing fields are left alone.
_REQUIRED_KINDS = frozenset(
    {
        "Pod", "PodTemplate", "ReplicationController", "ReplicaSet", "Deployment",
        "StatefulSet", "DaemonSet", "Job", "CronJob",
    }
)  # fmt: skip
# Required in the schema, yet defaulted or accepted empty by the apiserver.
_NOT_ENFORCED = frozenset(
    {
        ("io.k8s.api.core.v1.HTTPHeader", "value"),
        ("io.k8s.api.core.v1.ISCSIVolumeSource", "lun"),
        ("io.k8s.api.core.v1.Sysctl", "value"),
        ("io.k8s.api.core.v1.PreferredSchedulingTerm", "preference"),
        ("io.k8s.api.core.v1.SleepAction", "seconds"),
        ("io.k8s.api.batch.v1.PodFailurePolicy", "rules"),
    }
)


def _enforced_required(schema: Any, schemas: VersionSchemas | None, kind: str) -> frozenset[str]:
    """The schema's required fields that the apiserver also refuses to go without.

    A field must be required by the newest schemas too: upstream has been dropping
    "required" where validation never asked for it (StatefulSet serviceName before 1.33).
    """
    if schemas is None:
        return frozenset(schema.get("required") or ())  # a user's schema says what it means
    definition = schemas.definition_of(schema)
    if kind not in _REQUIRED_KINDS or definition is None:
        return frozenset()
    newest = version_schemas(SUPPORTED[-1]).required(definition)
    return frozenset(
        name
        for name in schemas.required(definition)
        if name in newest and (definition, name) not in _NOT_ENFORCED
    )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _fits(value: int, go_type: str) -> bool:
    low, high = INTEGER_RANGES[go_type]
    return low <= value <= high


def _out_of_range(where: str, value: Any, go_type: str) -> str:
    low, high = INTEGER_RANGES[go_type]
    if go_type == "uint8":
        return (
            f"{where}: {value} is not a byte value ({low} to {high}); the apiserver cannot "
            "decode it"
        )
    return (
        f"{where}: {value} does not fit in {_article(go_type)} ({low} to {high}); the apiserver "
        f"cannot decode it"
    )


def _at(where: str) -> str:
    return f" at {where}" if where else ""


def _article(type_name: str) -> str:
    return f"an {type_name}" if type_name[:1] in "aeiou" else f"a {type_name}"


def describe(value: Any) -> str:
    """A short description of a value for messages: 'string "3"', 'integer 3'."""
    type_name = _JSON_TYPES.get(type(value), type(value).__name__)
    if isinstance(value, (dict, list)):
        return type_name
    if value is None:
        return "null"
    text = json.dumps(value) if isinstance(value, str) else str(value).lower()
    if len(text) > 40:
        text = text[:37] + "..."
    return f"{type_name} {text}"


def dotted(path: Sequence[Any]) -> str:
    """spec.containers[0].name, the way kubectl and the apiserver print field paths."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def suggest(key: str, candidates: Sequence[str]) -> str | None:
    """The known field a misspelt key most likely meant, if any is close enough."""
    lowered = key.lower()
    for candidate in candidates:
        if candidate.lower() == lowered:
            return candidate
    import difflib  # only for a key no schema knows

    matches = difflib.get_close_matches(key, list(candidates), n=1, cutoff=0.75)
    return matches[0] if matches else None
