"""The HTTPS server: Starlette on uvicorn, a thin adapter around Reviewer.decide().

Operational behaviour, each for a reason learned from webhook outages:
- HTTP 200 whenever a verdict exists; 400/413 only for bodies that are not a review, so the
  apiserver applies failurePolicy to them and never reads a half-understood answer.
- The certificate, key and configuration are re-read when their files change (cert-manager
  and ConfigMap updates) without a restart; a broken new file is logged and the old one kept.
- On SIGTERM /readyz turns 503 and responses say `Connection: close` for --shutdown-delay
  seconds (the endpoints controller removes the pod meanwhile), then uvicorn stops accepting,
  lets in-flight requests finish, idle pooled connections are dropped, and it exits 0.
- Reviews run on worker threads, bounded by the apiserver's ?timeout=: past it the answer is
  the configured failure-mode, before the apiserver gives up and applies its own.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import json
import logging
import os
import signal
import ssl
import sys
import threading
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

import uvicorn
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from podlint.webhook import certs
from podlint.webhook.config import WebhookConfig, WebhookConfigError, load_config
from podlint.webhook.connections import bound_tls, with_header_timeout
from podlint.webhook.limits import review_budget
from podlint.webhook.metrics import Metrics
from podlint.webhook.pool import ReviewPool
from podlint.webhook.review import Decision, Reviewer
from podlint.webhook.source import AdmissionRequest, ReviewError, parse_review

LOG = logging.getLogger("podlint.webhook")
DECISIONS = logging.getLogger("podlint.webhook.decision")

MAX_BODY = 3 * 1024 * 1024  # what kube-apiserver itself accepts, and what PSA's webhook reads
# Enough that a few slow reviews, answered at their deadline but still running, leave threads
# for the others.
REVIEW_THREADS = 8
# How long an idle connection gets to close politely once the server stops.
IDLE_CLOSE_GRACE = 0.5


@dataclass(frozen=True)
class ServeOptions:
    tls_cert: Path
    tls_key: Path
    host: str = "0.0.0.0"
    port: int = 8443
    config: Path | None = None
    workers: int = 1
    shutdown_delay: float = 0.0
    reload_interval: float = 1.0
    # The TLS handshake and a new connection's request headers, each.
    read_timeout: float = 10.0
    # Past it, uvicorn answers 503 (the apiserver's failurePolicy decides).
    max_connections: int = 1000


def _stamp(path: Path | None) -> tuple[int, int, int] | None:
    if path is None:
        return None
    try:
        stat = os.stat(path)  # follows the ..data symlink swap of mounted Secrets/ConfigMaps
    except OSError:
        return None
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


class WebhookState:
    """What the endpoints share: the current reviewer, readiness, metrics."""

    def __init__(self, options: ServeOptions, ssl_context: ssl.SSLContext | None) -> None:
        self.options = options
        # The context uvicorn serves with; each handshake switches to current_ssl.
        self.ssl_context = ssl_context
        self.current_ssl = ssl_context
        if ssl_context is not None:
            ssl_context.sni_callback = self._choose_context
        self.metrics = Metrics()
        self.draining = False
        self.pool = ReviewPool(REVIEW_THREADS)
        self.reviewer = Reviewer(self._load_config())
        self.reviewer.warm_up()
        self._config_stamp = _stamp(options.config)
        self._cert_stamp = (_stamp(options.tls_cert), _stamp(options.tls_key))
        self._update_cert_expiry()

    def _load_config(self) -> WebhookConfig:
        return load_config(self.options.config) if self.options.config else WebhookConfig()

    def _update_cert_expiry(self) -> None:
        with contextlib.suppress(Exception):
            self.metrics.cert_expiry.set(certs.not_after(self.options.tls_cert.read_bytes()))

    def reload_if_changed(self) -> None:
        self.reload_config_if_changed()
        self.reload_certificate_if_changed()

    def reload_config_if_changed(self) -> None:
        """Build the new reviewer off to the side; requests keep the old one until it is ready."""
        stamp = _stamp(self.options.config)
        if stamp is not None and stamp != self._config_stamp:
            self._config_stamp = stamp
            try:
                reviewer = Reviewer(self._load_config())
                reviewer.warm_up()
                self.reviewer = reviewer
            except WebhookConfigError as error:
                self.metrics.reloads.labels("config", "error").inc()
                LOG.error("configuration not reloaded, keeping the previous one: %s", error)
            else:
                self.metrics.reloads.labels("config", "ok").inc()
                LOG.info("configuration reloaded from %s", self.options.config)

    def reload_certificate_if_changed(self) -> None:
        """A new pair goes into a new TLS context, used only once both files load together.

        A rotation writes two files one after the other (a Secret's volume swaps them at
        once, a cert-manager-less script may not): with the certificate written and the key
        not yet, the previous pair keeps serving, the mismatch is logged once, and the pair
        is tried again when a file changes next.
        """
        cert_stamp = (_stamp(self.options.tls_cert), _stamp(self.options.tls_key))
        if cert_stamp == self._cert_stamp or None in cert_stamp:
            return
        self._cert_stamp = cert_stamp
        if self.ssl_context is None:
            return
        try:
            context = server_ssl_context(self.options.tls_cert, self.options.tls_key)
        except (OSError, ssl.SSLError) as error:
            self.metrics.reloads.labels("certificate", "error").inc()
            LOG.error("certificate not reloaded, keeping the previous one: %s", error)
        else:
            self.current_ssl = context
            self.metrics.reloads.labels("certificate", "ok").inc()
            self._update_cert_expiry()
            LOG.info("certificate reloaded from %s", self.options.tls_cert)

    def _choose_context(self, connection: Any, server_name: str | None, _: Any) -> None:
        # Called in every handshake, with or without SNI: hand it the newest good pair.
        if self.current_ssl is not self.ssl_context:
            connection.context = self.current_ssl


def _status(code: int, message: str) -> JSONResponse:
    """A metav1.Status body: client-go decodes it and shows the message in the apiserver log."""
    body = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "message": message}
    return JSONResponse({**body, "code": code}, status_code=code)


async def _read_body(request: Request) -> bytes | Response:
    length = request.headers.get("content-length")
    if length is not None and not length.isdigit():
        return _status(400, f"invalid Content-Length {length!r}")
    if length is not None and int(length) > MAX_BODY:
        return _status(413, f"request body over {MAX_BODY} bytes")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return _status(413, f"request body over {MAX_BODY} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _parse(body: bytes) -> AdmissionRequest:
    return parse_review(json.loads(body))


def _log_decision(decision: Decision, latency: float) -> None:
    request = decision.request
    line = {
        "uid": request.uid,
        "namespace": request.namespace,
        "name": request.name,
        "kind": request.kind,
        "operation": request.operation,
        "subResource": request.sub_resource or None,
        "user": request.username,
        "decision": decision.decision,
        "allowed": decision.allowed,
        "policy": decision.policy or None,
        "mode": decision.mode or None,
        "rules": sorted({finding.rule for finding in decision.findings}),
        "reason": decision.reason or None,
        "errors": list(decision.errors) or None,
        "dryRun": request.dry_run,
        "latencyMs": round(latency * 1000, 3),
    }
    DECISIONS.info(json.dumps({k: v for k, v in line.items() if v is not None}))


def create_app(state: WebhookState) -> Starlette:
    metrics = state.metrics

    async def validate(request: Request) -> Response:
        arrived = time.monotonic()
        budget = review_budget(request.query_params.get("timeout"))
        body = await _read_body(request)
        if isinstance(body, Response):
            metrics.requests.labels("", "invalid").inc()
            return body
        started = time.perf_counter()
        content_type = request.headers.get("content-type", "")
        problem: str | None = None
        if content_type.split(";", 1)[0].strip().lower() != "application/json":
            problem = f"Content-Type must be application/json, got {content_type!r}"
        elif not body:
            problem = "empty request body; expected an AdmissionReview"
        if problem is None:
            try:
                admission = await state.pool.run(_parse, body)
            except (ValueError, RecursionError) as error:
                # json.JSONDecodeError and ReviewError are both ValueErrors.
                what = "" if isinstance(error, ReviewError) else "malformed JSON: "
                problem = f"{what}{error}"
        if problem is not None:
            metrics.requests.labels("", "invalid").inc()
            LOG.warning("invalid admission request: %s", problem)
            return _status(400, problem)
        reviewer = state.reviewer
        remaining = budget - (time.monotonic() - arrived)
        try:
            decision = await asyncio.wait_for(
                state.pool.run(reviewer.decide_request, admission), max(remaining, 0.0)
            )
        except asyncio.TimeoutError:
            metrics.timeouts.inc()
            decision = reviewer.failure(
                admission,
                f"the review did not finish within {budget:.1f}s, inside the apiserver's timeout",
            )
        latency = time.perf_counter() - started
        if not decision.request.dry_run:
            operation = decision.request.operation
            metrics.requests.labels(operation, decision.decision).inc()
            metrics.latency.labels(operation).observe(latency)
            for finding in decision.findings:
                metrics.findings.labels(finding.rule, finding.severity.value).inc()
        _log_decision(decision, latency)
        headers = {"connection": "close"} if state.draining else None
        return Response(
            json.dumps(decision.response, separators=(",", ":")),
            media_type="application/json",
            headers=headers,
        )

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    async def readyz(request: Request) -> Response:
        if state.draining:
            return PlainTextResponse("shutting down", status_code=503)
        return PlainTextResponse("ok")

    async def metrics_endpoint(request: Request) -> Response:
        return Response(generate_latest(metrics.registry), media_type=CONTENT_TYPE_LATEST)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        async def watch() -> None:
            while True:
                await asyncio.sleep(state.options.reload_interval)
                try:
                    # Building engines takes a while: not on the event loop. The SSL context
                    # is only touched from the loop, where handshakes use it.
                    await asyncio.to_thread(state.reload_config_if_changed)
                    state.reload_certificate_if_changed()
                except Exception:
                    LOG.exception("reload check failed")

        task = asyncio.create_task(watch())
        try:
            yield
        finally:
            task.cancel()

    return Starlette(
        routes=[
            Route("/validate", validate, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            Route("/readyz", readyz, methods=["GET"]),
            Route("/metrics", metrics_endpoint, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


class _DrainingServer(uvicorn.Server):
    """SIGTERM: not ready and closing keep-alive for shutdown_delay, then uvicorn's shutdown."""

    def __init__(self, config: uvicorn.Config, state: WebhookState) -> None:
        super().__init__(config)
        self.state = state

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        if self.state.draining or self.state.options.shutdown_delay <= 0:
            if self.should_exit:
                self.force_exit = True
            self.state.draining = True
            self.should_exit = True
            return
        self.state.draining = True
        LOG.info("draining for %.1fs before shutdown", self.state.options.shutdown_delay)
        timer = threading.Timer(self.state.options.shutdown_delay, self._exit)
        timer.daemon = True
        timer.start()

    def _exit(self) -> None:
        self.should_exit = True

    async def startup(self, sockets: list[Any] | None = None) -> None:
        bound_tls(asyncio.get_running_loop(), self.state.options.read_timeout)
        await super().startup(sockets)

    async def shutdown(self, sockets: list[Any] | None = None) -> None:
        aborter = asyncio.create_task(self._abort_idle_connections())
        try:
            await super().shutdown(sockets)
        finally:
            aborter.cancel()

    async def _abort_idle_connections(self) -> None:
        """Close idle connections without the TLS goodbye.

        uvicorn closes an idle connection politely, and asyncio then waits for the peer's TLS
        close_notify (30 s by default), which a client that keeps its pooled connection and
        does not read (kube-apiserver) never sends: exit would take a Pod's whole grace period.
        Connections with a request in flight are left to finish.
        """
        await asyncio.sleep(IDLE_CLOSE_GRACE)
        while True:
            for connection in list(self.server_state.connections):
                cycle = getattr(connection, "cycle", None)
                transport = getattr(connection, "transport", None)
                if transport is not None and (cycle is None or cycle.response_complete):
                    transport.abort()
            await asyncio.sleep(0.1)


