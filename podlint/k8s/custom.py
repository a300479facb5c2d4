"""Where a custom resource's JSON Schema is looked up, in kubeconform's directory layouts.

The file name is built from the manifest's own ``apiVersion`` and ``kind``, which a pull
request controls; only names the apiserver could ever serve are looked up (a CRD's kind is a
DNS-1035 label once lower-cased, its group a DNS-1123 subdomain and its versions DNS-1035
labels), and a candidate must resolve inside its location, so no manifest can make podlint
open a file elsewhere.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from podlint.k8s.formats import dns1035_label, dns1123_subdomain


def schema_file_names(api_version: str, kind: str) -> list[str]:
    """The relative file names a schema for ``kind`` may have; none for unservable names."""
    group, _, version = api_version.rpartition("/")
    lower = kind.lower()
    if dns1035_label(lower) or dns1035_label(version):
        return []
    if group and dns1123_subdomain(group):
        return []
    names = [f"{lower}_{version}.json"]
    if group:
        names.insert(0, f"{group}/{lower}_{version}.json")
        names.append(f"{lower}-{group.split('.')[0]}-{version}.json")
    else:
        names.append(f"{lower}-{version}.json")
    return names


def find_schema_file(locations: Iterable[str], api_version: str, kind: str) -> Path | None:
    """The first existing schema file for ``kind`` inside one of ``locations``."""
    names = schema_file_names(api_version, kind)
    if not names:
        return None
    for location in locations:
        try:
            base = Path(location).resolve()
        except (OSError, RuntimeError):
            continue
        for name in names:
            candidate = base / name
            try:
                resolved = candidate.resolve()
            except (OSError, RuntimeError):
                continue
            if resolved.is_relative_to(base) and resolved.is_file():
                return resolved
    return None
