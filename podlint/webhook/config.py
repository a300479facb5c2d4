"""The webhook configuration: which policy and mode apply in which namespace, and who is exempt.

```yaml
kubernetes-version: "1.33"      # default: the newest supported
failure-mode: deny              # deny | allow: what a rule that raises turns into
annotation-suppression: true    # honour podlint.io/ignore on objects
strict-suppression: true        # ... but never for error findings (what would deny)
refuse-suppression: ["pss-*"]   # rules the annotation can never silence
skip-rules: [schema, unknown-kind]  # the default: the apiserver decoded the object already
default: {policy: default, mode: enforce}
namespaces:                     # first match wins; names or globs
  - match: ["prod-*", payments]
    policy: restricted
    mode: enforce
  - match: ["dev-*"]
    policy: baseline
    mode: warn
exemptions:
  usernames: ["system:serviceaccount:ops:break-glass"]
  namespaces: [kube-system]
  runtimeClasses: [kata]
```
"""

from __future__ import annotations

import dataclasses
import fnmatch
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from podlint.model.version import LATEST, KubeVersion

Mode = Literal["enforce", "warn", "audit"]
MODES: tuple[str, ...] = ("enforce", "warn", "audit")
FAILURE_MODES: tuple[str, ...] = ("deny", "allow")
_TOP_KEYS = frozenset(
    {
        "kubernetes-version",
        "failure-mode",
        "annotation-suppression",
        "strict-suppression",
        "refuse-suppression",
        "skip-rules",
        "default",
        "namespaces",
        "exemptions",
    }
)
# kube-apiserver decodes the object against its own schema, and validates it, before any
# validating webhook is called: these rules could only repeat that, at a cost per request.
DEFAULT_SKIP_RULES = ("schema", "unknown-kind")
_EXEMPTION_KEYS = frozenset({"usernames", "namespaces", "runtimeClasses"})


class WebhookConfigError(ValueError):
    """A webhook configuration that cannot be used; the message names the file and the key."""


@dataclass(frozen=True)
class Placement:
    """The policy and mode for the namespaces an entry matches."""

    policy: str = "default"
    mode: Mode = "enforce"
    match: tuple[str, ...] = ()

    def matches(self, namespace: str) -> bool:
        return any(fnmatch.fnmatchcase(namespace, pattern) for pattern in self.match)


@dataclass(frozen=True)
class Exemptions:
    usernames: frozenset[str] = frozenset()
    namespaces: tuple[str, ...] = ()
    runtime_classes: frozenset[str] = frozenset()

    def namespace(self, namespace: str) -> bool:
        return any(fnmatch.fnmatchcase(namespace, pattern) for pattern in self.namespaces)


@dataclass(frozen=True)
class WebhookConfig:
    kubernetes_version: KubeVersion = LATEST
    failure_mode: str = "deny"
    annotation_suppression: bool = True
    strict_suppression: bool = True
    refuse_suppression: tuple[str, ...] = ()
    skip_rules: tuple[str, ...] = DEFAULT_SKIP_RULES
    default: Placement = Placement()
    namespaces: tuple[Placement, ...] = ()
    exemptions: Exemptions = field(default_factory=Exemptions)

    def placement(self, namespace: str) -> Placement:
        for entry in self.namespaces:
            if entry.matches(namespace):
                return entry
        return self.default

    def policies(self) -> set[str]:
        return {self.default.policy, *(entry.policy for entry in self.namespaces)}


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list) or not all(isinstance(item, str) and item for item in value):
        raise WebhookConfigError(f"{where} must be a list of non-empty strings")
    return tuple(value)


def _placement(value: Any, where: str, need_match: bool) -> Placement:
    if not isinstance(value, Mapping):
        raise WebhookConfigError(f"{where} must be a mapping with policy and mode")
    unknown = set(value) - {"policy", "mode", "match"}
    if unknown or ("match" in value and not need_match):
        extra = sorted(unknown) or ["match"]
        raise WebhookConfigError(f"{where}: unknown key {extra[0]!r}")
    policy = value.get("policy", "default")
    if not isinstance(policy, str) or not policy:
        raise WebhookConfigError(f"{where}.policy must be a policy name or file")
    mode = value.get("mode", "enforce")
    if mode not in MODES:
        raise WebhookConfigError(f"{where}.mode is {mode!r}; expected one of {', '.join(MODES)}")
    match: tuple[str, ...] = ()
    if need_match:
        if "match" not in value:
            raise WebhookConfigError(f"{where}.match is required (namespace names or globs)")
        match = _strings(value["match"], f"{where}.match")
    return Placement(policy=policy, mode=mode, match=match)


