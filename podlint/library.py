"""The Python API: lint text and files, check updates, review AdmissionReviews, evaluate PSS.

Everything here takes and returns plain data (strings, dicts, frozen dataclasses); the names
are re-exported lazily by ``podlint`` (``podlint.lint_text``, ...). Mistakes in the arguments
(an unknown policy, an unsupported Kubernetes version, a path that cannot be read, a broken
configuration file) raise :class:`LintError` with a message that says what would be valid.
Manifests that cannot be read are findings, as on the command line, never exceptions.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from podlint.model.finding import Finding, Severity
from podlint.model.version import LATEST, KubeVersion

if TYPE_CHECKING:
    from podlint.config import ConfigResolver
    from podlint.lint import SourceResult

__all__ = [
    "LintError",
    "LintFinding",
    "PssVerdict",
    "PssViolation",
    "check_update",
    "evaluate_pss",
    "lint_paths",
    "lint_text",
    "review",
]

DEFAULT_POLICY = "default"


class LintError(ValueError):
    """An argument podlint cannot use; the message names it and what would be valid."""


@dataclass(frozen=True, slots=True)
class LintFinding:
    """One finding, with the fields of the JSON report (``--format json``).

    ``line``, ``column``, ``end_line`` and ``end_column`` are 1-based, or None where there is
    no source position (``check_update``). ``severity`` is a ``str`` enum: it compares equal
    to ``"error"``, ``"warning"`` or ``"info"``.
    """

    rule: str
    severity: Severity
    message: str
    file: str
    line: int | None
    column: int | None
    end_line: int | None
    end_column: int | None
    pointer: str
    document: int | None
    kind: str | None
    namespace: str | None
    name: str | None

    def to_dict(self) -> dict[str, Any]:
        """The finding as the JSON report writes it (``endLine``, ``endColumn``)."""
        return {
            "rule": self.rule,
            "severity": self.severity.value,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "endLine": self.end_line,
            "endColumn": self.end_column,
            "pointer": self.pointer,
            "document": self.document,
            "kind": self.kind,
            "namespace": self.namespace,
            "name": self.name,
        }


def _public(finding: Finding) -> LintFinding:
    span = finding.span
    return LintFinding(
        rule=finding.rule,
        severity=finding.severity,
        message=finding.message,
        file=finding.path,
        line=span.line + 1 if span else None,
        column=span.column + 1 if span else None,
        end_line=span.end_line + 1 if span else None,
        end_column=span.end_column + 1 if span else None,
        pointer=finding.pointer,
        document=finding.document,
        kind=finding.kind,
        namespace=finding.namespace,
        name=finding.name,
    )


def _version(kubernetes_version: str | KubeVersion | None) -> KubeVersion:
    if kubernetes_version is None:
        return LATEST
    if isinstance(kubernetes_version, KubeVersion):
        return kubernetes_version
    try:
        return KubeVersion.parse(str(kubernetes_version))
    except ValueError as error:
        raise LintError(str(error)) from None


def _resolver(
    policy: str | os.PathLike[str] | None,
    kubernetes_version: str | KubeVersion | None,
    select: Sequence[str],
    ignore: Sequence[str],
    use_config: bool,
) -> ConfigResolver:
    from podlint.config import ConfigResolver
    from podlint.runtime import Options

    if isinstance(select, str) or isinstance(ignore, str):
        raise LintError("select and ignore take a list of rule selectors, not a string")
    explicit = [
        name
        for name, value in (("policy", policy), ("kubernetes_version", kubernetes_version))
        if value is not None
    ]
    options = Options(
        policy=os.fspath(policy) if policy is not None else DEFAULT_POLICY,
        kubernetes_version=_version(kubernetes_version),
        select=tuple(select),
        ignore=tuple(ignore),
    )
    return ConfigResolver(options, explicit=explicit, use_config=use_config, snapshot=True)


def _run(results: Iterable[SourceResult]) -> list[LintFinding]:
    from podlint.config import ConfigError
    from podlint.policy import PolicyError
    from podlint.registry import RegistryError

    findings: list[LintFinding] = []
    try:
        for result in results:
            if result.error is not None:
                raise LintError(f"{result.path}: {result.error}")
            findings.extend(_public(f) for f in result.findings)
    except (ConfigError, PolicyError, RegistryError) as error:
        raise LintError(str(error)) from None
    return findings


def lint_text(
    text: str,
    *,
    filename: str = "<text>",
    policy: str | os.PathLike[str] | None = None,
    kubernetes_version: str | KubeVersion | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    use_config: bool = False,
) -> list[LintFinding]:
    """The findings for one manifest text (YAML or JSON, one or more documents).

    ``filename`` is the name findings carry. ``policy`` is a policy name (``default``,
    ``recommended``, ``restricted``, ...) or a policy file; ``kubernetes_version`` is
    ``"1.33"``-style or ``"latest"`` (the default). ``select``/``ignore`` take rule ids,
    ``@category`` and globs, as ``--select``/``--ignore`` do. With ``use_config=True`` the
    ``.podlint.yaml`` closest to ``filename`` applies (the arguments given here beat it).
    Suppression comments and annotations apply; findings are sorted by position.
    """
    from podlint.lint import _CrossObjectRun
    from podlint.lint import lint_text as lint_one

    if not isinstance(text, str):
        raise LintError(f"text must be a str, not {type(text).__name__}")
    resolver = _resolver(policy, kubernetes_version, select, ignore, use_config)

    def results() -> Iterable[SourceResult]:
        # As for stdin on the command line: cross-object rules see this text's objects.
        run = _CrossObjectRun()
        engine = run.engine(resolver.engine_for(filename))
        yield run.seen(engine, lint_one(engine, filename, text))
        yield from run.finish(strict=False)

    return _run(results())


def lint_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    policy: str | os.PathLike[str] | None = None,
    kubernetes_version: str | KubeVersion | None = None,
    select: Sequence[str] = (),
    ignore: Sequence[str] = (),
    use_config: bool = True,
) -> list[LintFinding]:
    """The findings for files and directories, as ``podlint lint PATH...`` reports them.

    Directories are walked as on the command line (``*.yaml``, ``*.yml``, ``*.json``; hidden
    directories and Helm chart templates left out, kustomize patches linted as fragments);
    each file uses its closest ``.podlint.yaml`` unless ``use_config=False``; cross-object
    rules see every file of the call. A path that does not exist or cannot be read raises
    :class:`LintError`. The other arguments are those of :func:`lint_text`.
    """
    from podlint.lint import lint_sources

    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    names = [os.fspath(p) for p in paths]
    if "-" in names:
        raise LintError("'-' (stdin) is a command-line name: read it and call lint_text")
    resolver = _resolver(policy, kubernetes_version, select, ignore, use_config)
    return _run(lint_sources(resolver.engine_for, names))


def check_update(
    old: Mapping[str, Any],
    new: Mapping[str, Any],
    *,
    kubernetes_version: str | KubeVersion | None = None,
) -> list[LintFinding]:
    """What the apiserver refuses when ``old`` is updated to ``new`` (two objects as dicts).

    One ``immutable-*`` finding (severity error) per refused change, and a
    ``rolling-update-kept`` warning per change an apply would turn into a refused one;
    ``pointer`` is the changed field in ``new``. There is no file: ``file`` is empty and the
    positions are None.
    """
    from podlint.update import check_update as compare

    for name, value in (("old", old), ("new", new)):
        if not isinstance(value, Mapping):
            raise LintError(f"{name} must be a mapping (a Kubernetes object), not {value!r}")
    return [_public(f) for f in compare(old, new, _version(kubernetes_version))]


def review(admission_review: Mapping[str, Any]) -> dict[str, Any]:
    """Answer an AdmissionReview (v1 or v1beta1, as a dict) as ``podlint webhook`` does.

    Uses the webhook's default configuration (policy ``default``, enforce): the answer is
    the AdmissionReview response dict, with ``allowed``, the denial ``status`` and
    ``warnings``. Input that is not an AdmissionReview raises :class:`LintError`. Needs no
    extra: the HTTP server is not imported.
    """
    from podlint.webhook.review import review as answer
    from podlint.webhook.source import ReviewError

    try:
        return answer(dict(admission_review))
    except ReviewError as error:
        raise LintError(str(error)) from None


@dataclass(frozen=True, slots=True)
class PssViolation:
    """A failed Pod Security Standards check, as Pod Security Admission words it."""

    check: str
    reason: str
    detail: str
    pointers: tuple[str, ...]

    @property
    def message(self) -> str:
        return f"{self.reason} ({self.detail})" if self.detail else self.reason


@dataclass(frozen=True, slots=True)
class PssVerdict:
    """Pod Security Admission's answer for one pod at one level and version."""

    level: str
    version: str
    violations: tuple[PssViolation, ...]

    @property
    def allowed(self) -> bool:
        return not self.violations

    @property
    def message(self) -> str | None:
        """Upstream's denial, ``violates PodSecurity "restricted:latest": ...``; None if allowed."""
        if not self.violations:
            return None
        detail = ", ".join(violation.message for violation in self.violations)
        return f'violates PodSecurity "{self.level}:{self.version}": {detail}'


