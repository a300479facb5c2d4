"""Pod Security Admission conformance: podlint agrees with every upstream fixture.

../shared/conformance/psa holds upstream's golden pods (<level>/v1.<minor>/<pass|fail>/*.yaml).
Each is linted in-process with the level's policy pinned to its version (as ``--policy <level>
--pss-version 1.<minor>`` does): a pass pod yields no pss-* finding, a fail pod yields at least
one, every finding is located at a field, and the messages carry the substring upstream's own
runner requires. The aggregated verdict of ``podlint.pss.evaluate`` must say the same.
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from podlint.engine import Engine
from podlint.lint import lint_bytes
from podlint.model.finding import Severity
from podlint.model.version import KubeVersion
from podlint.policy import RuleSetting
from podlint.pss import aggregate, evaluate, parse_pss_version, pod_from
from podlint.pss.policy import BY_RULE
from podlint.pss.selection import with_pss_version
from podlint.registry import default_registry
from podlint.runtime import Options, build_engine
from podlint.source.data import load_yaml_file
from tests.conftest import SHARED
from tests.pss_reference import unscreened

ROOT = SHARED / "conformance" / "psa"
MAX_BYTES = 1024 * 1024

# The README's check-to-fixture map: fixture name prefix -> substring of the denial.
SUBSTRINGS = {
    "apparmorprofile": "forbidden AppArmor profile",
    "capabilities_baseline": "capabilities",
    "hostnamespaces": "host namespaces",
    "hostpathvolumes": "hostPath",
    "hostports": "hostPort",
    "hostprobesandhostlifecycle": "probe or lifecycle host",
    "privileged": "privileged",
    "procmount": "procMount",
    "selinuxoptions": "seLinuxOptions",
    "seccompprofile_baseline": "seccompProfile",
    "sysctls": "forbidden sysctl",
    "windowshostprocess": "hostProcess",
    "allowprivilegeescalation": "allowPrivilegeEscalation",
    "capabilities_restricted": "unrestricted capabilities",
    "procmount_restricted": "procMount",
    "restrictedvolumes": "restricted volume types",
    "runasnonroot": "runAsNonRoot",
    "runasuser": "runAsUser",
    "seccompprofile_restricted": "seccompProfile",
}


def _version_dirs() -> list[Path]:
    if not ROOT.is_dir():
        return []
    return sorted(
        ROOT.glob("*/v1.*"),
        key=lambda p: (p.parent.name, int(p.name.split(".")[1])),
    )


VERSION_DIRS = _version_dirs()


def test_fixture_tree_is_complete() -> None:
    assert ROOT.is_dir(), f"{ROOT} is missing: the tests need ../shared beside the checkout"
    assert len(VERSION_DIRS) == 2 * 38
    assert sum(1 for _ in ROOT.glob("*/v1.*/*/*.yaml")) == 4537


@cache
def _engine(level: str, version: str) -> Engine:
    registry = default_registry()
    options = with_pss_version(Options(policy=level), version, registry)
    engine = build_engine(options, registry)
    pss_only = {k: v for k, v in engine.settings.items() if k.startswith("pss-")}
    return Engine(registry, pss_only, engine.kubernetes_version)


def _expected_substring(path: Path) -> str | None:
    prefix = re.sub(r"\d+$", "", path.stem)
    return None if prefix.startswith("base") else SUBSTRINGS[prefix]


def _check(
    level: str, version: str, path: Path, data: bytes, pod: dict[str, Any], outcome: str
) -> list[str]:
    """Disagreements of podlint with upstream on one fixture (empty when they agree).

    ``data`` is what is linted (the pod, or a workload carrying it); ``pod`` is the fixture.
    """
    result = lint_bytes(_engine(level, version), str(path), data, MAX_BYTES)
    problems = []
    findings = result.findings
    if any(f.span is None or not f.rule.startswith("pss-") for f in findings):
        problems.append(f"unlocated or foreign findings: {findings}")
    messages = ", ".join(f.message for f in findings)
    minor = parse_pss_version(version)
    results = evaluate(pod_from(pod.get("spec"), pod.get("metadata")), level, minor)
    verdict = aggregate(results)
    for default_host_ports in (False, True):
        screened = pod_from(
            pod.get("spec"), pod.get("metadata"), default_host_ports=default_host_ports
        )
        if evaluate(screened, level, minor) != unscreened(screened, level, minor):
            problems.append(
                f"screening changed the verdict (default_host_ports={default_host_ports})"
            )
    if {BY_RULE[f.rule].id for f in findings} != {r.check for r in results}:
        problems.append(f"findings [{messages}] disagree with the verdict [{verdict}]")
    if outcome == "pass":
        if findings or results:
            problems.append(f"a pass fixture is refused: {verdict}")
        return problems
    if not findings:
        problems.append("a fail fixture is allowed")
    substring = _expected_substring(path)
    if substring is not None and (substring not in messages or substring not in verdict):
        problems.append(f"{substring!r} is not in [{messages}] / [{verdict}]")
    if "unknown forbidden reason" in verdict:
        problems.append(verdict)
    return problems


@pytest.mark.parametrize(
    "directory", VERSION_DIRS, ids=[f"{d.parent.name}-{d.name}" for d in VERSION_DIRS]
)
def test_upstream_fixtures(directory: Path) -> None:
    level = directory.parent.name
    version = directory.name.removeprefix("v")
    failures = {}
    files = sorted(directory.glob("*/*.yaml"))
    assert files
    for path in files:
        data = path.read_bytes()
        problems = _check(level, version, path, data, load_yaml_file(path), path.parent.name)
        if problems:
            failures[f"{path.parent.name}/{path.name}"] = problems
    assert not failures, f"{level} {version}: {len(failures)} of {len(files)} disagree: {failures}"


NEWEST = [d for d in VERSION_DIRS if d.name == "v1.37"]


@pytest.mark.parametrize("version", ["latest", "1.99", "v1.37"])
@pytest.mark.parametrize("directory", NEWEST, ids=[d.parent.name for d in NEWEST])
def test_newest_fixtures_at_latest_and_newer_versions(directory: Path, version: str) -> None:
    level = directory.parent.name
    failures = {}
    for path in sorted(directory.glob("*/*.yaml")):
        data = path.read_bytes()
        problems = _check(level, version, path, data, load_yaml_file(path), path.parent.name)
        if problems:
            failures[path.name] = problems
    assert not failures


@pytest.mark.parametrize("directory", NEWEST, ids=[d.parent.name for d in NEWEST])
def test_newest_fixtures_as_deployment_templates(directory: Path) -> None:
    """Workloads are evaluated on their pod template (admission warns instead of denying)."""
    level = directory.parent.name
    failures = {}
    for path in sorted(directory.glob("*/*.yaml")):
        pod = load_yaml_file(path)
        deployment = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {"name": "test"},
            "spec": {
                "selector": {"matchLabels": {"app": "test"}},
                "template": {"metadata": pod.get("metadata", {}), "spec": pod["spec"]},
            },
        }
        data = json.dumps(deployment, indent=1).encode()
        problems = _check(level, "1.37", path, data, pod, path.parent.name)
        if problems:
            failures[path.name] = problems
    assert not failures


def test_kubernetes_version_selects_the_policy_version() -> None:
    """Without --pss-version, the policy version is the target Kubernetes version."""
    registry = default_registry()
    engine = build_engine(
        Options(policy="restricted", kubernetes_version=KubeVersion(1, 25)), registry
    )
    path = ROOT / "restricted" / "v1.35" / "fail" / "procmount_restricted0.yaml"
    findings = lint_bytes(engine, str(path), path.read_bytes(), MAX_BYTES).findings
    assert not [f for f in findings if f.rule == "pss-proc-mount-restricted"]
    newest = build_engine(Options(policy="restricted"), registry)
    findings = lint_bytes(newest, str(path), path.read_bytes(), MAX_BYTES).findings
    assert [f for f in findings if f.rule == "pss-proc-mount-restricted"]


# --- semantics the upstream fixtures do not cover -------------------------------------------


def _verdict(spec: dict[str, Any], level: str, version: str, metadata: Any = None) -> str:
    return aggregate(evaluate(pod_from(spec, metadata or {}), level, parse_pss_version(version)))


def test_aggregated_messages_follow_upstream_wording() -> None:
    spec = {
        "containers": [
            {"name": "a", "ports": [{"hostPort": 20}, {"hostPort": 100}]},
            {"name": "b", "ports": [{"hostPort": 20}], "securityContext": {"privileged": True}},
        ],
        "ephemeralContainers": [{"name": "dbg", "securityContext": {"privileged": True}}],
    }
    assert _verdict(spec, "baseline", "latest") == (
        'hostPort (containers "a", "b" use hostPorts 100, 20), '
        'privileged (containers "b", "dbg" must not set securityContext.privileged=true)'
    )


def test_user_namespace_relaxation_starts_at_1_35() -> None:
    spec = {
        "hostUsers": False,
        "securityContext": {"runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [
            {
                "name": "app",
                "securityContext": {
                    "procMount": "Unmasked",
                    "allowPrivilegeEscalation": False,
                    "capabilities": {"drop": ["ALL"]},
                },
            }
        ],
    }
    assert _verdict(spec, "baseline", "1.35") == ""
    assert _verdict(spec, "baseline", "1.34").startswith("procMount (")
    assert _verdict(spec, "restricted", "1.35") == (
        'procMount (container "app" must not set securityContext.procMount to "Unmasked")'
    )
    assert "runAsNonRoot != true" in _verdict(spec, "restricted", "1.34")
    assert "runAsUser=0 (pod must not set runAsUser=0)" in _verdict(spec, "restricted", "1.34")


def test_selinux_container_engine_type_from_1_31() -> None:
    spec = {
        "containers": [
            {"name": "c", "securityContext": {"seLinuxOptions": {"type": "container_engine_t"}}}
        ]
    }
    assert _verdict(spec, "baseline", "1.31") == ""
    assert _verdict(spec, "baseline", "1.30") == (
        'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: '
        'type "container_engine_t")'
    )


def test_seccomp_annotations_before_1_19_fields_after() -> None:
    metadata = {
        "annotations": {
            "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
            "container.seccomp.security.alpha.kubernetes.io/app": 'bad"value',
            "container.seccomp.security.alpha.kubernetes.io/gone": "unconfined",
        }
    }
    spec = {"containers": [{"name": "app"}]}
    assert _verdict(spec, "baseline", "1.18", metadata) == (
        "seccompProfile (forbidden annotations "
        'container.seccomp.security.alpha.kubernetes.io/app="bad\\"value", '
        'seccomp.security.alpha.kubernetes.io/pod="unconfined")'
    )
    assert _verdict(spec, "baseline", "1.19", metadata) == ""


def test_windows_pods_skip_the_linux_only_restricted_checks_from_1_25() -> None:
    spec = {"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": True}}
    spec["containers"] = [{"name": "app"}]
    assert _verdict(spec, "restricted", "1.25") == ""
    assert _verdict(spec, "restricted", "1.24").count("(") == 3


MALFORMED: list[Any] = [None, "x", 1, True, [], {}, [1, "a", None], {"type": 5}]


@pytest.mark.parametrize("value", MALFORMED, ids=repr)
def test_malformed_fields_never_crash_a_check(value: Any) -> None:
    """Wrong types are the schema rule's to report; every pss check reads them as absent."""
    fields = ("securityContext", "capabilities", "seccompProfile", "seLinuxOptions", "ports")
    container: dict[str, Any] = {"name": value, **{field: value for field in fields}}
    container["securityContext"] = {
        key: value
        for key in (
            "privileged",
            "capabilities",
            "procMount",
            "seccompProfile",
            "seLinuxOptions",
            "appArmorProfile",
            "windowsOptions",
            "runAsNonRoot",
            "runAsUser",
            "allowPrivilegeEscalation",
        )
    }
    for probe in ("livenessProbe", "lifecycle"):
        container[probe] = {"httpGet": value, "postStart": value}
    specs = [
        {key: value for key in ("containers", "initContainers", "volumes", "securityContext")},
        {"containers": [container, value], "volumes": [value, {"name": value, "nfs": value}]},
        {"containers": [container], "securityContext": container["securityContext"]},
    ]
    for spec in specs:
        for level in ("baseline", "restricted"):
            for minor in (0, 18, 19, 25, 35, 37):
                pod = pod_from(spec, {"annotations": value})
                assert evaluate(pod, level, minor) == unscreened(pod, level, minor)
    engine = _engine("restricted", "latest")
    document = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "m"}, "spec": specs[1]}
    data = json.dumps(document).encode()
    findings = lint_bytes(engine, "m.json", data, MAX_BYTES).findings
    assert all(f.rule.startswith("pss-") for f in findings), findings


