"""What a release promises users agrees with the package: pins, changelog, release workflow."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from podlint import __version__

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
WORKFLOW = ROOT / ".github" / "workflows" / "release.yml"


def _pins() -> dict[str, list[str]]:
    """Every version a user copies from our docs: pre-commit revs and Action refs."""
    texts = {
        "README.md": README,
        ".pre-commit-hooks.yaml": (ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"),
    }
    pins: dict[str, list[str]] = {"pre-commit": [], "action": []}
    for text in texts.values():
        pins["pre-commit"] += re.findall(
            r"repo: https://github\.com/podlint/podlint\s*\n\s*#?\s*rev: (\S+)", text
        )
        pins["action"] += re.findall(r"uses: podlint/podlint@(\S+)", text)
    return pins


def test_pre_commit_and_action_pins_are_this_version() -> None:
    pins = _pins()
    assert len(pins["pre-commit"]) >= 2, pins  # README snippet and the hook manifest's comment
    assert len(pins["action"]) >= 1, pins
    for kind, versions in pins.items():
        assert set(versions) == {f"v{__version__}"}, (kind, versions)


def test_changelog_has_this_version() -> None:
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert re.search(rf"^## \[{re.escape(__version__)}\]", changelog, re.MULTILINE)
    assert f"[{__version__}]: https://github.com/podlint/podlint/releases/tag/v{__version__}" in (
        changelog
    )


def _readme_commands() -> list[str]:
    return re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)[:2]


def _runs(job: dict[str, Any]) -> str:
    return "\n".join(str(step.get("run", "")) for step in job["steps"])


def test_release_workflow_builds_tests_and_publishes_on_a_version_tag() -> None:
    workflow = YAML(typ="safe").load(WORKFLOW.read_text(encoding="utf-8"))
    assert workflow["on"]["push"]["tags"] == ["v*"]
    jobs = workflow["jobs"]
    assert "python -m build" in _runs(jobs["build"])
    assert "twine check --strict" in _runs(jobs["build"])
    assert '"v$version"' in _runs(jobs["build"])  # the tag must be the package version
    install_and_run, test_command = _readme_commands()
    assert install_and_run.startswith("pip install . && podlint lint examples/")
    assert test_command in _runs(jobs["test"])
    publish = jobs["publish"]
    assert set(publish["needs"]) == {"build", "test"}
    assert publish["permissions"] == {"id-token": "write"}  # trusted publishing, no token
    assert publish["environment"]["name"] == "pypi"
    [step] = [s for s in publish["steps"] if "pypa/gh-action-pypi-publish" in s.get("uses", "")]
    assert "with" not in step or "password" not in step["with"]
    assert workflow["permissions"] == {"contents": "read"}


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, test_command = _readme_commands()
    assert f'"{test_command}"' in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
