"""``podlint lsp``: start the language server on stdin/stdout."""

from __future__ import annotations

from typing import Any

import click

from podlint.cli import EXIT_USAGE, _kube_version


@click.command("lsp")
@click.option(
    "--stdio", is_flag=True, help="Speak LSP on stdin/stdout (the default and only transport)."
)
@click.option("--policy", default="default", show_default=True, help="Policy name or file.")
@click.option(
    "--kubernetes-version",
    default="latest",
    show_default=True,
    callback=_kube_version,
    help="Target Kubernetes version (MAJOR.MINOR).",
)
@click.option(
    "--debounce-ms",
    type=click.IntRange(0, 5000),
    default=30,
    show_default=True,
    help="Quiet time after an edit before the buffer is linted again.",
)
def lsp(stdio: bool, policy: str, kubernetes_version: Any, debounce_ms: int) -> None:
    """Run the language server (diagnostics, hover, quick fixes) for editors."""
    try:
        import lsprotocol  # noqa: F401
        import pygls  # noqa: F401
    except ImportError:
        click.echo(
            "podlint: error: the language server needs the lsp extra: pip install 'podlint[lsp]'",
            err=True,
        )
        raise SystemExit(EXIT_USAGE) from None

    from podlint.lsp.server import create_server
    from podlint.policy import PolicyError
    from podlint.registry import RegistryError, default_registry
    from podlint.runtime import Options, build_engine

    options = Options(policy=policy, kubernetes_version=kubernetes_version)
    try:
        registry = default_registry()
        build_engine(options, registry)
    except (PolicyError, RegistryError) as error:
        raise click.UsageError(str(error)) from None
    server = create_server(options, debounce=debounce_ms / 1000, registry=registry)
    server.start_io()
