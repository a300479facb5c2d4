"""review(): an AdmissionReview in, an AdmissionReview response out; pure, no I/O.

The same engine and policies as `podlint lint` judge request.object. What differs is only
what the verdict turns into: error findings deny in enforce mode (Pods only; workloads are
warned, as Pod Security Admission does), everything else becomes warnings and audit
annotations. DELETE, CONNECT and Pod subresources such as status and binding pass untouched,
and Pod UPDATEs are re-evaluated only on changes PSA considers significant.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from podlint.engine import Engine
from podlint.model.defaulted import DefaultedFields
from podlint.model.document import Document
from podlint.model.finding import Finding, Severity
from podlint.model.views import ObjectView
from podlint.policy import PolicyError
from podlint.registry import Registry, RegistryError, default_registry
from podlint.runtime import Options, build_engine
from podlint.webhook.config import Mode, WebhookConfig, WebhookConfigError
from podlint.webhook.messages import annotation_value, denial_message, warnings_for
from podlint.webhook.significance import IGNORED_POD_SUBRESOURCES, significant_pod_update
from podlint.webhook.source import AdmissionRequest, ReviewError, admission_document, parse_review

LOG = logging.getLogger(__name__)

INTERNAL_ERROR = "internal-error"
IGNORE_ANNOTATION = "podlint.io/ignore"

__all__ = ["Decision", "ReviewError", "Reviewer", "review"]


@dataclass(frozen=True)
class Decision:
    """A response and what the server logs and counts about it."""

    response: dict[str, Any]
    request: AdmissionRequest
    allowed: bool
    # allow | deny | warn | audit | skip | exempt
    decision: str
    findings: tuple[Finding, ...] = ()
    reason: str = ""
    policy: str = ""
    mode: str = ""
    errors: tuple[str, ...] = ()


class Reviewer:
    """The engines of every policy a webhook configuration names, built once."""

    def __init__(self, config: WebhookConfig | None = None, registry: Registry | None = None):
        self.config = config or WebhookConfig()
        self.registry = registry or default_registry()
        self.engines: dict[str, Engine] = {}
        for policy in sorted(self.config.policies()):
            try:
                self.engines[policy] = build_engine(
                    Options(
                        policy=policy,
                        kubernetes_version=self.config.kubernetes_version,
                        ignore=self._skipped(),
                    ),
                    self.registry,
                )
            except (PolicyError, RegistryError) as error:
                raise WebhookConfigError(f"policy {policy!r}: {error}") from None
        # Each policy's name in audit annotations: a policy file by its stem.
        self.shown = {
            policy: policy if policy in self.registry.policies else Path(policy).stem
            for policy in self.engines
        }
        # The enabled rules whose findings the annotation may not suppress, per policy.
        self.refused: dict[str, list[str]] = {
            policy: [
                rule
                for rule in engine.settings
                if any(fnmatch.fnmatchcase(rule, p) for p in self.config.refuse_suppression)
            ]
            for policy, engine in self.engines.items()
        }

    def _skipped(self) -> tuple[str, ...]:
        known = self.registry.rules
        # An exact id that this installation does not have is not an error here (a plugin
        # may be missing); globs match nothing harmlessly.
        return tuple(
            rule for rule in self.config.skip_rules if rule in known or set(rule) & set("*?[")
        )

    def warm_up(self) -> None:
        """Import every check and review one Pod per policy, so the first real request does
        not pay for imports."""
        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {"name": "warm-up", "namespace": "default"},
            "spec": {"containers": [{"name": "app", "image": "registry.example/app:1.0"}]},
        }
        for policy, engine in self.engines.items():
            engine.import_checks()
            list(engine.lint_document(Document(f"warm-up:{policy}", 0, pod)))

    def review(self, admission_review: Any) -> dict[str, Any]:
        return self.decide(admission_review).response

    def decide(self, admission_review: Any) -> Decision:
        return self.decide_request(parse_review(admission_review))

    def decide_request(self, request: AdmissionRequest) -> Decision:
        try:
            return self._decide(request)
        except Exception as error:
            LOG.exception("review of request %s failed", request.uid)
            return self.failure(request, f"{type(error).__name__}: {error}")

    def _decide(self, request: AdmissionRequest) -> Decision:
        config = self.config
        is_pod = request.kind == "Pod" and request.group == ""
        if request.operation in ("DELETE", "CONNECT"):
            return _allow(request, "skip", f"{request.operation} is not reviewed")
        if request.sub_resource and (
            not is_pod or request.sub_resource in IGNORED_POD_SUBRESOURCES
        ):
            return _allow(request, "skip", f"subresource {request.sub_resource} is not reviewed")
        if request.namespace and config.exemptions.namespace(request.namespace):
            return _allow(request, "exempt", "namespace", {"exempt": "namespace"})
        if request.username in config.exemptions.usernames:
            return _allow(request, "exempt", "user", {"exempt": "user"})
        placement = config.placement(request.namespace)
        obj = request.object
        assert obj is not None  # parse_review guarantees it for CREATE and UPDATE
        engine = self.engines[placement.policy]
        findings: list[Finding] = []
        if request.operation == "UPDATE":
            assert request.old_object is not None
            findings.extend(self._update_findings(engine, request, obj))
            reevaluate = not is_pod or significant_pod_update(request.old_object, obj)
        else:
            reevaluate = True
        if not reevaluate and not findings:
            return _allow(request, "skip", "update is not significant")
        document = admission_document(request, obj)
        pointer = _pod_spec_pointer(engine, obj)
        spec = _resolve(obj, pointer) if pointer is not None else None
        if spec is not None:
            runtime_class = spec.get("runtimeClassName")
            if (
                isinstance(runtime_class, str)
                and runtime_class in config.exemptions.runtime_classes
            ):
                return _allow(request, "exempt", "runtimeClass", {"exempt": "runtimeClass"})
        if reevaluate:
            found = list(engine.lint_document(document))
            if found and spec is not None and pointer is not None:
                defaulted = DefaultedFields(spec, pointer)
                found = [f for f in found if not defaulted.covers(f.pointer)]
            findings.extend(found)
        findings = self._unsuppressed(engine, findings, document, self.refused[placement.policy])
        mode: Mode = placement.mode
        if mode == "enforce" and not is_pod:
            mode = "warn"
        return self._verdict(request, findings, placement.policy, mode)

    def _update_findings(
        self, engine: Engine, request: AdmissionRequest, new: dict[str, Any]
    ) -> list[Finding]:
        """What the apiserver refuses on update, for the immutable-* rules the policy enables.

        Subresources (ephemeralcontainers, resize) have their own update rules, so the
        main resource's are not applied to them.
        """
        if request.sub_resource or request.old_object is None:
            return []
        try:
            from podlint.update import UPDATE_RULES, check_update
        except ImportError:
            return []

        enabled = [rule for rule in UPDATE_RULES if engine.enabled(rule)]
        if not enabled:
            return []
        found = check_update(request.old_object, new, self.config.kubernetes_version, rules=enabled)
        document = admission_document(request, new)
        return [
            dataclasses.replace(
                finding,
                severity=engine.settings[finding.rule].severity,
                path=document.path,
                kind=document.kind,
                namespace=document.namespace,
                name=document.name,
            )
            for finding in found
        ]

    def _unsuppressed(
        self, engine: Engine, findings: list[Finding], document: Document, refused: list[str]
    ) -> list[Finding]:
        """Apply the podlint.io/ignore annotation, refusing it where the config says so."""
        config = self.config
        if not config.annotation_suppression or not findings:
            return findings
        annotations = document.metadata.get("annotations")
        if not isinstance(annotations, dict) or IGNORE_ANNOTATION not in annotations:
            return findings  # nothing to apply, and so nothing to report as unused
        try:
            from podlint.suppression import apply_suppressions
        except ImportError:
            return _annotation_fallback(findings, document, refused, config.strict_suppression)
        outcome = apply_suppressions(
            findings,
            None,
            [document],
            settings=engine.settings,
            known=engine.registry.rules,
            path=document.path,
            strict=config.strict_suppression,
            refuse=refused,
        )
        return outcome.findings

    def _verdict(
        self, request: AdmissionRequest, findings: list[Finding], policy: str, mode: Mode
    ) -> Decision:
        errors = tuple(f.message for f in findings if f.rule == INTERNAL_ERROR)
        if errors:
            # A rule that raised decides by failure-mode, whatever its own severity or the mode.
            deny = self.config.failure_mode == "deny"
            severity = Severity.ERROR if deny else Severity.WARNING
            findings = [
                dataclasses.replace(f, severity=severity) if f.rule == INTERNAL_ERROR else f
                for f in findings
            ]
            if deny:
                mode = "enforce"
        annotations = {"policy": f"{self.shown[policy]}:{mode}"}
        if findings:
            annotations["findings"] = annotation_value(findings)
        if errors:
            annotations["error"] = annotation_value(
                [f for f in findings if f.rule == INTERNAL_ERROR]
            )
        denying = [f for f in findings if f.severity is Severity.ERROR]
        response: dict[str, Any] = {"uid": request.uid, "allowed": True}
        decision = "allow"
        if mode == "enforce" and denying:
            decision = "deny"
            response["allowed"] = False
            response["status"] = {
                "status": "Failure",
                "code": 403,
                "reason": "Forbidden",
                "message": denial_message(denying),
            }
            warned = [f for f in findings if f.severity is Severity.WARNING]
        elif mode == "audit":
            decision = "audit" if findings else "allow"
            warned = [f for f in findings if f.rule == INTERNAL_ERROR]
        else:
            warned = [f for f in findings if f.severity is not Severity.INFO]
            if mode == "warn" and warned:
                decision = "warn"
        warnings = warnings_for(warned)
        if warnings:
            response["warnings"] = warnings
        response["auditAnnotations"] = annotations
        return Decision(
            response=_envelope(request, response),
            request=request,
            allowed=bool(response["allowed"]),
            decision=decision,
            findings=tuple(findings),
            policy=policy,
            mode=mode,
            errors=errors,
        )

    def failure(self, request: AdmissionRequest, error: str) -> Decision:
        """A review that could not run at all: decided by failure-mode, never a crash."""
        message = f"podlint could not review this object: {error}"
        response: dict[str, Any] = {"uid": request.uid, "allowed": True}
        if self.config.failure_mode == "deny":
            response["allowed"] = False
            response["status"] = {
                "status": "Failure",
                "code": 403,
                "reason": "Forbidden",
                "message": message,
            }
        else:
            response["warnings"] = warnings_for(
                [Finding("", message, rule=INTERNAL_ERROR, severity=Severity.WARNING)]
            )
        response["auditAnnotations"] = {"error": message[:1024]}
        return Decision(
            response=_envelope(request, response),
            request=request,
            allowed=bool(response["allowed"]),
            decision="allow" if response["allowed"] else "deny",
            errors=(error,),
        )


def _annotation_fallback(
    findings: list[Finding], document: Document, refused: list[str], strict: bool
) -> list[Finding]:
    """podlint.io/ignore without the suppression module: drop the named rules' findings."""
    annotations = document.metadata.get("annotations")
    value = annotations.get(IGNORE_ANNOTATION) if isinstance(annotations, Mapping) else None
    if not isinstance(value, str):
        return findings
    ids = {part.strip() for part in value.split(" --", 1)[0].split(",") if part.strip()}
    return [
        finding
        for finding in findings
        if finding.rule not in ids
        or finding.rule in refused
        or (strict and finding.severity is Severity.ERROR)
    ]


