"""`podlint webhook certs|manifests|serve` through the real CLI."""

from __future__ import annotations

import base64
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from cryptography import x509
from ruamel.yaml import YAML

from podlint.cli import main


def _certs(out: Path) -> None:
    code = main(["webhook", "certs", "--service", "pw", "--namespace", "ops", "--out", str(out)])
    assert code == 0


def test_certs_writes_a_kubernetes_tls_secret_layout(tmp_path: Path) -> None:
    _certs(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ca.crt", "tls.crt", "tls.key"]
    assert stat.S_IMODE((tmp_path / "tls.key").stat().st_mode) == 0o600
    cert = x509.load_pem_x509_certificate((tmp_path / "tls.crt").read_bytes())
    names = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert "pw.ops.svc" in names.get_values_for_type(x509.DNSName)
    assert "pw.ops.svc.cluster.local" in names.get_values_for_type(x509.DNSName)
    ca = x509.load_pem_x509_certificate((tmp_path / "ca.crt").read_bytes())
    cert.verify_directly_issued_by(ca)


def _manifests(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[str, list[dict]]:  # type: ignore[type-arg]
    capsys.readouterr()
    assert main(["webhook", "manifests", *args]) == 0
    text = capsys.readouterr().out
    return text, list(YAML(typ="safe").load_all(text))


def test_manifests_with_generated_certs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _certs(tmp_path / "certs")
    text, items = _manifests(capsys, "--namespace", "ops", "--certs", str(tmp_path / "certs"))
    by_kind = {item["kind"]: item for item in items}
    assert set(by_kind) == {
        "Namespace",
        "ServiceAccount",
        "Secret",
        "ConfigMap",
        "Deployment",
        "PodDisruptionBudget",
        "Service",
        "ValidatingWebhookConfiguration",
    }
    deployment = by_kind["Deployment"]
    assert deployment["spec"]["replicas"] == 2
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert set(container["resources"]) == {"requests", "limits"}
    pod_spec = deployment["spec"]["template"]["spec"]
    (spread,) = pod_spec["topologySpreadConstraints"]
    assert spread["topologyKey"] == "kubernetes.io/hostname"
    assert spread["labelSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
    assert pod_spec["serviceAccountName"] == by_kind["ServiceAccount"]["metadata"]["name"]
    budget = by_kind["PodDisruptionBudget"]["spec"]
    assert budget["minAvailable"] == 1 and budget["selector"] == deployment["spec"]["selector"]
    configuration = by_kind["ValidatingWebhookConfiguration"]
    ca = (tmp_path / "certs" / "ca.crt").read_bytes()
    for hook in configuration["webhooks"]:
        assert base64.b64decode(hook["clientConfig"]["caBundle"]) == ca
        assert hook["clientConfig"]["service"]["namespace"] == "ops"
        assert hook["sideEffects"] == "None"
        assert hook["admissionReviewVersions"] == ["v1"]
        assert hook["timeoutSeconds"] == 5
        by_name, opt_out = hook["namespaceSelector"]["matchExpressions"]
        assert by_name["operator"] == "NotIn"
        assert by_name["values"] == ["kube-system", "ops"]
        assert opt_out == {"key": "admission.podlint.io/ignore", "operator": "DoesNotExist"}
        (condition,) = hook["matchConditions"]
        assert '"system:nodes"' in condition["expression"]
    pods, workloads = configuration["webhooks"]
    assert pods["failurePolicy"] == "Fail"
    assert workloads["failurePolicy"] == "Ignore"  # it never denies, so it never blocks
    assert "failurePolicy" in text.splitlines()[1]
    kinds = [item["kind"] for item in items]
    assert kinds.index("Namespace") < kinds.index("Secret")  # applied in order
    assert by_kind["Namespace"]["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == (
        "restricted"
    )
    out = tmp_path / "deploy.yaml"
    out.write_text(text, encoding="utf-8")
    for policy in ("restricted", "hardened"):
        assert main(["lint", "--policy", policy, "--no-config", str(out)]) == 0


def test_manifests_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _certs(tmp_path / "certs")
    _, items = _manifests(
        capsys,
        "--certs",
        str(tmp_path / "certs"),
        "--url",
        "https://127.0.0.1:8443/validate",
        "--failure-policy",
        "Ignore",
        "--exclude-group",
        "system:nodes",
        "--exclude-group",
        "ops:robots",
        "--exclude-user",
        "system:serviceaccount:ci:deployer",
    )
    pods, workloads = items[-1]["webhooks"]
    assert pods["clientConfig"]["url"] == "https://127.0.0.1:8443/validate"
    assert "service" not in pods["clientConfig"]
    assert pods["failurePolicy"] == workloads["failurePolicy"] == "Ignore"
    groups, users = pods["matchConditions"]
    assert '"ops:robots"' in groups["expression"]
    assert users["expression"] == (
        '!(request.userInfo.username in ["system:serviceaccount:ci:deployer"])'
    )
    # Before 1.28 an apiserver does not know matchConditions.
    _, older = _manifests(capsys, "--kubernetes-version", "1.27")
    assert all("matchConditions" not in hook for hook in older[-1]["webhooks"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--url", "http://127.0.0.1/validate"], "expected https://HOST"),
        (["--url", "https://example.com/validate?x=1"], "without a query"),
        (["--kubernetes-version", "1.2"], "unsupported Kubernetes version"),
    ],
)
def test_manifests_refuse_bad_options(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["webhook", "manifests", *args]) == 2
    assert message in capsys.readouterr().err


def test_manifests_without_certs_use_cert_manager(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text, items = _manifests(capsys)
    kinds = [item["kind"] for item in items]
    assert "Certificate" in kinds and "Issuer" in kinds and "Secret" not in kinds
    configuration = items[-1]
    assert configuration["metadata"]["annotations"]["cert-manager.io/inject-ca-from"] == (
        "podlint-system/podlint-webhook"
    )
    out = tmp_path / "deploy.yaml"
    out.write_text(text, encoding="utf-8")
    assert main(["lint", "--policy", "restricted", "--no-config", str(out)]) == 0
    # The same check fails once the restricted securityContext is gone.
    out.write_text(text.replace("runAsNonRoot: true", "runAsNonRoot: false"), encoding="utf-8")
    capsys.readouterr()
    assert main(["lint", "--policy", "restricted", "--no-config", str(out)]) == 1


def test_serve_refuses_missing_certificate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        ["webhook", "serve", "--tls-cert", str(tmp_path / "nope.crt"), "--tls-key", "k.key"]
    )
    assert code == 2
    assert "nope.crt" in capsys.readouterr().err


def test_serve_refuses_an_invalid_config(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _certs(tmp_path)
    config = tmp_path / "config.yaml"
    config.write_text("namespaces: [{match: [prod], mode: block}]\n", encoding="utf-8")
    code = main(
        [
            "webhook",
            "serve",
            "--tls-cert",
            str(tmp_path / "tls.crt"),
            "--tls-key",
            str(tmp_path / "tls.key"),
            "--config",
            str(config),
        ]
    )
    assert code == 2
    assert "namespaces[0].mode is 'block'" in capsys.readouterr().err


def test_lint_never_imports_the_webhook_stack() -> None:
    script = (
        "import sys\n"
        "from podlint.cli import main\n"
        "main(['rules'])\n"
        "heavy = [m for m in sys.modules if m.split('.')[0] in "
        "('starlette', 'uvicorn', 'prometheus_client', 'cryptography') "
        "or m.startswith('podlint.webhook')]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
