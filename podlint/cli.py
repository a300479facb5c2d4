"""The command line: thin adapters from click options to the engine and formatters."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

import click

from podlint import __version__

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

# Subcommands that pull in heavy stacks are imported only when invoked.
LAZY_COMMANDS: dict[str, str] = {
    "lsp": "podlint.lsp.cli:lsp",
}

FAIL_ON = ("error", "warning", "info", "never")


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = LAZY_COMMANDS.get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        module_name, _, attribute = spec.partition(":")
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="podlint")
def cli() -> None:
    """podlint: catch what Kubernetes would reject, and what hurts at runtime, before apply."""


def use_color(stream: TextIO) -> bool:
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty()


def _kube_version(_ctx: click.Context, _param: click.Parameter, value: str) -> Any:
    from podlint.model.version import KubeVersion

    try:
        return KubeVersion.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


def _pss_version(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from podlint.pss.version import VALID_VERSIONS, parse_pss_version

    if value is None:
        return None
    try:
        parse_pss_version(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not one of {VALID_VERSIONS}") from None
    return value


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--policy", default="default", show_default=True, help="Policy name or file.")
@click.option(
    "--kubernetes-version",
    default="latest",
    show_default=True,
    callback=_kube_version,
    help="Target Kubernetes version (MAJOR.MINOR).",
)
@click.option(
    "--pss-version",
    default=None,
    callback=_pss_version,
    help="Pod Security Standards version for pss-* rules (default: the Kubernetes version).",
)
@click.option("--format", "output_format", default="text", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), default=None)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True)
@click.option("--select", multiple=True, help="Run only these rules (ids, @category, globs).")
@click.option("--ignore", multiple=True, help="Do not run these rules.")
@click.option("--stdin-filename", default=None, help="Name to report for '-' (stdin).")
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=10 * 1024 * 1024,
    show_default=True,
    help="Refuse files larger than this many bytes.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
def lint(
    paths: tuple[str, ...],
    policy: str,
    kubernetes_version: Any,
    pss_version: str | None,
    output_format: str,
    output: str | None,
    fail_on: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    stdin_filename: str | None,
    max_file_size: int,
    quiet: bool,
) -> None:
    """Lint manifest files, directories, or '-' for stdin."""
    from podlint.formatters import Summary
    from podlint.lint import lint_sources
    from podlint.model.finding import Severity
    from podlint.policy import PolicyError
    from podlint.registry import RegistryError, default_registry
    from podlint.runtime import Options, build_engine, split_selectors

    try:
        registry = default_registry()
        options = Options(
            policy=policy,
            kubernetes_version=kubernetes_version,
            select=split_selectors(select),
            ignore=split_selectors(ignore),
        )
        if pss_version is not None:
            from podlint.pss.selection import with_pss_version

            options = with_pss_version(options, pss_version, registry)
        engine = build_engine(options, registry)
        formatter_class = registry.formatter(output_format)
    except (PolicyError, RegistryError) as error:
        raise click.UsageError(str(error)) from None

    stream: TextIO = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        formatter = formatter_class(stream, color=use_color(stream) and output is None)
        summary = Summary()
        io_errors = 0
        worst = 0
        formatter.start()
        for result in lint_sources(
            engine, paths, stdin_filename=stdin_filename, max_bytes=max_file_size
        ):
            if result.error is not None:
                io_errors += 1
                click.echo(f"podlint: error: cannot read {result.path}: {result.error}", err=True)
                continue
            summary.add(result)
            formatter.handle(result)
            for finding in result.findings:
                worst = max(worst, finding.severity.rank)
        if not quiet or output_format != "text":
            formatter.stop(summary)
    finally:
        if output:
            stream.close()
    if io_errors:
        sys.exit(EXIT_USAGE)
    threshold = Severity(fail_on).rank if fail_on != "never" else 99
    sys.exit(EXIT_FINDINGS if worst >= threshold else EXIT_OK)


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def rules_command(output_format: str) -> None:
    """List every rule with its category, default severity and policies."""
    import json

    from podlint.docs import policy_membership
    from podlint.registry import default_registry

    registry = default_registry()
    membership = policy_membership(registry)
    rows = [
        {
            "id": rule.id,
            "category": rule.category,
            "severity": rule.severity.value,
            "target": rule.target,
            "policies": membership.get(rule.id, []),
            "summary": rule.summary,
            "docs": rule.docs_url,
        }
        for rule in sorted(registry.rules.values(), key=lambda r: r.id)
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    width = max((len(row["id"]) for row in rows), default=10)
    click.echo(f"{'RULE':<{width}}  {'CATEGORY':<13}  {'SEVERITY':<8}  SUMMARY")
    for row in rows:
        click.echo(
            f"{row['id']:<{width}}  {row['category']:<13}  {row['severity']:<8}  {row['summary']}"
        )


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show a rule's documentation."""
    from podlint.docs import render_rule
    from podlint.registry import default_registry

    registry = default_registry()
    rule = registry.rules.get(rule_id)
    if rule is None:
        raise click.UsageError(f"unknown rule {rule_id!r} (see 'podlint rules')")
    click.echo(render_rule(rule, registry))


@cli.command()
@click.argument("outdir", type=click.Path(file_okay=False))
def docs(outdir: str) -> None:
    """Write the rule reference (one page per rule and an index) to OUTDIR."""
    from pathlib import Path

    from podlint.docs import write_docs
    from podlint.registry import default_registry

    written = write_docs(default_registry(), Path(outdir))
    click.echo(f"wrote {written} pages to {outdir}")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit code instead of exiting (for tests and pre-commit)."""
    from podlint.registry import RegistryError

    try:
        cli.main(args=list(argv) if argv is not None else None, prog_name="podlint")
    except RegistryError as error:
        click.echo(f"podlint: error: {error}", err=True)
        return EXIT_USAGE
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
    return EXIT_OK
