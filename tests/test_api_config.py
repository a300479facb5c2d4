"""ConfigMaps and Secrets: the keys each Secret type requires, with the values of data and
stringData as the apiserver decodes them and docker configs read as Go's encoding/json reads
them; and the 1 MiB the values may hold (too big for a fixture file)."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from podlint.checks.api_config import MAX_SIZE
from podlint.k8s.formats import byte_value
from podlint.testing import lint_with_only

RULE = "api-config"


def _secret(tmp_path: Path, config: str, field: str = "stringData") -> list[str]:
    path = tmp_path / "secret.yaml"
    path.write_text(
        "apiVersion: v1\nkind: Secret\nmetadata: {name: registry}\n"
        f"type: kubernetes.io/dockerconfigjson\n{field}:\n  .dockerconfigjson: {config}\n",
        encoding="utf-8",
    )
    return [finding.message for finding in lint_with_only(RULE, path)]


@pytest.mark.parametrize(
    "config",
    [
        "'{}'",
        "'null'",
        "' {\"a\": [1, 2.5e3, -0, true, null]} '",
        # Go takes up to 10,000 levels; deeper than Python parses is left alone.
        "'" + '{"a":' * 3000 + "1" + "}" * 3000 + "'",
    ],
)
def test_docker_configs_go_accepts(tmp_path: Path, config: str) -> None:
    assert _secret(tmp_path, config) == []


@pytest.mark.parametrize(
    ("config", "problem"),
    [
        ("''", "not valid JSON"),
        ("'[]'", "must be a JSON object, not an array"),
        ("'\"x\"'", "must be a JSON object, not a string"),
        ("'{\"a\": Infinity}'", "Infinity is not a JSON value"),
        ("'{\"a\": 1e400}'", "the number 1e400 does not fit in a float64"),
        ("'{\"a\": 1} x'", "not valid JSON"),
    ],
)
def test_docker_configs_go_refuses(tmp_path: Path, config: str, problem: str) -> None:
    (message,) = _secret(tmp_path, config)
    assert message.startswith('data[.dockerconfigjson]: Invalid value: "<secret contents')
    assert problem in message


def test_a_docker_config_in_data_is_decoded_first(tmp_path: Path) -> None:
    good = base64.b64encode(b'{"auths": {}}').decode()
    assert _secret(tmp_path, good, field="data") == []
    # Go's decoder takes invalid UTF-8 inside a string (and replaces it).
    assert _secret(tmp_path, base64.b64encode(b'{"a": "\xff"}').decode(), field="data") == []
    bad = base64.b64encode(b'{"auths": ').decode()
    assert len(_secret(tmp_path, bad, field="data")) == 1
    # Not base64 at all: api-base64 reports it, and the JSON inside is unknown.
    assert _secret(tmp_path, "'not base64!'", field="data") == []


def test_byte_values() -> None:
    assert byte_value("aGk=") == b"hi"
    assert byte_value("aG\nk=") == b"hi"
    assert byte_value([104, None, 105.0]) == b"h\x00i"
    assert byte_value(None) == b""
    assert byte_value([]) == b""
    for undecodable in ("aGk", [256], [-1], [-0.0], [1.5], [True], ["a"], 5, {}):
        assert byte_value(undecodable) is None


def _lint(tmp_path: Path, text: str) -> list[str]:
    path = tmp_path / "object.yaml"
    path.write_text(text, encoding="utf-8")
    return [finding.message for finding in lint_with_only(RULE, path)]


@pytest.mark.parametrize("extra", [0, 1])
def test_secret_values_hold_at_most_one_mebibyte(tmp_path: Path, extra: int) -> None:
    # stringData wins over the data value of the same key, which then does not count.
    text = (
        "apiVersion: v1\nkind: Secret\nmetadata: {name: big}\n"
        f"data: {{a: eHl6dw==, b: eHl6dw==}}\nstringData: {{a: '{'x' * (MAX_SIZE - 4 + extra)}'}}\n"
    )
    messages = _lint(tmp_path, text)
    if extra:
        assert messages == [
            f"data: Too long: may not be more than {MAX_SIZE} bytes (the values of data and "
            f"stringData hold {MAX_SIZE + 1})"
        ]
    else:
        assert messages == []


@pytest.mark.parametrize("extra", [0, 1])
def test_configmap_values_hold_at_most_one_mebibyte(tmp_path: Path, extra: int) -> None:
    # Counted in bytes: each "é" is two.
    text = (
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\n"
        f"data: {{a: '{'é' * ((MAX_SIZE - 4) // 2)}', b: {'x' * extra}}}\n"
        "binaryData: {c: [1, 2, 3, 4]}\n"
    )
    messages = _lint(tmp_path, text)
    assert len(messages) == extra
