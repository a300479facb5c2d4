"""Start-up: what a one-file lint loads, the plugin scan, the data cache."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from podlint import batch
from podlint.batch import rare_collections
from podlint.cli import main
from podlint.datacache import load_cached
from podlint.registry import ENTRY_POINT_GROUP, declares_entry_points

ROOT = Path(__file__).resolve().parent.parent

PROBE = """\
import json, sys
opened = []
sys.addaudithook(lambda event, args: opened.append(str(args[0])) if event == "open" else None)
from podlint.cli import main
code = main(sys.argv[1:])
linked = None
if "podlint.k8s.schemas" in sys.modules:
    from podlint.k8s.schemas import version_schemas
    from podlint.model.version import LATEST
    table = version_schemas(LATEST).definitions
    linked = [sum(table._linked), len(table._linked)]
from podlint.lazyre import LazyPattern
compiled = sorted(
    f"{name}.{key}"
    for name, module in list(sys.modules.items()) if name.startswith("podlint.")
    for key, value in vars(module).items()
    if isinstance(value, LazyPattern) and "match" in vars(value)
)
import dataclasses
undocumented = sorted(
    f"{name}.{key}"
    for name, module in list(sys.modules.items()) if name.startswith("podlint.")
    for key, value in vars(module).items()
    if isinstance(value, type) and dataclasses.is_dataclass(value)
    and value.__module__ == name and (value.__doc__ or "").startswith(value.__name__ + "(")
)
print(json.dumps({"code": code, "modules": sorted(sys.modules), "opened": opened,
                  "linked": linked, "compiled": compiled, "undocumented": undocumented}))
