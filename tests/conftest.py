"""Test tiers.

- ``unit`` (the default, the README's command): needs nothing beside the checkout.
- ``shared``: ``tests/shared/``, needs the conformance data in ``../shared``.
- ``cluster``: ``tests/cluster/``, needs etcd and the real kube-apiserver in ``../shared``.
- ``fuzz``: ``tests/fuzz/``, hypothesis properties with a fixed budget (see its conftest).

``python -m pytest --tier shared`` (or ``cluster``, ``fuzz``, or ``all``) selects the others; ``.ci/run``
runs every tier.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
TESTS = ROOT / "tests"
DATA = TESTS / "data"
TIERS = ("unit", "shared", "cluster", "fuzz")
TIER_DIRS = {
    "shared": TESTS / "shared",
    "cluster": TESTS / "cluster",
    "fuzz": TESTS / "fuzz",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--tier",
        choices=(*TIERS, "all"),
        default="unit",
        help="which test tier to run: unit (default), shared (needs ../shared), "
        "cluster (needs etcd and ../shared/kube-apiserver), fuzz (hypothesis properties), "
        "or all",
    )


def tier_of(path: Path) -> str:
    for tier, directory in TIER_DIRS.items():
        if path == directory or directory in path.parents:
            return tier
    return "unit"


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    selected = config.getoption("--tier")
    if selected == "all":
        return None
    path = collection_path.resolve()
    if path == TESTS or TESTS not in path.parents:
        return None
    if tier_of(path) != selected:
        return True
    return None


def pytest_configure(config: pytest.Config) -> None:
    # Tests never read or write the user's cache (podlint.datacache): a private one per process.
    os.environ["PODLINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="podlint-test-cache-")


def pytest_unconfigure(config: pytest.Config) -> None:
    shutil.rmtree(os.environ.get("PODLINT_CACHE_DIR", ""), ignore_errors=True)


def pytest_sessionstart(session: pytest.Session) -> None:
    selected = session.config.getoption("--tier")
    if selected in ("shared", "cluster", "all") and not SHARED.is_dir():
        raise pytest.UsageError(
            f"the {selected} tier needs {SHARED} beside the checkout (the PSA conformance "
            "fixtures, the real-world corpus and the kube-apiserver); the unit tier "
            "(python -m pytest, no --tier) needs nothing beside it"
        )


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return ROOT


@pytest.fixture
def shared_dir(request: pytest.FixtureRequest) -> Path:
    if tier_of(request.node.path.resolve()) == "unit":
        pytest.fail(
            "a unit test may not read ../shared: put the small data it needs in tests/data "
            "(with its source and licence) or move the test into tests/shared"
        )
    if not SHARED.is_dir():
        pytest.fail(f"{SHARED} is missing: the tests need ../shared beside the checkout")
    return SHARED


@pytest.fixture(scope="session")
def sarif_schema() -> dict[str, Any]:
    """The SARIF 2.1.0 JSON Schema (draft-04); see tests/data/sarif/README.md."""
    schema: dict[str, Any] = json.loads(
        (DATA / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    )
    return schema