def evaluate_pss(
    obj: Mapping[str, Any], *, level: str = "restricted", version: str = "latest"
) -> PssVerdict:
    """Evaluate a Pod, or the pod template of a workload, against a Pod Security Standard.

    ``obj`` is a Pod or a built-in pod-carrying object (Deployment, Job, CronJob, ...) as a
    dict; ``level`` is ``baseline`` or ``restricted``; ``version`` is ``latest`` or ``1.N``
    (``v1.N``), as the ``pod-security.kubernetes.io/enforce-version`` label. Checks and
    messages are upstream's; a Pod's ``hostPort`` is defaulted as the apiserver does first.
    """
    from podlint.model.kinds import BUILTIN_POD_SPEC_POINTERS
    from podlint.model.pointer import join, parent, split
    from podlint.pss.policy import LEVELS, evaluate, pod_from
    from podlint.pss.version import LATEST as LATEST_PSS
    from podlint.pss.version import parse_pss_version

    if level not in LEVELS:
        raise LintError(
            f"unknown Pod Security Standards level {level!r}: expected baseline or restricted"
        )
    try:
        minor = parse_pss_version(version)
    except ValueError as error:
        raise LintError(str(error)) from None
    if not isinstance(obj, Mapping):
        raise LintError(f"obj must be a mapping (a Kubernetes object), not {obj!r}")
    kind = obj.get("kind")
    spec_pointer = BUILTIN_POD_SPEC_POINTERS.get(kind) if isinstance(kind, str) else None
    if spec_pointer is None:
        raise LintError(
            f"kind {kind!r} carries no pod spec: expected one of "
            f"{', '.join(BUILTIN_POD_SPEC_POINTERS)}"
        )
    metadata_pointer = join(parent(spec_pointer), "metadata")
    spec = _at(obj, split(spec_pointer))
    metadata = _at(obj, split(metadata_pointer))
    pod = pod_from(spec, metadata, default_host_ports=kind == "Pod")
    violations = tuple(
        PssViolation(
            check=result.check,
            reason=result.reason,
            detail=result.detail,
            pointers=tuple(
                join(spec_pointer if base == "spec" else metadata_pointer, *parts)
                for base, *parts in (v.path for v in result.violations)
            ),
        )
        for result in evaluate(pod, level, minor)
    )
    label = LATEST_PSS if version == LATEST_PSS else f"v1.{minor}"
    return PssVerdict(level=level, version=label, violations=violations)


def _at(data: Any, parts: list[str]) -> Any:
    for part in parts:
        if not isinstance(data, Mapping):
            return None
        data = data.get(part)
    return data
