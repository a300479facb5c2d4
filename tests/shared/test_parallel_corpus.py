"""The real-world corpus linted by worker processes gives the serial report, byte for byte."""

from __future__ import annotations

from click.testing import CliRunner

from podlint.cli import cli
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"


def test_corpus_report_is_the_same_with_two_workers() -> None:
    # Every format is compared on a generated tree in the unit tier (tests/test_parallel.py).
    args = ["lint", "--policy", "recommended", "--format", "json", str(CORPUS)]
    runner = CliRunner()
    serial = runner.invoke(cli, [*args, "--jobs", "1"])
    parallel = runner.invoke(cli, [*args, "--jobs", "2"])
    assert serial.exit_code == 1, serial.output[-2000:]
    assert len(serial.output) > 100_000
    assert parallel.exit_code == serial.exit_code
    assert parallel.output == serial.output
