"""A CA and a serving certificate for the webhook Service, with the SANs kube-apiserver checks.

The apiserver ignores the CN and verifies the DNS SAN `<service>.<namespace>.svc`, so every
name the Service can be reached by is a SAN. Keys are ECDSA P-256 (fast, accepted by Go's TLS).
"""

from __future__ import annotations

import datetime
import ipaddress
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

CA_FILE = "ca.crt"
CERT_FILE = "tls.crt"
KEY_FILE = "tls.key"


@dataclass(frozen=True)
class Issued:
    ca_pem: bytes
    cert_pem: bytes
    key_pem: bytes


def service_names(service: str, namespace: str) -> list[str]:
    return [
        service,
        f"{service}.{namespace}",
        f"{service}.{namespace}.svc",
        f"{service}.{namespace}.svc.cluster.local",
    ]


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _san(names: Iterable[str]) -> x509.SubjectAlternativeName:
    entries: list[x509.GeneralName] = []
    for name in names:
        try:
            entries.append(x509.IPAddress(ipaddress.ip_address(name)))
        except ValueError:
            entries.append(x509.DNSName(name))
    return x509.SubjectAlternativeName(entries)


def self_signed_ca(
    ca_key: ec.EllipticCurvePrivateKey, namespace: str, days: int = 365
) -> x509.Certificate:
    """A CA that outlives the serving certificates it signs ten times over, so that rotating
    the serving pair never needs a new caBundle."""
    now = datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(minutes=5)  # tolerate clock skew between nodes
    return (
        x509.CertificateBuilder()
        .subject_name(_name(f"podlint-webhook-ca.{namespace}"))
        .issuer_name(_name(f"podlint-webhook-ca.{namespace}"))
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + datetime.timedelta(days=max(days, 1) * 10))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )


def issue(
    service: str,
    namespace: str,
    extra_names: Iterable[str] = (),
    days: int = 365,
    ca: tuple[ec.EllipticCurvePrivateKey, x509.Certificate] | None = None,
) -> Issued:
    """A fresh CA (unless one is given) and a serving certificate signed by it."""
    now = datetime.datetime.now(datetime.timezone.utc)
    start = now - datetime.timedelta(minutes=5)  # tolerate clock skew between nodes
    if ca is None:
        ca_key = ec.generate_private_key(ec.SECP256R1())
        ca_cert = self_signed_ca(ca_key, namespace, days)
    else:
        ca_key, ca_cert = ca
    key = ec.generate_private_key(ec.SECP256R1())
    names = [*service_names(service, namespace), *extra_names]
    cert = (
        x509.CertificateBuilder()
        .subject_name(_name(f"{service}.{namespace}.svc"))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(_san(names), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    return Issued(
        ca_pem=ca_cert.public_bytes(serialization.Encoding.PEM),
        cert_pem=cert.public_bytes(serialization.Encoding.PEM),
        key_pem=key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


def write(issued: Issued, out_dir: Path) -> list[Path]:
    """Write ca.crt, tls.crt and tls.key (owner-only); each file is replaced atomically."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data, mode in (
        (CA_FILE, issued.ca_pem, 0o644),
        (CERT_FILE, issued.cert_pem, 0o644),
        (KEY_FILE, issued.key_pem, 0o600),
    ):
        target = out_dir / name
        temporary = out_dir / f".{name}.tmp"
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
        os.replace(temporary, target)
        written.append(target)
    return written


def not_after(cert_pem: bytes) -> float:
    """The expiry of the first certificate in a PEM file, as a Unix timestamp."""
    cert = x509.load_pem_x509_certificate(cert_pem)
    return cert.not_valid_after_utc.timestamp()