def test_cli_rejects_an_unknown_pss_version(capsys: pytest.CaptureFixture[str]) -> None:
    from podlint.cli import main

    assert main(["lint", "--pss-version", "2.0", "x.yaml"]) == 2
    error = capsys.readouterr().err
    assert "--pss-version" in error and "latest, or 1.0 to 1.37" in error


def test_cli_pss_version_pins_the_policy_version(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from podlint.cli import main

    manifest = tmp_path / "pod.yaml"
    manifest.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
        "  containers:\n  - name: c\n    image: nginx:1.27\n"
        "    securityContext:\n      seLinuxOptions: {type: container_engine_t}\n",
        encoding="utf-8",
    )
    args = ["lint", "--select", "pss-se-linux-options", "--format", "json", str(manifest)]
    assert main([*args, "--pss-version", "1.30"]) == 1
    report = json.loads(capsys.readouterr().out)
    [finding] = report["findings"]
    assert finding["pointer"] == "/spec/containers/0/securityContext/seLinuxOptions/type"
    assert (finding["line"], finding["column"]) == (9, 30)
    assert main([*args, "--pss-version", "1.31"]) == 0
    assert main([*args, "--kubernetes-version", "1.30"]) == 1


@pytest.mark.parametrize(
    ("version", "expected"),
    [(1.3, "quote it"), ("2.0", "expected latest, or 1.0 to 1.37"), ("v1.025", "expected")],
)
def test_a_bad_version_option_is_a_clear_finding(version: Any, expected: str) -> None:
    registry = default_registry()
    engine = Engine(registry, {"pss-privileged": RuleSetting(Severity.ERROR, {"version": version})})
    data = b"apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n  containers: []\n"
    [finding] = lint_bytes(engine, "p.yaml", data, MAX_BYTES).findings
    assert finding.rule == "pss-privileged" and expected in finding.message
