"""``podlint audit``: a thin adapter from click options to the cluster, the engine and reports.

The client library is imported only when the command runs, so that ``podlint`` works without
the ``audit`` extra and says which extra to install when the command is used.
"""

from __future__ import annotations

import dataclasses
import sys
import time
from pathlib import Path
from typing import Any, NoReturn, TextIO

import click

from podlint.commands import (
    EXIT_FINDINGS,
    EXIT_OK,
    EXIT_USAGE,
    FAIL_ON,
    explicit_options,
    policy_option,
    require_extra,
)

FORMATS = ("text", "json", "sarif", "github", "gitlab", "junit", "policyreport")


def _fail(message: str) -> NoReturn:
    click.echo(f"podlint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _kube_version(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    from podlint.model.version import KubeVersion

    if value is None:
        return None
    try:
        return KubeVersion.parse(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@click.command()
@click.option(
    "--kubeconfig",
    type=click.Path(dir_okay=False),
    default=None,
    help="Kubeconfig file (default: KUBECONFIG, ~/.kube/config, or the Pod's service account).",
)
@click.option("--context", default=None, help="Kubeconfig context (default: the current one).")
@click.option(
    "--namespace",
    "-n",
    "namespaces",
    multiple=True,
    help="Audit only this namespace (repeatable; default: all namespaces).",
)
@click.option(
    "--selector",
    "-l",
    default=None,
    help="Label selector, as kubectl takes it (app=web,tier in (a,b)).",
)
@policy_option
@click.option(
    "--kubernetes-version",
    default=None,
    callback=_kube_version,
    help="Target Kubernetes version (MAJOR.MINOR, or latest; default: the cluster's).",
)
@click.option("--select", multiple=True, help="Run only these rules (ids, @category, globs).")
@click.option("--ignore", multiple=True, help="Do not run these rules.")
@click.option("--fail-on", type=click.Choice(FAIL_ON), default="error", show_default=True)
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse podlint.io/ignore annotations for error-severity findings.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="A lint format, or policyreport: PolicyReport objects as YAML.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the report to this file instead of stdout.",
)
@click.option(
    "--apply-reports",
    is_flag=True,
    help="Create or update the PolicyReports in the cluster (needs the CRD).",
)
@click.option(
    "--chunk-size",
    type=click.IntRange(min=1),
    default=500,
    show_default=True,
    help="Objects per list request (the API's limit; continued until done).",
)
@click.option(
    "--config",
    "config_file",
    type=click.Path(dir_okay=False),
    default=None,
    help="A .podlint.yaml to use (rules, options, workload-kinds; the command line wins).",
)
@click.option("--quiet", "-q", is_flag=True, help="No summary on stderr.")
@click.pass_context
def audit(
    ctx: click.Context,
    kubeconfig: str | None,
    context: str | None,
    namespaces: tuple[str, ...],
    selector: str | None,
    policy: str,
    kubernetes_version: Any,
    select: tuple[str, ...],
    ignore: tuple[str, ...],
    fail_on: str,
    strict: bool,
    output_format: str,
    output: str | None,
    apply_reports: bool,
    chunk_size: int,
    config_file: str | None,
    quiet: bool,
) -> None:
    """Lint the Pods and workloads that run in a cluster."""
    require_extra("audit")
    from podlint.audit.cluster import Cluster
    from podlint.audit.cluster import load_config as load_kubeconfig
    from podlint.audit.errors import ConnectError, Refused
    from podlint.audit.inventory import collect, workload_resources
    from podlint.audit.run import SKIPPED_RULES, audit_objects, split_managed
    from podlint.audit.selector import SelectorError, parse_selector
    from podlint.config import ConfigError, load_config, merge_options
    from podlint.model.finding import Severity
    from podlint.model.version import LATEST
    from podlint.policy import PolicyError
    from podlint.registry import RegistryError, default_registry
    from podlint.runtime import Options, build_engine, split_selectors

    try:
        requirements = parse_selector(selector or "")
    except SelectorError as error:
        raise click.BadParameter(str(error), param_hint="--selector") from None
    options = Options(
        policy=policy,
        kubernetes_version=kubernetes_version or LATEST,
        select=split_selectors(select),
        ignore=(*split_selectors(ignore), *SKIPPED_RULES),
        fail_on=fail_on,
    )
    version_given = kubernetes_version is not None
    try:
        if config_file is not None:
            given = explicit_options(ctx, ["policy", "kubernetes_version", "fail_on"])
            config = load_config(Path(config_file))
            version_given = version_given or config.kubernetes_version is not None
            options = merge_options(config, options, explicit=given)
        engine = build_engine(options, default_registry())
    except ConfigError as error:
        _fail(str(error))
    except (PolicyError, RegistryError) as error:
        raise click.UsageError(str(error)) from None
    try:
        cluster = Cluster(load_kubeconfig(kubeconfig, context))
    except ConnectError as error:
        _fail(str(error))
    try:
        if not version_given:
            served = _served_version(cluster.version())
            if served != options.kubernetes_version:
                options = dataclasses.replace(options, kubernetes_version=served)
                engine = build_engine(options, engine.registry)
        resources = workload_resources(cluster, engine.kind_map.custom)
        inventory = collect(
            cluster, split_selectors(namespaces), requirements, chunk_size, resources
        )
        listed, managed = split_managed(inventory.objects)
        audited = list(audit_objects(engine, listed, strict=strict))
        reports = None
        if output_format == "policyreport" or apply_reports:
            scopes: list[str | None] = list(inventory.namespaces)
            if apply_reports and not namespaces and not requirements:
                scopes += _previous_scopes(cluster)
            if any(not obj.get("metadata", {}).get("namespace") for obj in inventory.objects):
                scopes.append(None)
            reports = _policy_reports(audited, scopes, options, engine.registry.rules)
        _write(output_format, output, audited, reports, engine.registry)
        apply_failures = _apply(cluster, reports) if apply_reports and reports else []
    except ConnectError as error:
        _fail(str(error))
    except Refused as error:
        _fail(f"the API server refused: {error.status}: {error.message}")
    finally:
        cluster.close()

    counts = {severity: 0 for severity in Severity}
    for item in audited:
        for finding in item.result.findings:
            counts[finding.severity] += 1
    for line in inventory.failure_lines():
        click.echo(f"podlint: error: {line}", err=True)
    for line in apply_failures:
        click.echo(f"podlint: error: {line}", err=True)
    if not quiet:
        summary = _summary(audited, inventory.objects, len(managed), counts)
        click.echo(f"{summary} (judged for Kubernetes {options.kubernetes_version})", err=True)
    if inventory.failures or apply_failures:
        sys.exit(EXIT_USAGE)
    threshold = Severity(options.fail_on).rank if options.fail_on != "never" else 99
    failing = any(count for severity, count in counts.items() if severity.rank >= threshold)
    sys.exit(EXIT_FINDINGS if failing else EXIT_OK)


def _served_version(version: tuple[int, int] | None) -> Any:
    """The version to judge by: the cluster's, within the versions podlint knows."""
    from podlint.model.version import LATEST, SUPPORTED, KubeVersion

    if version is None:
        return LATEST
    running = KubeVersion(*version)
    nearest = min(max(running, SUPPORTED[0]), SUPPORTED[-1])
    if nearest != running:
        click.echo(
            f"podlint: the cluster runs Kubernetes {running}; judging by {nearest}, the "
            f"nearest version podlint knows ({SUPPORTED[0]} to {SUPPORTED[-1]})",
            err=True,
        )
    return nearest


def _policy_reports(
    audited: list[Any], scopes: list[str | None], options: Any, rules: Any
) -> list[dict[str, Any]]:
    from podlint.audit.reports import policy_reports

    policy = str(options.policy)
    name = Path(policy).stem if policy.endswith((".yaml", ".yml")) else policy
    return policy_reports(
        audited,
        policy=name,
        rules=rules,
        timestamp=int(time.time()),
        scopes=scopes,
        annotations={
            "podlint.io/policy": name,
            "podlint.io/kubernetes-version": str(options.kubernetes_version),
        },
    )


def _previous_scopes(cluster: Any) -> list[str | None]:
    """Where podlint wrote reports before: a whole-cluster audit rewrites them, so that the
    results of objects that are gone do not linger."""
    from podlint.audit.errors import Refused
    from podlint.audit.reports import MANAGED_BY
    from podlint.audit.resources import CLUSTER_POLICY_REPORT, POLICY_REPORT
    from podlint.audit.selector import Requirement

    ours = tuple(Requirement(key, "equal", (value,)) for key, value in MANAGED_BY.items())
    scopes: list[str | None] = []
    for resource in (POLICY_REPORT, CLUSTER_POLICY_REPORT):
        try:
            for report in cluster.list_objects(resource, None, ours):
                scopes.append(report["metadata"].get("namespace"))
        except Refused:
            continue  # no CRD (applying says so) or no right to list them: nothing to clear
    return scopes


def _write(
    output_format: str,
    output: str | None,
    audited: list[Any],
    reports: list[dict[str, Any]] | None,
    registry: Any,
) -> None:
    from podlint.formatters import Summary

    try:
        stream: TextIO = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    except OSError as error:
        _fail(f"cannot write {output}: {error.strerror or error}")
    try:
        if output_format == "policyreport":
            from ruamel.yaml import YAML

            yaml = YAML()
            yaml.default_flow_style = False
            yaml.width = 4096  # one line per value, as kubectl prints them
            yaml.dump_all(reports or [], stream)
            return
        formatter = registry.formatter(output_format)(stream, registry=registry, root=Path.cwd())
        summary = Summary()
        formatter.start()
        for item in audited:
            summary.add(item.result)
            formatter.handle(item.result)
        if output_format not in ("text", "github"):
            formatter.stop(summary)
    finally:
        if output:
            stream.close()


def _apply(cluster: Any, reports: list[dict[str, Any]]) -> list[str]:
    """Create or update each report; a missing CRD ends the run, a refusal is named."""
    from podlint.audit.errors import Refused
    from podlint.audit.resources import CLUSTER_POLICY_REPORT, POLICY_REPORT

    failures = []
    for report in reports:
        namespaced = report["kind"] == "PolicyReport"
        resource = POLICY_REPORT if namespaced else CLUSTER_POLICY_REPORT
        try:
            cluster.apply(resource, report)
        except Refused as error:
            if error.status == 404 and "namespaces" not in error.message:
                _fail(
                    f"the {resource.kind} CRD ({resource.plural}.{resource.group}, "
                    f"{resource.version}) is not installed in this cluster: install it "
                    "(Kyverno, Polaris and Policy Reporter ship it), or print the reports "
                    "with --format policyreport"
                )
            where = f'namespace "{report["metadata"]["namespace"]}"' if namespaced else "cluster"
            failures.append(
                f"{where}: cannot write {resource.kind} {report['metadata']['name']} "
                f"({error.status}: {error.message})"
            )
    return failures


def _summary(audited: list[Any], listed: list[Any], managed: int, counts: dict[Any, int]) -> str:
    from podlint.audit.run import Identity

    namespaces = {Identity.of(obj).namespace for obj in listed} - {None}
    found = [
        f"{count} {severity.value}{'s' if count != 1 else ''}"
        for severity, count in counts.items()
        if count
    ]
    managed_note = (
        f" ({managed} managed object{'s' if managed != 1 else ''} reported at their controller)"
        if managed
        else ""
    )
    return (
        f"podlint: audited {len(audited)} object{'s' if len(audited) != 1 else ''} in "
        f"{len(namespaces)} namespace{'s' if len(namespaces) != 1 else ''}{managed_note}: "
        + (", ".join(found) if found else "no findings")
    )