def parse_config(data: Any, origin: str = "webhook config") -> WebhookConfig:
    """Validate a parsed configuration document; errors name origin and the key."""
    if data is None:
        return WebhookConfig()
    if not isinstance(data, Mapping):
        raise WebhookConfigError(f"{origin}: the configuration must be a mapping")
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise WebhookConfigError(
            f"{origin}: unknown key {unknown[0]!r}; expected one of {', '.join(sorted(_TOP_KEYS))}"
        )
    version = LATEST
    if "kubernetes-version" in data:
        try:
            version = KubeVersion.parse(str(data["kubernetes-version"]))
        except ValueError as error:
            raise WebhookConfigError(f"{origin}: kubernetes-version: {error}") from None
    failure_mode = data.get("failure-mode", "deny")
    if failure_mode not in FAILURE_MODES:
        raise WebhookConfigError(
            f"{origin}: failure-mode is {failure_mode!r}; expected deny or allow"
        )
    suppression = data.get("annotation-suppression", True)
    strict = data.get("strict-suppression", True)
    for key, flag in (("annotation-suppression", suppression), ("strict-suppression", strict)):
        if not isinstance(flag, bool):
            raise WebhookConfigError(f"{origin}: {key} must be true or false")
    refuse = _strings(data.get("refuse-suppression", []), f"{origin}: refuse-suppression")
    skip = _strings(data.get("skip-rules", list(DEFAULT_SKIP_RULES)), f"{origin}: skip-rules")
    default = _placement(data.get("default", {}), f"{origin}: default", need_match=False)
    entries = data.get("namespaces", [])
    if not isinstance(entries, list):
        raise WebhookConfigError(f"{origin}: namespaces must be a list of entries")
    namespaces = tuple(
        _placement(entry, f"{origin}: namespaces[{index}]", need_match=True)
        for index, entry in enumerate(entries)
    )
    exemptions_data = data.get("exemptions", {}) or {}
    if not isinstance(exemptions_data, Mapping):
        raise WebhookConfigError(f"{origin}: exemptions must be a mapping")
    unknown = sorted(set(exemptions_data) - _EXEMPTION_KEYS)
    if unknown:
        raise WebhookConfigError(
            f"{origin}: exemptions: unknown key {unknown[0]!r}; expected usernames, "
            "namespaces or runtimeClasses"
        )
    exemptions = Exemptions(
        usernames=frozenset(
            _strings(exemptions_data.get("usernames", []), f"{origin}: exemptions.usernames")
        ),
        namespaces=_strings(
            exemptions_data.get("namespaces", []), f"{origin}: exemptions.namespaces"
        ),
        runtime_classes=frozenset(
            _strings(
                exemptions_data.get("runtimeClasses", []), f"{origin}: exemptions.runtimeClasses"
            )
        ),
    )
    return WebhookConfig(
        kubernetes_version=version,
        failure_mode=failure_mode,
        annotation_suppression=suppression,
        strict_suppression=strict,
        refuse_suppression=refuse,
        skip_rules=skip,
        default=default,
        namespaces=namespaces,
        exemptions=exemptions,
    )


def load_config(path: str | Path) -> WebhookConfig:
    """Read and validate a configuration file (YAML or JSON)."""
    from podlint.source.data import load_yaml_file

    try:
        data = load_yaml_file(Path(path))
    except OSError as error:
        raise WebhookConfigError(f"{path}: cannot read: {error.strerror or error}") from None
    except Exception as error:
        raise WebhookConfigError(f"{path}: not valid YAML: {error}") from None
    config = parse_config(data, str(path))
    base = Path(path).resolve().parent
    return dataclasses.replace(
        config,
        default=_anchored(config.default, base),
        namespaces=tuple(_anchored(entry, base) for entry in config.namespaces),
    )


def _anchored(placement: Placement, base: Path) -> Placement:
    """A policy given as a relative file path is relative to the configuration file."""
    policy = placement.policy
    if not policy.endswith((".yaml", ".yml", ".json")) or Path(policy).is_absolute():
        return placement
    return dataclasses.replace(placement, policy=str(base / policy))