"""

# Machinery a plain lint of a valid Deployment never needs.
NOT_NEEDED = (
    "podlint.webhook",
    "podlint.lsp",
    "podlint.audit",
    "podlint.update",
    "podlint.fixes",
    "podlint.baseline",
    "podlint.docs",
    "podlint.fragment",
    "podlint.checks._custom_schema",
    "podlint.k8s.custom",
    "podlint.source.json6902",
    "podlint.source.rendered",
    "podlint.formatters.json",
    "podlint.formatters.sarif",
    "podlint.formatters.junit",
    "podlint.formatters.statistics",
    "jsonschema",
    "referencing",
    "starlette",
    "uvicorn",
    "pygls",
    "lightkube",
)


def _probe(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", PROBE, "lint", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env or dict(os.environ),
        check=False,
    )
    assert result.stdout, result.stderr
    answer: dict[str, Any] = json.loads(result.stdout.splitlines()[-1])
    return answer


def _lint_modules(*args: str, env: dict[str, str] | None = None) -> tuple[int, set[str]]:
    answer = _probe(*args, env=env)
    return answer["code"], set(answer["modules"])


def _loaded(modules: set[str], prefix: str) -> list[str]:
    return sorted(m for m in modules if m == prefix or m.startswith(prefix + "."))


def test_a_one_file_lint_loads_no_front_door_update_or_unused_machinery() -> None:
    code, modules = _lint_modules("-q", "--no-config", "examples/good/web-deployment.yaml")
    assert code == 0
    for prefix in NOT_NEEDED:
        assert not _loaded(modules, prefix), prefix
    if not declares_entry_points(ENTRY_POINT_GROUP):
        # no plugin installed: the distributions' metadata is never parsed
        assert "importlib.metadata" not in modules
    # the schema rule did run
    assert "podlint.k8s.schemas" in modules


def test_a_valid_configuration_file_is_read_without_jsonschema(tmp_path: Path) -> None:
    (tmp_path / ".podlint.yaml").write_text(
        'kubernetes-version: "1.34"\nrules:\n  latest-image-tag: "off"\n'
        '  "@security": {severity: warning}\nper-file-ignores:\n  legacy/**: [api-probes]\n',
        encoding="utf-8",
    )
    manifest = tmp_path / "web.yaml"
    manifest.write_text((ROOT / "examples/good/web-deployment.yaml").read_text(), "utf-8")
    code, modules = _lint_modules("-q", str(manifest))
    assert code == 0
    assert str(tmp_path / ".podlint.yaml") in _probe("-q", str(manifest))["opened"]
    assert not _loaded(modules, "jsonschema")


def test_the_records_a_lint_creates_have_docstrings() -> None:
    # dataclass() writes a missing docstring from inspect.signature, at every start-up
    undocumented = _probe("-q", "--no-config", "examples/good/web-deployment.yaml")["undocumented"]
    assert [name for name in undocumented if not name.startswith("podlint.pss.")] == []


def test_a_warm_lint_reads_the_compact_schemas_and_links_a_part_of_them(tmp_path: Path) -> None:
    env = {**os.environ, "PODLINT_CACHE_DIR": str(tmp_path / "cache")}
    args = ("-q", "--no-config", "examples/good/web-deployment.yaml")
    cold = _probe(*args, env=env)
    assert cold["code"] == 0
    assert any(path.endswith("_definitions.json") for path in cold["opened"])
    warm = _probe(*args, env=env)
    assert warm["code"] == 0
    assert not any(path.endswith("_definitions.json") for path in warm["opened"])
    cached = [p for p in warm["opened"] if Path(p).parent == tmp_path / "cache"]
    assert any(Path(p).name.startswith("schemas") for p in cached), cached
    linked, nodes = warm["linked"]
    assert 0 < linked < nodes / 2  # a Deployment's part of the graph, not all of it
    # regular expressions are compiled for what the run meets (an image), not for all
    assert "podlint.k8s.imageref._REFERENCE" in warm["compiled"]
    assert "podlint.checks._shell" in warm["modules"]
    assert "podlint.checks._shell._ARITHMETIC" not in warm["compiled"]
    # the check modules of the kinds the run meets: a Deployment's, not a webhook's
    assert "podlint.checks.api_pod" in warm["modules"]
    for family in ("api_webhooks", "api_ingress", "api_service", "api_storage"):
        assert f"podlint.checks.{family}" not in warm["modules"], family


def test_an_invalid_object_gets_schema_messages_without_jsonschema(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\n"
        "spec:\n  containers:\n  - name: a\n    image: nginx:1.27\n    portz: []\n",
        encoding="utf-8",
    )
    result = subprocess.run(
        [sys.executable, "-m", "podlint", "lint", "--no-config", "--format", "json", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr
    findings = json.loads(result.stdout)["findings"]
    assert any(f["rule"] == "schema" and "portz" in f["message"] for f in findings), findings
    code, modules = _lint_modules("-q", "--no-config", str(bad))
    assert code == 1
    assert not _loaded(modules, "jsonschema")


def _dist_info(directory: Path, name: str, entry_points: str) -> None:
    info = directory / f"{name}-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(entry_points, encoding="utf-8")


def test_the_plugin_scan_finds_the_group_and_nothing_else(tmp_path: Path) -> None:
    plain = tmp_path / "plain"
    _dist_info(plain, "tool", "[console_scripts]\ntool = tool:main\n# podlint\n")
    assert not declares_entry_points("podlint", [str(plain), str(tmp_path / "missing")])
    spaced = tmp_path / "spaced"
    _dist_info(spaced, "acme", "[console_scripts]\nx = y:z\n\n[ podlint ]\nacme = acme\n")
    assert declares_entry_points("podlint", [str(plain), str(spaced)])
    # a zip archive on the path cannot be listed: the full lookup decides
    archive = tmp_path / "plugins.zip"
    with zipfile.ZipFile(archive, "w") as handle:
        handle.writestr("empty.txt", "")
    assert declares_entry_points("podlint", [str(plain), str(archive)])


def test_a_plugin_on_the_path_is_still_loaded(tmp_path: Path) -> None:
    package = tmp_path / "podlint_probe"
    package.mkdir()
    (package / "__init__.py").write_text(
        "from podlint.api import hookimpl\n\n"
        "@hookimpl\ndef podlint_workload_kinds():\n    return {'probe.io/Thing': '/spec'}\n",
        encoding="utf-8",
    )
    _dist_info(tmp_path, "podlint_probe", "[podlint]\nprobe = podlint_probe\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}
    code = (
        "from podlint.registry import default_registry\n"
        "print(default_registry().workload_kinds.get('probe.io/Thing'))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert result.stdout.strip() == "/spec", result.stderr


class Counting:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, path: Path) -> Any:
        self.calls += 1
        return {"name": path.name, "text": path.read_text(encoding="utf-8")}


def test_the_data_cache_is_read_back_and_follows_edits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PODLINT_CACHE_DIR", str(tmp_path / "cache"))
    files = []
    for name in ("a.yaml", "b.yaml"):
        files.append(tmp_path / name)
        files[-1].write_text(name, encoding="utf-8")
    parse = Counting()
    first = load_cached("test", files, parse)
    assert parse.calls == 2
    assert load_cached("test", files, parse) == first
    assert parse.calls == 2  # from the cache
    files[0].write_text("changed, and longer", encoding="utf-8")
    again = load_cached("test", files, parse)
    assert parse.calls == 4
    assert again[0]["text"] == "changed, and longer"
    # one file fewer is another key
    assert load_cached("test", files[1:], parse) == again[1:]
    assert parse.calls == 5


def test_a_damaged_or_disabled_cache_only_costs_a_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("PODLINT_CACHE_DIR", str(cache))
    path = tmp_path / "a.yaml"
    path.write_text("a", encoding="utf-8")
    parse = Counting()
    expected = load_cached("test", [path], parse)
    [entry] = cache.iterdir()
    entry.write_text('{"key": 1, "data": ', encoding="utf-8")
    assert load_cached("test", [path], parse) == expected
    assert parse.calls == 2
    monkeypatch.setenv("PODLINT_CACHE_DIR", "")
    assert load_cached("test", [path], parse) == expected
    assert parse.calls == 3


def test_data_that_would_not_read_back_equal_is_not_cached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = tmp_path / "cache"
    monkeypatch.setenv("PODLINT_CACHE_DIR", str(cache))
    path = tmp_path / "a.yaml"
    path.write_text("a", encoding="utf-8")
    assert load_cached("test", [path], lambda _: {1: (2, 3)}) == [{1: (2, 3)}]
    assert not cache.exists() or not list(cache.iterdir())


def test_the_start_up_of_a_lint_collects_rarely_then_restores_the_thresholds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = gc.get_threshold()
    with rare_collections():
        assert gc.get_threshold() == (50_000, *before[1:])
    assert gc.get_threshold() == before
    seen: list[tuple[int, int, int]] = []

    @contextmanager
    def recording() -> Iterator[None]:
        with rare_collections():
            seen.append(gc.get_threshold())
            yield

    monkeypatch.setattr(batch, "rare_collections", recording)
    code = main(["lint", "-q", "--no-config", str(ROOT / "examples/good/web-deployment.yaml")])
    assert code == 0
    assert seen == [(50_000, *before[1:])]
    assert gc.get_threshold() == before
    assert main(["rules", "--format", "json"]) == 0
    assert len(seen) == 1  # other commands (servers among them) keep the thresholds
