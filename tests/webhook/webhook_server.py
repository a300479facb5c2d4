"""The real `podlint webhook serve` process on loopback; a client that talks like kube-apiserver."""

from __future__ import annotations

import json
import signal
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

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
        self, directory: Path, config: dict[str, Any] | None = None, *extra_args: str
    ) -> None:
        self.directory = directory
        self.cert_dir = make_certs(directory / "certs")
        self.port = free_port()
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
