"""`podlint webhook`: serve, certs, manifests (imported only when this subcommand runs)."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import click

from podlint.commands import require_extra
from podlint.webhook.manifests import DEFAULT_EXCLUDED_GROUPS, NAME


@click.group()
def webhook() -> None:
    """The validating admission webhook: the lint engine at the cluster's door."""
    require_extra("webhook")


@webhook.command()
@click.option("--tls-cert", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--tls-key", type=click.Path(dir_okay=False, path_type=Path), required=True)
@click.option("--host", default="0.0.0.0", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8443, show_default=True)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Webhook configuration (namespaces, policies, modes, exemptions); reloaded on change.",
)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True)
@click.option(
    "--shutdown-delay",
    type=click.FloatRange(0, 300),
    default=0.0,
    show_default=True,
    help="Seconds to keep serving (not ready, closing keep-alive) after SIGTERM.",
)
@click.option(
    "--read-timeout",
    type=click.FloatRange(0.1, 300),
    default=10.0,
    show_default=True,
    help="Seconds a new connection has for its TLS handshake, and then for its request headers.",
)
@click.option(
    "--max-connections",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    help="Open connections per worker; past it requests get 503.",
)
def serve(
    tls_cert: Path,
    tls_key: Path,
    host: str,
    port: int,
    config_path: Path | None,
    workers: int,
    shutdown_delay: float,
    read_timeout: float,
    max_connections: int,
) -> None:
    """Serve /validate, /healthz, /readyz and /metrics over HTTPS."""
    import ssl

    from podlint.webhook.config import WebhookConfigError, load_config
    from podlint.webhook.review import Reviewer
    from podlint.webhook.server import ServeOptions, server_ssl_context, setup_logging
    from podlint.webhook.server import serve as run

    for path in (tls_cert, tls_key):
        if not path.is_file():
            raise click.UsageError(f"cannot read {path}: no such file")
    try:
        server_ssl_context(tls_cert, tls_key)
    except (OSError, ssl.SSLError) as error:
        raise click.UsageError(
            f"cannot use the certificate {tls_cert} with the key {tls_key}: {error}"
        ) from None
    if config_path is not None:
        try:
            Reviewer(load_config(config_path))
        except WebhookConfigError as error:
            raise click.UsageError(str(error)) from None
    setup_logging()
    run(
        ServeOptions(
            tls_cert=tls_cert,
            tls_key=tls_key,
            host=host,
            port=port,
            config=config_path,
            workers=workers,
            shutdown_delay=shutdown_delay,
            read_timeout=read_timeout,
            max_connections=max_connections,
        )
    )


@webhook.command()
@click.option("--service", default=NAME, show_default=True, help="The webhook's Service name.")
@click.option("--namespace", required=True, help="The Service's namespace.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), required=True)
@click.option("--days", type=click.IntRange(1, 3650), default=365, show_default=True)
@click.option(
    "--extra-name",
    multiple=True,
    help="Another DNS name or IP address for the serving certificate (repeatable).",
)
def certs(
    service: str, namespace: str, out_dir: Path, days: int, extra_name: tuple[str, ...]
) -> None:
    """Write ca.crt, tls.crt and tls.key: a CA and a serving certificate for S.N.svc."""
    from podlint.webhook import certs as certificates

    try:
        written = certificates.write(
            certificates.issue(service, namespace, extra_name, days), out_dir
        )
    except OSError as error:
        raise click.UsageError(f"cannot write to {out_dir}: {error.strerror or error}") from None
    for path in written:
        click.echo(str(path))


@webhook.command()
@click.option("--namespace", default="podlint-system", show_default=True)
@click.option("--service", default=NAME, show_default=True)
@click.option("--image", default=None, help="Container image (default: this version's).")
@click.option(
    "--certs",
    "certs_dir",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="A directory from 'webhook certs': fills caBundle and adds the TLS Secret. "
    "Without it, cert-manager issues and rotates the certificate.",
)
@click.option(
    "--failure-policy",
    type=click.Choice(["Fail", "Ignore"]),
    default="Fail",
    show_default=True,
    help="What the apiserver does when no replica answers in time.",
)
@click.option(
    "--url",
    default=None,
    help="Have the apiserver call this https:// URL (a webhook outside the cluster) "
    "instead of the Service.",
)
@click.option(
    "--kubernetes-version",
    default="latest",
    show_default=True,
    help="The cluster's version (MAJOR.MINOR): matchConditions are used from 1.28 on.",
)
@click.option(
    "--exclude-group",
    "excluded_groups",
    multiple=True,
    default=DEFAULT_EXCLUDED_GROUPS,
    show_default=True,
    help="Requests from this group never reach the webhook (repeatable; matchConditions).",
)
@click.option(
    "--exclude-user",
    "excluded_users",
    multiple=True,
    help="Requests from this user never reach the webhook (repeatable; matchConditions).",
)
def manifests(
    namespace: str,
    service: str,
    image: str | None,
    certs_dir: Path | None,
    failure_policy: str,
    url: str | None,
    kubernetes_version: str,
    excluded_groups: tuple[str, ...],
    excluded_users: tuple[str, ...],
) -> None:
    """Print the Deployment, PodDisruptionBudget, Service and ValidatingWebhookConfiguration."""
    from urllib.parse import urlsplit

    from podlint.model.version import KubeVersion
    from podlint.webhook.certs import CA_FILE, CERT_FILE, KEY_FILE
    from podlint.webhook.manifests import default_image, objects, render

    try:
        version = KubeVersion.parse(kubernetes_version)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--kubernetes-version") from None
    if url is not None:
        parts = urlsplit(url)
        # What the apiserver accepts in clientConfig.url.
        if parts.scheme != "https" or not parts.hostname or parts.query or parts.fragment:
            raise click.BadParameter(
                f"{url!r}: expected https://HOST[:PORT]/PATH without a query or fragment",
                param_hint="--url",
            )

    ca_pem = None
    secret: list[dict[str, Any]] = []
    if certs_dir is not None:
        try:
            ca_pem = (certs_dir / CA_FILE).read_bytes()
            secret_data = {
                name: base64.b64encode((certs_dir / name).read_bytes()).decode("ascii")
                for name in (CERT_FILE, KEY_FILE)
            }
        except OSError as error:
            raise click.UsageError(f"cannot read {error.filename}: {error.strerror}") from None
        secret.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "type": "kubernetes.io/tls",
                "metadata": {"name": f"{NAME}-tls", "namespace": namespace},
                "data": secret_data,
            }
        )
    namespace_object, *rest = objects(
        namespace,
        image or default_image(),
        ca_pem,
        failure_policy,
        service,
        url=url,
        kubernetes_version=version,
        excluded_groups=excluded_groups,
        excluded_users=excluded_users,
    )
    # The Secret goes into the namespace, so after it.
    items = [namespace_object, *secret, *rest]
    click.echo(render(items), nl=False)
