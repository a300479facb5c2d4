"""The Dockerfile of the image the manifests name: what can be checked without building it
(no base image is reachable here)."""

from __future__ import annotations

import json
import re
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from click.testing import CliRunner

from podlint.cli import cli
from podlint.webhook.manifests import objects

ROOT = Path(__file__).resolve().parent.parent.parent
DIGEST = re.compile(r"@sha256:[0-9a-f]{64}$")


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    logical = re.sub(r"\\\n\s*", " ", text)
    found = []
    for line in logical.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            found.append((keyword.upper(), rest.strip()))
    return found


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for instruction in _instructions():
        if instruction[0] == "FROM":
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def _base_images() -> list[str]:
    arguments = dict(
        rest.split("=", 1) for keyword, rest in _instructions() if keyword == "ARG" and "=" in rest
    )
    images = []
    for stage in _stages():
        image = stage[0][1].split()[0]
        match = re.fullmatch(r"\$\{(\w+)\}", image)
        images.append(arguments[match.group(1)] if match else image)
    return images


def _deployment_container() -> dict:  # type: ignore[type-arg]
    (deployment,) = [item for item in objects("ops", "image", None) if item["kind"] == "Deployment"]
    return deployment["spec"]["template"]["spec"]["containers"][0]  # type: ignore[no-any-return]


def test_multi_stage_on_a_base_pinned_by_digest() -> None:
    stages = _stages()
    assert len(stages) >= 2
    for image in _base_images():
        assert DIGEST.search(image), f"{image} is not pinned by digest"
    final = stages[-1]
    assert any(k == "COPY" and rest.startswith("--from=") for k, rest in final)
    # Nothing is installed in the final stage: what runs was built in the first.
    assert not any(k == "RUN" for k, _ in final)


def test_runs_as_the_manifests_non_root_user() -> None:
    (user,) = [rest for keyword, rest in _stages()[-1] if keyword == "USER"]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0, "USER must be a numeric non-root id"
    context = _deployment_container()["securityContext"]
    assert context["runAsUser"] == int(uid) and context["runAsGroup"] == int(gid or uid)
    assert context["readOnlyRootFilesystem"] is True
    environment = " ".join(rest for keyword, rest in _stages()[-1] if keyword == "ENV")
    assert "PYTHONDONTWRITEBYTECODE=1" in environment  # nothing written to the read-only root


def test_the_command_it_runs_exists() -> None:
    (entrypoint,) = [rest for keyword, rest in _stages()[-1] if keyword == "ENTRYPOINT"]
    command = json.loads(entrypoint)
    # The console script the installed distribution declares, as pip puts it on PATH.
    scripts = {
        script.name: script.value
        for script in entry_points(group="console_scripts")
        if script.dist is not None and script.dist.name == "podlint"
    }
    assert scripts.get(command[0]) == "podlint.cli:main"
    # The Deployment gives arguments only, so the image's entry point runs them.
    container = _deployment_container()
    assert "command" not in container
    arguments = [arg.split("=", 1)[0] for arg in container["args"]]
    result = CliRunner().invoke(cli, [*arguments[:2], "--help"])
    assert result.exit_code == 0, result.output
    for option in arguments[2:]:
        assert option in result.output, f"{option} is not an option of podlint webhook serve"


@pytest.mark.parametrize("copied", ["pyproject.toml", "README.md", "podlint", "rules", "policies"])
def test_what_the_build_copies_exists_and_is_not_ignored(copied: str) -> None:
    assert (ROOT / copied).exists()
    ignore = (ROOT / ".dockerignore").read_text().splitlines()
    assert f"!{copied}" in ignore or f"!{copied}/" in ignore