def _uvicorn_config(options: ServeOptions, app: Any = None) -> uvicorn.Config:
    fast = sys.implementation.name == "cpython"
    return uvicorn.Config(
        app,
        host=options.host,
        port=options.port,
        http="httptools" if fast and _importable("httptools") else "h11",
        loop="uvloop" if fast and _importable("uvloop") else "asyncio",
        lifespan="on",
        log_config=None,
        access_log=False,
        server_header=False,
        timeout_graceful_shutdown=30,
        timeout_keep_alive=90,  # the apiserver keeps idle connections for 90 s
        limit_concurrency=options.max_connections,
    )


def _importable(name: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(name) is not None


def server_ssl_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.set_alpn_protocols(["http/1.1"])
    context.load_cert_chain(cert, key)
    return context


def _run_one(options: ServeOptions, sockets: Sequence[Any] | None = None) -> None:
    ssl_context = server_ssl_context(options.tls_cert, options.tls_key)
    state = WebhookState(options, ssl_context)
    # Everything loaded so far lives as long as the process: keep the collector off it.
    gc.collect()
    gc.freeze()
    config = _uvicorn_config(options, create_app(state))
    config.load()
    config.http_protocol_class = with_header_timeout(
        config.http_protocol_class, options.read_timeout
    )
    config.ssl = ssl_context  # uvicorn serves with it; its callback picks the newest pair
    server = _DrainingServer(config, state)
    server.run(sockets=list(sockets) if sockets else None)


def serve(options: ServeOptions) -> None:
    """Run until SIGTERM/SIGINT; with workers > 1, forked processes share one socket."""
    if options.workers <= 1:
        _run_one(options)
        return
    sock = _uvicorn_config(options).bind_socket()
    children: dict[int, int] = {}
    stopping = False

    def spawn(slot: int) -> None:
        pid = os.fork()
        if pid == 0:
            for number in (signal.SIGTERM, signal.SIGINT):
                signal.signal(number, signal.SIG_DFL)
            try:
                _run_one(options, [sock])
            finally:
                os._exit(0)
        children[pid] = slot

    def forward(number: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True
        for pid in list(children):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, number)

    for slot in range(options.workers):
        spawn(slot)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    while children:
        try:
            pid, status = os.wait()
        except ChildProcessError:
            break
        slot = children.pop(pid, 0)
        if not stopping:
            LOG.error("worker %d exited (status %d); starting a new one", pid, status)
            time.sleep(0.5)
            spawn(slot)
    sock.close()


class JsonFormatter(logging.Formatter):
    """One JSON object per line; decision lines are already JSON and pass through."""

    def format(self, record: logging.LogRecord) -> str:
        if record.name == DECISIONS.name:
            return record.getMessage()
        line = {
            "time": self.formatTime(record),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line)


def setup_logging() -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    for name in ("podlint", "uvicorn.error"):
        logger = logging.getLogger(name)
        logger.handlers[:] = [handler]
        logger.setLevel(logging.INFO)
        logger.propagate = False
