"""The command line: thin adapters from click options to the engine and formatters."""

from __future__ import annotations

import dataclasses
import importlib
import os
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn, TextIO

import click

from podlint import __version__
from podlint.commands import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    EXTRAS,
    FAIL_ON,
    explicit_options,
    kubernetes_version_option,
    missing_extra_command,
    policy_option,
)

if TYPE_CHECKING:
    from podlint.formatters.statistics import StatisticsFormatter

# Subcommands that pull in heavy stacks are imported only when invoked.
LAZY_COMMANDS: dict[str, str] = {
    "audit": "podlint.audit.cli:audit",
    "lsp": "podlint.lsp.cli:lsp",
    "webhook": "podlint.webhook.cli:webhook",
    "diff": "podlint.update.cli:diff",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *LAZY_COMMANDS])

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        spec = LAZY_COMMANDS.get(cmd_name)
        if spec is None:
            return super().get_command(ctx, cmd_name)
        if cmd_name in EXTRAS:
            stand_in = missing_extra_command(cmd_name)
            if stand_in is not None:
                return stand_in
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


def _pss_version(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from podlint.pss.version import VALID_VERSIONS, parse_pss_version

    if value is None:
        return None
    try:
        parse_pss_version(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not one of {VALID_VERSIONS}") from None
    return value


class _LintCommand(click.Command):
    """Remembers the order of --format and --output, so each output binds to its format."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            _, _, order = self.make_parser(ctx).parse_args(args=list(args))
        except click.UsageError:
            order = []
        ctx.meta["podlint.report_order"] = [
            param.name for param in order if param.name in ("output_format", "output")
        ]
        return super().parse_args(ctx, args)


def _reports(
    ctx: click.Context, formats: tuple[str, ...], outputs: tuple[str, ...]
) -> list[tuple[str, str | None]]:
    """(format, output file or None for stdout) pairs: ``--format sarif --output F`` binds F to
    sarif; a format without an output writes to stdout; the default is ``auto``."""
    pairs: list[list[str | None]] = []
    pending: list[str] = []
    format_values = iter(formats)
    output_values = iter(outputs)
    for name in ctx.meta.get("podlint.report_order", []):
        if name == "output_format":
            pairs.append([next(format_values), pending.pop(0) if pending else None])
        else:
            target = next((p for p in reversed(pairs) if p[1] is None), None)
            if target is not None and target is pairs[-1]:
                target[1] = next(output_values)
            else:
                pending.append(next(output_values))
    if not pairs:
        pairs.append(["auto", pending.pop(0) if pending else None])
    for extra in pending:
        pairs.append(["auto", extra])
    result = [(str(fmt), out) for fmt, out in pairs]
    if sum(1 for _, out in result if out is None) > 1:
        raise click.UsageError(
            "only one --format may write to stdout; give the others an --output FILE"
        )
    return result


def _resolve_format(name: str, output: str | None = None) -> str:
    if name == "auto":
        in_actions = os.environ.get("GITHUB_ACTIONS", "").lower() not in ("", "false", "0")
        return "github" if in_actions and output is None else "text"
    return name


def _statistics_formatter() -> type[StatisticsFormatter]:
    from podlint.formatters.statistics import StatisticsFormatter

    return StatisticsFormatter


def _with_statistics(formatters: list[tuple[Any, str, str | None]]) -> list[Any]:
    """--statistics replaces the report on stdout (text or concise) with counts per rule."""
    from podlint.formatters.statistics import StatisticsFormatter

    result = []
    for formatter_class, name, out in formatters:
        if out is None:
            if name not in ("auto", "text", "concise"):
                raise click.UsageError(
                    f"--statistics replaces the text report on stdout, not --format {name}; "
                    "write that one to a file with --output"
                )
            formatter_class, name = StatisticsFormatter, "statistics"
        result.append((formatter_class, name, out))
    if all(name != "statistics" for _, name, _ in result):
        result.append((StatisticsFormatter, "statistics", None))
    return result


# Compared by identity only and never printed: no __eq__ or __repr__ to generate at start-up.
@dataclasses.dataclass(eq=False, repr=False)
class _FixReport:
    """What ``--fix`` did across the run's files."""

    files: int = 0
    applied: int = 0
    unsafe_left: int = 0
    refused: int = 0
    diffs: list[str] = dataclasses.field(default_factory=list)


def _fix_files(
    engine_for: Any,
    paths: Sequence[str],
    max_bytes: int,
    *,
    unsafe: bool,
    write: bool,
    stdin_filename: str | None = None,
) -> _FixReport:
    """Apply the fixes to the named files in place (``write``), or only record a unified
    diff of each file they would change."""
    import difflib
    from pathlib import Path

    from podlint.fixes import fix_text
    from podlint.source.files import discover

    report = _FixReport()
    for name in paths:
        texts: list[tuple[str, Path | None, bytes]]
        if name == "-":
            display = stdin_filename or "<stdin>"
            texts = [(display, None, sys.stdin.buffer.read(max_bytes + 1))]
        else:
            texts = []
            for found in discover([name]):
                if not isinstance(found, Path):
                    continue  # an error or a Helm template: reported by the lint that follows
                try:
                    # a pipe or device is never written back
                    if found.is_file() and found.stat().st_size <= max_bytes:
                        texts.append((str(found), found, found.read_bytes()))
                except OSError:
                    continue
        for display, path, data in texts:
            try:
                original = data.decode("utf-8") if len(data) <= max_bytes else None
            except UnicodeDecodeError:
                original = None
            if original is None:
                continue
            bom = "\ufeff" if original.startswith("\ufeff") else ""
            text = original.removeprefix(bom)
            outcome = fix_text(engine_for(display), display, text, unsafe=unsafe)
            report.unsafe_left += outcome.unsafe_left
            report.refused += outcome.refused
            if not outcome.applied or outcome.text == text:
                continue
            report.files += 1
            report.applied += outcome.applied
            if write and path is not None:
                path.write_bytes((bom + outcome.text).encode("utf-8"))
            elif not write:
                lines = difflib.unified_diff(
                    text.splitlines(keepends=True),
                    outcome.text.splitlines(keepends=True),
                    f"a/{_diff_path(display)}",
                    f"b/{_diff_path(display)}",
                )
                report.diffs.append("".join(_ends_with_newline(line) for line in lines))
    return report


def _diff_path(name: str) -> str:
    """The file's name in a diff's ``a/`` and ``b/`` lines: relative to the working directory
    when it is inside it (``git apply`` reads that), else without its leading slash."""
    if not os.path.isabs(name):
        return name
    relative = os.path.relpath(name)
    return relative if not relative.startswith("..") else name.lstrip("/")


def _ends_with_newline(line: str) -> str:
    return line if line.endswith(("\n", "\r")) else line + "\n\\ No newline at end of file\n"


def _fix_summary(report: _FixReport, *, write: bool) -> str:
    verb = "fixed" if write else "would fix"
    from podlint.formatters import counted

    parts = [
        f"podlint: {verb} {counted(report.applied, 'finding')} in {counted(report.files, 'file')}"
    ]
    if report.unsafe_left:
        parts.append(
            f"{report.unsafe_left} more with --unsafe-fixes (they may change what the Pod does)"
        )
    if report.refused:
        parts.append(
            f"{report.refused} fixes left out: applied, they would have made the file read "
            "differently"
        )
    return "; ".join(parts)


def _refuse_old_diff_spelling(paths: Sequence[str]) -> None:
    """``--diff REF`` once meant what ``--changed-since REF`` means; ``--diff`` now takes no
    value, so a git revision where a path was expected is named rather than read as a path."""
    from podlint.gitutil import is_revision

    for name in paths:
        if name != "-" and not os.path.exists(name) and is_revision(name):
            raise click.UsageError(
                f"--diff previews fixes and takes no value; {name!r} is a git revision: "
                f"use --changed-since {name} to lint only the manifests changed since it"
            )


def _discard_stdout() -> None:
    """After stdout failed (a full disk, a closed pipe), let nothing more be written to it,
    so the interpreter's last flush cannot fail again on the way out."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no descriptor behind stdout (a test runner's buffer)
        pass


@cli.command(cls=_LintCommand)
@click.argument("paths", nargs=-1)
@policy_option
@kubernetes_version_option
@click.option(
    "--pss-version",
    default=None,
    callback=_pss_version,
    help="Pod Security Standards version for pss-* rules (default: the Kubernetes version).",
)
@click.option(
    "--format",
    "output_format",
    multiple=True,
    help="text, concise (one line per finding), json, sarif, github, gitlab, junit or auto "
    "(default: github in GitHub Actions, else text). Repeat with --output to write several "
    "reports.",
)
@click.option(
    "--output",
    "-o",
    multiple=True,
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report of the preceding --format to this file.",
)
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True)
@click.option("--select", multiple=True, help="Run only these rules (ids, @category, globs).")
@click.option("--ignore", multiple=True, help="Do not run these rules.")
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Use this configuration file for every file (default: the closest .podlint.yaml).",
)
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse podlint.io/ignore annotations for error-severity findings.",
)
@click.option("--show-suppressed", is_flag=True, help="Also list suppressed findings.")
@click.option(
    "--baseline",
    "baseline_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="Report only findings that are not in this baseline file.",
)
@click.option(
    "--write-baseline",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Record today's findings in this file (then use it with --baseline).",
)
@click.option(
    "--changed-since",
    "changed_since",
    default=None,
    metavar="REF",
    help="Lint only manifests changed against the merge-base of REF and HEAD (git).",
)
@click.option(
    "--base",
    "base_ref",
    default=None,
    metavar="REF",
    help="Also report changes from git revision REF that the apiserver would refuse.",
)
@click.option("--stdin-filename", default=None, help="Name to report for '-' (stdin).")
@click.option(
    "--schema-location",
    "schema_locations",
    multiple=True,
    type=click.Path(exists=True, file_okay=False),
    help="A directory of JSON Schemas for custom resources (<kind>_<version>.json, as "
    "kubeconform reads them); repeatable.",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=10 * 1024 * 1024,
    show_default=True,
    help="Refuse files larger than this many bytes.",
)
@click.option(
    "--fix",
    is_flag=True,
    help="Apply the safe fixes (they keep what the Pod does) to the files in place, then "
    "report what remains.",
)
@click.option(
    "--unsafe-fixes",
    is_flag=True,
    help="With --fix or --diff, also apply the fixes that may change what the Pod does.",
)
@click.option(
    "--diff",
    "show_diff",
    is_flag=True,
    help="Print the fixes as a unified diff and write nothing (exit 1 if there are any).",
)
@click.option(
    "--statistics",
    is_flag=True,
    help="Print the number of findings per rule instead of the findings (text output).",
)
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Lint files in this many processes (default: the machine's cores; 1: one process). "
    "Small runs use one process, which is faster for them.",
)
@click.option("--quiet", "-q", is_flag=True, help="Print findings only, no summary.")
@click.pass_context
def lint(
    ctx: click.Context,
    paths: tuple[str, ...],
    policy: str,
    kubernetes_version: Any,
    pss_version: str | None,
    schema_locations: tuple[str, ...],
    output_format: tuple[str, ...],
    output: tuple[str, ...],
    fail_on: str,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_file: str | None,
    no_config: bool,
    strict: bool,
    show_suppressed: bool,
    baseline_file: str | None,
    write_baseline: str | None,
    changed_since: str | None,
    base_ref: str | None,
    stdin_filename: str | None,
    max_file_size: int,
    fix: bool,
    statistics: bool,
    unsafe_fixes: bool,
    show_diff: bool,
    jobs: int | None,
    quiet: bool,
) -> None:
    """Lint manifest files, directories, or '-' for stdin."""
    from pathlib import Path

    from podlint.batch import tune_for_batch
    from podlint.config import ConfigError, ConfigResolver
    from podlint.formatters import Summary, printable
    from podlint.gitutil import GitError, changed_files, repository_root
    from podlint.lint import lint_sources
    from podlint.model.finding import Finding, Severity
    from podlint.parallel import default_jobs
    from podlint.policy import PolicyError
    from podlint.progress import Progress, progress_wanted
    from podlint.registry import Registry, RegistryError, default_registry
    from podlint.runtime import Options, split_selectors

    if fix and "-" in paths and not show_diff:
        raise click.UsageError(
            "--fix writes files in place; it cannot fix '-' (stdin): use --diff to see the fixes"
        )
    if unsafe_fixes and not (fix or show_diff):
        raise click.UsageError("--unsafe-fixes goes with --fix or --diff")
    if not paths and changed_since is None:
        raise click.UsageError("give files, directories or '-' to lint (or --changed-since REF)")
    if show_diff:
        _refuse_old_diff_spelling(paths)
    if config_file is not None and no_config:
        raise click.UsageError("--config and --no-config exclude each other")
    reports = _reports(ctx, output_format, output)
    root = repository_root()

    def fail(message: str) -> NoReturn:
        click.echo(f"podlint: error: {message}", err=True)
        sys.exit(EXIT_USAGE)

    if changed_since is not None:
        try:
            paths = tuple(changed_files(changed_since, paths or (".",)))
        except GitError as error:
            fail(str(error))
    try:
        registry = default_registry()
        options = Options(
            policy=policy,
            kubernetes_version=kubernetes_version,
            select=split_selectors(select),
            ignore=split_selectors(ignore),
            fail_on=fail_on,
        )
        finish = None
        if pss_version is not None or schema_locations:
            from podlint.pss.selection import with_pss_version

            def finish(options: Options, registry: Registry) -> Options:
                if pss_version is not None:
                    options = with_pss_version(options, pss_version, registry)
                if schema_locations:
                    locations = {"schema-locations": list(schema_locations)}
                    options = dataclasses.replace(
                        options,
                        rule_options=(
                            *options.rule_options,
                            ("schema", locations),
                            ("unknown-kind", locations),
                        ),
                    )
                return options

        resolver = ConfigResolver(
            options,
            explicit=explicit_options(ctx, ["policy", "kubernetes_version", "fail_on"]),
            config_file=Path(config_file) if config_file else None,
            use_config=not no_config,
            registry=registry,
            finish=finish,
            snapshot=True,
        )
        first = next((p for p in paths if p != "-"), stdin_filename or ".")
        resolver.engine_for(first)
        engine_for: Any = resolver.engine_for
        if base_ref is not None:
            from podlint.update.cli import with_base

            engine_for = with_base(base_ref, paths, engine_for, max_file_size)
        formatters = [(registry.formatter(_resolve_format(f, out)), f, out) for f, out in reports]
        if show_diff:
            report = _fix_files(
                resolver.engine_for,
                paths,
                max_file_size,
                unsafe=unsafe_fixes,
                write=False,
                stdin_filename=stdin_filename,
            )
            for diff in report.diffs:
                click.echo(diff, nl=False)
            click.echo(_fix_summary(report, write=False), err=True)
            sys.exit(EXIT_FINDINGS if report.applied else EXIT_OK)
        if statistics:
            formatters = _with_statistics(formatters)
        tune_for_batch()
        if fix:
            report = _fix_files(
                resolver.engine_for, paths, max_file_size, unsafe=unsafe_fixes, write=True
            )
            if report.applied or report.unsafe_left or report.refused:
                click.echo(_fix_summary(report, write=True), err=True)
    except ConfigError as error:
        fail(str(error))
    except (PolicyError, RegistryError) as error:
        raise click.UsageError(str(error)) from None
    baseline = None
    if baseline_file is not None:
        from podlint.baseline import Baseline, BaselineError

        try:
            baseline = Baseline.load(Path(baseline_file), root)
        except BaselineError as error:
            fail(str(error))

    streams: list[TextIO] = []
    active = []
    recorded: list[Finding] = []
    summary = Summary()
    io_errors = 0
    failing = False
    progress = Progress(sys.stderr, enabled=progress_wanted(sys.stderr, quiet))
    # The report being written (a file or stdout), named when writing it fails (a full disk).
    writing: str | None = None
    targets: dict[int, str] = {}
    unwritten: list[str] = []
    try:
        if write_baseline is None:
            for formatter_class, name, out in formatters:
                try:
                    stream: TextIO = open(out, "w", encoding="utf-8") if out else sys.stdout  # noqa: SIM115
                except OSError as error:
                    fail(f"cannot write {out}: {error.strerror or error}")
                if out:
                    streams.append(stream)
                formatter = formatter_class(
                    stream,
                    color=use_color(stream) and out is None,
                    registry=registry,
                    root=root,
                    show_suppressed=show_suppressed,
                )
                active.append((formatter, _resolve_format(name, out)))
                targets[id(formatter)] = writing = out or "standard output"
                formatter.start()
                writing = None
        for count, result in enumerate(
            lint_sources(
                engine_for,
                paths,
                stdin_filename=stdin_filename,
                max_bytes=max_file_size,
                strict=strict,
                jobs=jobs or default_jobs(),
            ),
            start=1,
        ):
            progress.update(count, result.path)
            if result.error is not None:
                io_errors += 1
                progress.close()
                shown = printable(result.path)
                click.echo(f"podlint: error: cannot read {shown}: {result.error}", err=True)
                continue
            if write_baseline is not None:
                recorded.extend(result.findings)
                continue
            if baseline is not None:
                result.findings = baseline.filter(result.findings)
            summary.add(result)
            summary.add_policy(resolver.options_for(result.path).policy)
            threshold = resolver.options_for(result.path).fail_on
            rank = Severity(threshold).rank if threshold != "never" else 99
            failing = failing or any(f.severity.rank >= rank for f in result.findings)
            for formatter, _ in active:
                writing = targets[id(formatter)]
                formatter.handle(result)
                writing = None
        progress.close()
        for formatter, name in active:
            writing = targets[id(formatter)]
            if statistics and isinstance(formatter, _statistics_formatter()):
                formatter.show_summary = not quiet
                formatter.stop(summary)
            elif not quiet or name not in ("text", "concise", "github"):
                formatter.stop(summary)
        writing = "standard output"
        sys.stdout.flush()
        writing = None
    except OSError as error:
        if writing is None:
            raise
        progress.close()
        unwritten.append(f"cannot write {writing}: {error.strerror or error}")
    except ConfigError as error:
        progress.close()
        fail(str(error))
    except (PolicyError, RegistryError) as error:
        progress.close()
        fail(str(error))
    finally:
        for stream in streams:
            try:
                stream.close()
            except OSError as error:
                unwritten.append(f"cannot write {stream.name}: {error.strerror or error}")
    if unwritten:
        _discard_stdout()
        fail(unwritten[0])
    if write_baseline is not None:
        from podlint.baseline import write_baseline as write

        try:
            written = write(Path(write_baseline), recorded, root)
        except OSError as error:
            fail(f"cannot write {write_baseline}: {error.strerror or error}")
        click.echo(f"podlint: wrote {written} findings to {write_baseline}", err=True)
    if io_errors:
        sys.exit(EXIT_USAGE)
    nothing_read = not summary.files and not summary.helm_templates and "-" not in paths
    if nothing_read and changed_since is None and write_baseline is None and not quiet:
        # A mistyped directory that exists would otherwise pass in silence.
        click.echo(
            f"podlint: warning: no manifests found in {', '.join(map(printable, paths))} "
            "(podlint reads *.yaml, *.yml and *.json files; hidden directories are skipped)",
            err=True,
        )
    sys.exit(EXIT_FINDINGS if failing and write_baseline is None else EXIT_OK)


@cli.command("config-schema")
def config_schema_command() -> None:
    """Print the JSON Schema of .podlint.yaml (for editors: yaml.schemas, SchemaStore)."""
    import json

    from podlint.config import config_schema

    click.echo(json.dumps(config_schema(), indent=2))


@cli.command("rules")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
def rules_command(output_format: str) -> None:
    """List every rule with its category, default severity and policies."""
    import json
    from collections import Counter

    from podlint.docs import policy_membership
    from podlint.registry import default_registry

    registry = default_registry()
    membership = policy_membership(registry)
    rows: list[dict[str, Any]] = [
        {
            "id": rule.id,
            "category": rule.category,
            "severity": rule.severity.value,
            "target": rule.target,
            "policies": membership.get(rule.id, []),
            "fix": rule.fix.applicability if rule.fix else None,
            "summary": rule.summary,
            "docs": rule.docs_url,
        }
        for rule in sorted(registry.rules.values(), key=lambda r: r.id)
    ]
    if output_format == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    # Policies from the smallest to the largest, so the column reads "default,...,hardened".
    sizes = Counter(entry.split(":")[0] for entries in membership.values() for entry in entries)
    order = {name: (sizes[name], name != "default", name) for name in registry.policies}
    for row in rows:
        names = sorted({entry.split(":")[0] for entry in row["policies"]}, key=order.__getitem__)
        row["in"] = ",".join(names) or "- (opt-in: --select)"
    width = max((len(row["id"]) for row in rows), default=10)
    in_width = max((len(row["in"]) for row in rows), default=8)
    click.echo(
        f"{'RULE':<{width}}  {'CATEGORY':<13}  {'SEVERITY':<8}  {'FIX':<6}  "
        f"{'POLICIES':<{in_width}}  SUMMARY"
    )
    for row in rows:
        click.echo(
            f"{row['id']:<{width}}  {row['category']:<13}  {row['severity']:<8}  "
            f"{row['fix'] or '-':<6}  {row['in']:<{in_width}}  {row['summary']}"
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
        from podlint.policy import unknown_rule

        raise click.UsageError(unknown_rule(rule_id, registry.rules))
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
    from podlint.batch import rare_collections
    from podlint.registry import RegistryError

    args = list(argv) if argv is not None else None
    try:
        if (args if args is not None else sys.argv[1:])[:1] == ["lint"]:
            with rare_collections():
                cli.main(args=args, prog_name="podlint")
        else:
            cli.main(args=args, prog_name="podlint")
    except RegistryError as error:
        click.echo(f"podlint: error: {error}", err=True)
        return EXIT_USAGE
    except SystemExit as exit_:
        code = exit_.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USAGE)
    return EXIT_OK
