"""``podlint lsp``: start the language server on stdin/stdout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from podlint.commands import (
    explicit_options,
    kubernetes_version_option,
    policy_option,
    require_extra,
)


@click.command("lsp")
@click.option(
    "--stdio", is_flag=True, help="Speak LSP on stdin/stdout (the default and only transport)."
)
@policy_option
@kubernetes_version_option
@click.option(
    "--config",
    "config_file",
    type=click.Path(exists=True, dir_okay=False),
    default=None,
    help="Use this configuration file for every buffer instead of the closest .podlint.yaml.",
)
@click.option("--no-config", is_flag=True, help="Ignore configuration files.")
@click.option(
    "--debounce-ms",
    type=click.IntRange(0, 5000),
    default=30,
    show_default=True,
    help="Quiet time after an edit before the buffer is linted again.",
)
@click.option(
    "--max-file-size",
    type=click.IntRange(min=1),
    default=10 * 1024 * 1024,
    show_default=True,
    help="Refuse buffers larger than this many bytes.",
)
@click.pass_context
def lsp(
    ctx: click.Context,
    stdio: bool,
    policy: str,
    kubernetes_version: Any,
    config_file: str | None,
    no_config: bool,
    debounce_ms: int,
    max_file_size: int,
) -> None:
    """Run the language server (diagnostics, hover, quick fixes) for editors."""
    require_extra("lsp")
    from podlint.lsp.server import create_server
    from podlint.lsp.settings import Engines
    from podlint.policy import PolicyError
    from podlint.registry import RegistryError, default_registry
    from podlint.runtime import Options

    options = Options(policy=policy, kubernetes_version=kubernetes_version)
    try:
        registry = default_registry()
        engines = Engines(
            options,
            registry,
            explicit=explicit_options(ctx, ["policy", "kubernetes_version"]),
            config_file=Path(config_file) if config_file else None,
            use_config=not no_config,
        )
        engines.default()
    except (PolicyError, RegistryError) as error:
        raise click.UsageError(str(error)) from None
    server = create_server(engines, debounce=debounce_ms / 1000, max_bytes=max_file_size)
    server.start_io()
    # pygls swallows the SystemExit that carries its own exit code; the protocol asks for 1
    # when the client exits (or goes away) without a shutdown request first.
    if not server.protocol._shutdown:
        ctx.exit(1)
