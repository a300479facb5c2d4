"""The apiserver's shared formats and the CronJob schedule parser, case by case."""

from __future__ import annotations

import pytest

from podlint.checks.api_workloads import cron_problem, selector_matches
from podlint.k8s import formats


@pytest.mark.parametrize(
    "schedule",
    [
        "* * * * *",
        "*/5 * * * ?",
        "0 0-6,22 1 jan-mar MON-FRI",
        "5/15 * * * *",
        "@hourly",
        "@every 1h30m",
    ],
)
def test_schedules_the_apiserver_accepts(schedule: str) -> None:
    assert cron_problem(schedule) is None


@pytest.mark.parametrize(
    ("schedule", "problem"),
    [
        ("* * * *", "expected exactly 5 fields, found 4"),
        ("0 0 * * * *", "expected exactly 5 fields, found 6"),
        ("60 * * * *", "minute field: value out of range 0-59"),
        ("0 24 * * *", "hour field: value out of range 0-23"),
        ("0 0 0 * *", "day of month field: value out of range 1-31"),
        ("0 0 * 13 *", "month field: value out of range 1-12"),
        ("0 0 * * 5-1", "day of week field: beginning of range (5) beyond end of range (1)"),
        ("*/0 * * * *", 'minute field: invalid step "0"'),
        ("H * * * *", 'minute field: "H" is not a number'),
        ("@weekdays", 'unrecognized descriptor "@weekdays"'),
    ],
)
def test_schedules_the_apiserver_refuses(schedule: str, problem: str) -> None:
    assert cron_problem(schedule) == problem


def test_names() -> None:
    assert formats.dns1123_label("web-1") == []
    assert formats.dns1123_label("a.b") == ["must not contain dots"]
    assert formats.dns1123_label("a" * 64) == ["must be no more than 63 characters"]
    assert formats.dns1123_subdomain("web.example.com") == []
    assert formats.name_prefix("web-") == []
    assert formats.qualified_name("app.kubernetes.io/name") == []
    assert formats.qualified_name("/name") == ["prefix part must be non-empty"]
    assert formats.label_value("") == []
    assert formats.port_name("http") == []
    assert formats.port_name("80") == ["must contain at least one letter (a-z)"]
    assert formats.port_name("a--b") == ["must not contain consecutive hyphens"]
    assert formats.env_var_name("1ABC", relaxed=False)
    assert formats.env_var_name("1 A!", relaxed=True) == []
    assert formats.env_var_name("A=B", relaxed=True)
    assert formats.local_path("a/../b")
    assert formats.local_path("/abs")
    assert formats.local_path("..data", reserved=True) == ["must not start with '..'"]


def test_ip_addresses_by_version() -> None:
    assert formats.ip_address("10.0.0.1", strict=True) == []
    assert formats.ip_address("2001:db8::1", strict=True) == []
    assert formats.ip_address("010.0.0.1", strict=False) == []
    assert formats.ip_address("010.0.0.1", strict=True)
    assert formats.ip_address("10.0.0.256", strict=False)


def test_selectors() -> None:
    labels = {"app": "web", "tier": "front"}
    assert selector_matches({"matchLabels": {"app": "web"}}, labels)
    assert not selector_matches({"matchLabels": {"app": "db"}}, labels)
    expressions = [{"key": "tier", "operator": "In", "values": ["front", "back"]}]
    assert selector_matches({"matchExpressions": expressions}, labels)
    assert not selector_matches(
        {"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, labels
    )
