"""The real `podlint webhook serve` process on loopback; a client that talks like kube-apiserver."""

from __future__ import annotations

import json
import os
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from podlint.webhook import certs

SERVICE = "podlint-webhook"
NAMESPACE = "podlint-system"
HOSTNAME = f"{SERVICE}.{NAMESPACE}.svc"
# What kube-apiserver's webhook client sends (research/webhook.md §2).
APISERVER_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json, */*",
    "User-Agent": "kube-apiserver-admission",
}
VALIDATE = "/validate?timeout=10s"


def make_certs(directory: Path) -> Path:
    certs.write(certs.issue(SERVICE, NAMESPACE), directory)
    return directory


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def client_context(ca_file: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(cafile=str(ca_file))
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


class WebhookProcess:
    def __init__(
        self,
        directory: Path,
        config: dict[str, Any] | None = None,
        *extra_args: str,
        extra_names: tuple[str, ...] = (),
        python_path: Path | None = None,
        keep_ca_key: bool = False,
    ) -> None:
        self.directory = directory
        self.cert_dir = directory / "certs"
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = certs.self_signed_ca(ca_key, NAMESPACE)
        certs.write(
            certs.issue(SERVICE, NAMESPACE, extra_names, ca=(ca_key, ca_cert)), self.cert_dir
        )
        if keep_ca_key:  # to issue the next pair from the same CA, as a rotation does
            (self.cert_dir / ".ca.key").write_bytes(
                ca_key.private_bytes(
                    serialization.Encoding.PEM,
                    serialization.PrivateFormat.PKCS8,
                    serialization.NoEncryption(),
                )
            )
        self.port = free_port()
        env = dict(os.environ)
        if python_path is not None:
            env["PYTHONPATH"] = os.pathsep.join(
                part for part in (str(python_path), env.get("PYTHONPATH")) if part
            )
        self.config_path = directory / "config.yaml"
        self.config_path.write_text(json.dumps(config or {}), encoding="utf-8")
        self.log_path = directory / "server.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "podlint",
                "webhook",
                "serve",
                "--tls-cert",
                str(self.cert_dir / certs.CERT_FILE),
                "--tls-key",
                str(self.cert_dir / certs.KEY_FILE),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--config",
                str(self.config_path),
                *extra_args,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
            env=env,
        )
        self.wait_ready()

    @property
    def base_url(self) -> str:
        return f"https://{HOSTNAME}:{self.port}"

    def client(self, ca_file: Path | None = None, **kwargs: Any) -> httpx.Client:
        """Verifies the chain against our CA and the SAN against the Service's DNS name,
        while connecting to 127.0.0.1 (the transport resolves HOSTNAME to loopback)."""
        context = client_context(ca_file or self.cert_dir / certs.CA_FILE)
        transport = httpx.HTTPTransport(verify=context)
        return _LoopbackClient(self.port, transport=transport, timeout=10, **kwargs)

    def wait_ready(self, seconds: float = 30) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log()}")
            try:
                with self.client() as client:
                    if client.get(f"{self.base_url}/readyz").status_code == 200:
                        return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server not ready in {seconds}s: {self.log()}")

    def log(self) -> str:
        self._log.flush()
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def terminate(self) -> None:
        self.process.send_signal(signal.SIGTERM)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log.close()


class _LoopbackClient(httpx.Client):
    """An httpx client whose connections go to 127.0.0.1:port whatever the URL's host, with
    the URL's host used for SNI and certificate verification, as a Service DNS name would be."""

    def __init__(self, port: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._port = port

    def send(self, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        request.extensions = {**request.extensions, "sni_hostname": request.url.host}
        request.url = request.url.copy_with(host="127.0.0.1", port=self._port)
        request.headers["Host"] = f"{HOSTNAME}:{self._port}"
        return super().send(request, **kwargs)


SLOW_CARD = """\
id: slow/sleep
summary: A rule that takes as long as the object's podlint.test/sleep annotation says
category: reliability
severity: warning
target: object
check: slow.sleep
docs:
  what: Sleeps for the seconds in the podlint.test/sleep annotation, then reports nothing.
  why: A stand-in for a slow third-party rule.
  example: "see the webhook tests"
  use-instead: "see the webhook tests"
  references: ["tests/webhook"]
"""

SLOW_MODULE = """\
import time
from pathlib import Path

from podlint.api import hookimpl, load_card


@hookimpl
def podlint_rules():
    return [load_card(Path(__file__).parent / "slow-sleep.yaml")]


@hookimpl
def podlint_checks():
    return {"slow.sleep": sleep}


def sleep(obj, ctx):
    annotations = obj.data.get("metadata", {}).get("annotations") or {}
    seconds = float(annotations.get("podlint.test/sleep", "0"))
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:  # busy, as a slow rule is
        sum(range(1000))
    return iter(())
"""


def slow_plugin(directory: Path) -> Path:
    """An installed-looking plugin (a package and its dist-info on sys.path) with a rule,
    slow/sleep, that takes as long as the object asks; returns the directory for PYTHONPATH."""
    package = directory / "podlint_slow"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(SLOW_MODULE, encoding="utf-8")
    (package / "slow-sleep.yaml").write_text(SLOW_CARD, encoding="utf-8")
    info = directory / "podlint_slow-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: podlint-slow\nVersion: 1.0\n", encoding="utf-8"
    )
    (info / "entry_points.txt").write_text("[podlint]\nslow = podlint_slow\n", encoding="utf-8")
    return directory
