"""What the apiserver refuses on create in a ValidatingWebhookConfiguration or a
MutatingWebhookConfiguration of admissionregistration.k8s.io/v1 (ValidateWebhookConfiguration):
webhook names, rules, the client config, review versions, side effects and policies.

matchConditions expressions are CEL, compiled by the apiserver; only their presence is
checked here."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from podlint.checks._api import items, listed, text
from podlint.checks._objects import invalid, required, selector, unsupported
from podlint.k8s import formats
from podlint.lazyre import LazyPattern
from podlint.model.finding import Finding
from podlint.model.pointer import join
from podlint.model.views import ObjectView
from podlint.rule import RuleContext

OPERATIONS = ("*", "CONNECT", "CREATE", "DELETE", "UPDATE")
SCOPES = ("*", "Cluster", "Namespaced")
FAILURE_POLICIES = ("Fail", "Ignore")
MATCH_POLICIES = ("Equivalent", "Exact")
SIDE_EFFECTS = ("None", "NoneOnDryRun")
REINVOCATION = ("IfNeeded", "Never")
REVIEW_VERSIONS = ("v1", "v1beta1")
URL_FORM = "; desired format: https://host[/path]"
_HOST = LazyPattern(r"^[A-Za-z0-9.\-_~!$&'()*+,;=:\[\]%]*$")


def webhook_configuration(obj: ObjectView, ctx: RuleContext) -> Iterator[Finding]:
    if obj.api_version != "admissionregistration.k8s.io/v1":
        return
    mutating = obj.kind == "MutatingWebhookConfiguration"
    names: set[str] = set()
    for index, hook in items(obj.data.get("webhooks")):
        at, where = obj.at("webhooks", str(index)), f"webhooks[{index}]"
        name = hook.get("name")
        if name in (None, ""):
            yield required(join(at, "name"), f"{where}.name")
        elif isinstance(name, str):
            for problem in _fully_qualified(name):
                yield invalid(join(at, "name"), f"{where}.name", name, problem)
            if name in names:
                yield Finding(join(at, "name"), f'{where}.name: Duplicate value: "{name}"')
            names.add(name)
        yield from _webhook(hook, at, where, mutating)


def _fully_qualified(name: str) -> list[str]:
    problems = formats.dns1123_subdomain(name)
    if problems:
        return problems
    if len(name.split(".")) < 3:
        return ["should be a domain with at least three segments separated by dots"]
    return []


def _webhook(hook: dict[str, Any], at: str, where: str, mutating: bool) -> Iterator[Finding]:
    for index, rule in items(hook.get("rules")):
        yield from _rule(rule, join(at, "rules", index), f"{where}.rules[{index}]")
    for field, allowed in (
        ("failurePolicy", FAILURE_POLICIES),
        ("matchPolicy", MATCH_POLICIES),
        *((("reinvocationPolicy", REINVOCATION),) if mutating else ()),
    ):
        value = hook.get(field)
        if isinstance(value, str) and value not in allowed:
            yield unsupported(join(at, field), f"{where}.{field}", value, allowed)
    effects = hook.get("sideEffects")
    if effects is None:
        yield required(
            join(at, "sideEffects"),
            f"{where}.sideEffects",
            "must specify one of None, NoneOnDryRun",
        )
    elif isinstance(effects, str) and effects not in SIDE_EFFECTS:
        yield unsupported(join(at, "sideEffects"), f"{where}.sideEffects", effects, SIDE_EFFECTS)
    timeout = hook.get("timeoutSeconds")
    if formats.is_int(timeout) and not 1 <= timeout <= 30:
        yield invalid(
            join(at, "timeoutSeconds"),
            f"{where}.timeoutSeconds",
            timeout,
            "the timeout value must be between 1 and 30 seconds",
        )
    for field in ("namespaceSelector", "objectSelector"):
        yield from selector(hook.get(field), join(at, field), f"{where}.{field}")
    yield from _review_versions(
        hook.get("admissionReviewVersions"),
        join(at, "admissionReviewVersions"),
        f"{where}.admissionReviewVersions",
    )
    config = hook.get("clientConfig")
    config = {} if config is None else config
    if isinstance(config, dict):
        yield from _client_config(config, join(at, "clientConfig"), f"{where}.clientConfig")
    yield from _match_conditions(
        hook.get("matchConditions"), join(at, "matchConditions"), f"{where}.matchConditions"
    )


def _rule(rule: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    operations = rule.get("operations")
    if isinstance(operations, list) or operations is None:
        operations = operations or []
        if not operations:
            yield required(join(at, "operations"), f"{where}.operations")
        elif len(operations) > 1 and "*" in operations:
            yield Finding(
                join(at, "operations"),
                f"{where}.operations: Invalid value: "
                "if '*' is present, must not specify other operations",
            )
        for index, operation in enumerate(operations):
            operation = "" if operation is None else operation  # a null item decodes as ""
            if isinstance(operation, str) and operation not in OPERATIONS:
                yield unsupported(
                    join(at, "operations", index),
                    f"{where}.operations[{index}]",
                    operation,
                    OPERATIONS,
                )
    for field, noun in (("apiGroups", "API groups"), ("apiVersions", "API versions")):
        values = rule.get(field)
        if not isinstance(values, list) and values is not None:
            continue
        values = values or []
        if not values:
            yield required(join(at, field), f"{where}.{field}")
        elif len(values) > 1 and "*" in values:
            yield Finding(
                join(at, field),
                f"{where}.{field}: Invalid value: if '*' is present, must not specify other {noun}",
            )
        if field == "apiVersions":
            for index, version in enumerate(values):
                if version in ("", None):
                    yield required(join(at, field, index), f"{where}.{field}[{index}]")
    resources = rule.get("resources")
    if isinstance(resources, list) or resources is None:
        yield from _resources(resources or [], join(at, "resources"), f"{where}.resources")
    scope = rule.get("scope")
    if isinstance(scope, str) and scope not in SCOPES:
        yield unsupported(join(at, "scope"), f"{where}.scope", scope, SCOPES)


def _resources(resources: list[Any], at: str, where: str) -> Iterator[Finding]:
    if not resources:
        yield required(at, where)
    wildcard_sub: set[str] = set()
    wildcard_resource: set[str] = set()
    double = single = without_sub = False
    for index, entry in enumerate(resources):
        entry = "" if entry is None else entry
        if not isinstance(entry, str):
            continue
        if entry == "":
            yield required(join(at, index), f"{where}[{index}]")
            continue
        double = double or entry == "*/*"
        single = single or entry == "*"
        resource, slash, sub = entry.partition("/")
        if not slash:
            # The apiserver keeps only the last entry's answer here.
            without_sub = entry != "*"
            continue
        if resource in wildcard_sub:
            yield invalid(
                join(at, index),
                f"{where}[{index}]",
                entry,
                f"if '{resource}/*' is present, must not specify {entry}",
            )
        if sub in wildcard_resource:
            yield invalid(
                join(at, index),
                f"{where}[{index}]",
                entry,
                f"if '*/{sub}' is present, must not specify {entry}",
            )
        if sub == "*":
            wildcard_sub.add(resource)
        if resource == "*":
            wildcard_resource.add(sub)
    if len(resources) > 1 and double:
        yield Finding(
            at, f"{where}: Invalid value: if '*/*' is present, must not specify other resources"
        )
    if single and without_sub:
        yield Finding(
            at,
            f"{where}: Invalid value: if '*' is present, must not specify other "
            "resources without subresources",
        )


def _review_versions(versions: Any, at: str, where: str) -> Iterator[Finding]:
    if not isinstance(versions, list) and versions is not None:
        return
    versions = versions or []
    if not versions:
        yield required(at, where, "must specify one of v1, v1beta1")
        return
    seen: set[str] = set()
    for index, version in enumerate(versions):
        version = "" if version is None else version  # a null item decodes as ""
        if not isinstance(version, str):
            continue
        for problem in formats.dns1035_label(version):
            yield invalid(join(at, index), f"{where}[{index}]", version, problem)
        if version in seen:
            yield invalid(join(at, index), f"{where}[{index}]", version, "duplicate version")
        seen.add(version)
    if not seen & set(REVIEW_VERSIONS):
        yield Finding(at, f"{where}: Invalid value: must include at least one of v1, v1beta1")


def _client_config(config: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    url, service = config.get("url"), config.get("service")
    if (url is None) == (service is None):
        yield required(at, where, "exactly one of url or service is required")
        return
    if isinstance(url, str):
        yield from _url(url, join(at, "url"), f"{where}.url")
    if isinstance(service, dict):
        yield from _service(service, join(at, "service"), f"{where}.service")


def _url(url: str, at: str, where: str) -> Iterator[Finding]:
    try:
        parts = urlsplit(url)
    except ValueError as error:
        yield required(at, where, f"url must be a valid URL: {error}{URL_FORM}")
        return
    host = parts.netloc.rpartition("@")[2]
    port = host.rpartition("]")[2].partition(":")[2] if ":" in host.rpartition("]")[2] else ""
    if not _HOST.match(host) or (port and not port.isdigit()):
        yield required(at, where, f"url must be a valid URL: invalid host {host!r}{URL_FORM}")
        return
    if parts.scheme != "https":
        yield invalid(at, where, parts.scheme, f"'https' is the only allowed URL scheme{URL_FORM}")
    if not host:
        yield invalid(at, where, host, f"host must be specified{URL_FORM}")
    if "@" in parts.netloc:
        yield invalid(
            at,
            where,
            parts.netloc.rpartition("@")[0],
            "user information is not permitted in the URL",
        )
    if parts.fragment:
        yield invalid(at, where, parts.fragment, "fragments are not permitted in the URL")
    if parts.query:
        yield invalid(at, where, parts.query, "query parameters are not permitted in the URL")


def _service(service: dict[str, Any], at: str, where: str) -> Iterator[Finding]:
    for field in ("name", "namespace"):
        if service.get(field) in (None, ""):
            yield required(join(at, field), f"{where}.{field}", f"service {field} is required")
    port = service.get("port")
    if formats.is_int(port) and not 1 <= port <= 65535:
        yield invalid(
            join(at, "port"),
            f"{where}.port",
            port,
            "port is not valid: must be between 1 and 65535, inclusive",
        )
    path = text(service.get("path"))
    if not path or path == "/":
        return
    p_at, p_where = join(at, "path"), f"{where}.path"
    if path == "//":
        yield invalid(p_at, p_where, path, "segment[0] may not be empty")
        return
    if not path.startswith("/"):
        yield invalid(p_at, p_where, path, "must start with a '/'")
    rest = path[1:]
    if rest.endswith("/"):
        rest = rest[:-1]
    for index, step in enumerate(rest.split("/")):
        if not step:
            yield invalid(p_at, p_where, path, f"segment[{index}] may not be empty")
            continue
        for problem in formats.dns1123_subdomain(step):
            yield invalid(p_at, p_where, path, f"segment[{index}]: {problem}")


def _match_conditions(conditions: Any, at: str, where: str) -> Iterator[Finding]:
    names: set[str] = set()
    values = listed(conditions)
    if len(values) > 64:
        yield Finding(at, f"{where}: Too many: {len(values)}: must have at most 64 items")
    for index, condition in items(conditions):
        c_at, c_where = join(at, index), f"{where}[{index}]"
        name = condition.get("name")
        if name in (None, ""):
            yield required(join(c_at, "name"), f"{c_where}.name")
        elif isinstance(name, str):
            for problem in formats.qualified_name(name):
                yield invalid(join(c_at, "name"), f"{c_where}.name", name, problem)
            if name in names:
                yield Finding(join(c_at, "name"), f'{c_where}.name: Duplicate value: "{name}"')
            names.add(name)
        if condition.get("expression") in (None, ""):
            yield required(join(c_at, "expression"), f"{c_where}.expression")