def _pod_spec_pointer(engine: Engine, obj: Mapping[str, Any]) -> str | None:
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return None
    return engine.kind_map.pod_spec_pointer(api_version, kind)


def _resolve(obj: dict[str, Any], pointer: str) -> dict[str, Any] | None:
    view = ObjectView(Document("", 0, obj)).pod_spec(pointer)
    return view.data if view is not None else None


def _allow(
    request: AdmissionRequest,
    decision: str,
    reason: str,
    annotations: Mapping[str, str] | None = None,
) -> Decision:
    response: dict[str, Any] = {"uid": request.uid, "allowed": True}
    if annotations:
        response["auditAnnotations"] = dict(annotations)
    return Decision(_envelope(request, response), request, True, decision, reason=reason)


def _envelope(request: AdmissionRequest, response: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": request.api_version, "kind": "AdmissionReview", "response": response}


_DEFAULT_REVIEWER: Reviewer | None = None


def review(admission_review: dict[str, Any]) -> dict[str, Any]:
    """Answer one AdmissionReview with the default configuration (policy `default`, enforce).

    Raises ReviewError for input that is not an AdmissionReview this webhook can answer.
    """
    global _DEFAULT_REVIEWER
    if _DEFAULT_REVIEWER is None:
        _DEFAULT_REVIEWER = Reviewer()
    return _DEFAULT_REVIEWER.review(admission_review)
