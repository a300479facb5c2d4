"""Prometheus metrics of one server process (a registry per app, so tests stay independent)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

# Around the apiserver's own webhook latency buckets, finer at the low end where we live.
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        self.requests = Counter(
            "podlint_admission_requests",
            "Admission requests answered, by operation and decision "
            "(allow, deny, warn, audit, skip, exempt, invalid).",
            ["operation", "decision"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "podlint_admission_duration_seconds",
            "Time from the request body being read to the response being ready.",
            ["operation"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self.findings = Counter(
            "podlint_admission_findings",
            "Findings reported in admission, by rule and severity.",
            ["rule", "severity"],
            registry=self.registry,
        )
        self.cert_expiry = Gauge(
            "podlint_cert_expiry_timestamp_seconds",
            "When the serving certificate expires (Unix time).",
            registry=self.registry,
        )
        self.reloads = Counter(
            "podlint_reloads",
            "Reloads of the configuration or the certificate, by what and result.",
            ["what", "result"],
            registry=self.registry,
        )
        self.timeouts = Counter(
            "podlint_admission_timeouts",
            "Reviews answered by failure-mode because they ran past the apiserver's timeout.",
            registry=self.registry,
        )
