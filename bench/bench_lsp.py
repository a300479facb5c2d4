"""Language server latency: from a didChange to the publishDiagnostics for that version.

Starts the real `podlint lsp` over stdio, opens a multi-document manifest of about 2,000 lines
(real manifests from ../shared/corpus, repeated), then edits one line in the middle of it
again and again, waiting each time for the diagnostics of the new version. Also reports a
burst of keystrokes (edits 10 ms apart), where debouncing should lint once, after the last.

    python bench/bench_lsp.py
    python bench/bench_lsp.py --lines 2000 --edits 200 --policy restricted --debounce-ms 0
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

from lsprotocol import types
from pygls.lsp.client import LanguageClient

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent.parent / "shared" / "corpus" / "microservices-demo" / "kubernetes-manifests"

FALLBACK = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{n}
spec:
  selector:
    matchLabels: {{app: app-{n}}}
  template:
    metadata:
      labels: {{app: app-{n}}}
    spec:
      containers:
      - name: app
        image: registry.example.com/app-{n}:1.{n}
        resources:
          requests: {{cpu: 100m, memory: 64Mi}}
          limits: {{memory: 128Mi}}
---
apiVersion: v1
kind: Service
metadata:
  name: app-{n}
spec:
  selector: {{app: app-{n}}}
  ports:
  - port: 80
    targetPort: 8080
"""


def manifest(lines: int) -> str:
    """About ``lines`` lines of real manifests, whole documents only."""
    sources = sorted(CORPUS.glob("*.yaml")) if CORPUS.is_dir() else []
    chunks = [path.read_text(encoding="utf-8").strip("\n") for path in sources]
    if not chunks:
        chunks = [FALLBACK.format(n=n).strip("\n") for n in range(10)]
    text = ""
    while text.count("\n") < lines:
        for chunk in chunks:
            text += chunk + "\n---\n"
            if text.count("\n") >= lines:
                break
    return text


def image_line(text: str) -> int:
    """A line holding an image, near the middle of the text."""
    rows = text.splitlines()
    middle = len(rows) // 2
    for number in [*range(middle, len(rows)), *range(middle)]:
        if rows[number].strip().startswith("image:"):
            return number
    raise SystemExit("no image line in the manifest")


class Client(LanguageClient):
    def __init__(self) -> None:
        super().__init__("podlint-bench", "1")
        self.arrivals: dict[int, float] = {}
        self.counts: dict[int, int] = {}
        self.waiters: dict[int, asyncio.Future[float]] = {}


def _published(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
    assert isinstance(client, Client)
    now = time.perf_counter()
    version = params.version if params.version is not None else -1
    client.arrivals[version] = now
    client.counts[version] = len(params.diagnostics)
    waiter = client.waiters.pop(version, None)
    if waiter is not None and not waiter.done():
        waiter.set_result(now)


async def wait_for(client: Client, version: int) -> float:
    if version in client.arrivals:
        return client.arrivals[version]
    future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    client.waiters[version] = future
    return await asyncio.wait_for(future, 120)


def change(client: Client, uri: str, version: int, line: int, old: str, new: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(
                        start=types.Position(line=line, character=0),
                        end=types.Position(line=line, character=len(old)),
                    ),
                    text=new,
                )
            ],
        )
    )


async def run(args: argparse.Namespace) -> None:
    text = manifest(args.lines)
    line = image_line(text)
    original = text.splitlines()[line]
    variants = [original.rstrip() + suffix for suffix in ("-a", "-b")]
    command = [
        "-m",
        "podlint",
        "lsp",
        "--policy",
        args.policy,
        "--debounce-ms",
        str(args.debounce_ms),
    ]
    client = Client()
    client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)(_published)
    started = time.perf_counter()
    await client.start_io(sys.executable, *command)
    await client.initialize_async(
        types.InitializeParams(capabilities=types.ClientCapabilities(), root_uri=None)
    )
    client.initialized(types.InitializedParams())
    ready = time.perf_counter()
    uri = "file:///bench/manifests.yaml"
    sent = time.perf_counter()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )
    opened = await wait_for(client, 1) - sent

    latencies = []
    current = original
    version = 1
    for index in range(args.edits):
        version += 1
        new = variants[index % 2]
        sent = time.perf_counter()
        change(client, uri, version, line, current, new)
        latencies.append(await wait_for(client, version) - sent)
        current = new

    # A burst: edits 10 ms apart; only the last version needs diagnostics.
    first_of_burst = version + 1
    for index in range(10):
        version += 1
        new = variants[index % 2]
        change(client, uri, version, line, current, new)
        current = new
        last_sent = time.perf_counter()
        await asyncio.sleep(0.010)
    burst = await wait_for(client, version) - last_sent
    burst_publishes = sum(1 for v in client.arrivals if v >= first_of_burst)

    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()

    ms = [value * 1000 for value in latencies]
    print(f"file: {text.count(chr(10))} lines, {text.count('---')} documents")
    print(f"policy: {args.policy}, debounce: {args.debounce_ms} ms")
    print(f"diagnostics on the file: {client.counts.get(version)}")
    print(f"server start + initialize: {(ready - started) * 1000:.0f} ms")
    print(f"open -> diagnostics: {opened * 1000:.1f} ms")
    print(f"change -> diagnostics over {len(ms)} edits: {_spread(ms)}")
    print(
        f"burst of 10 edits 10 ms apart: last edit -> diagnostics {burst * 1000:.1f} ms, "
        f"{burst_publishes} publish(es)"
    )


def _spread(ms: list[float]) -> str:
    cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return (
        f"p50 {statistics.median(ms):.1f} ms, p90 {cuts[89]:.1f} ms, "
        f"p99 {cuts[98]:.1f} ms, max {max(ms):.1f} ms"
    )


def in_process(args: argparse.Namespace) -> None:
    """The server's lint of an edited buffer beside a whole lint_text, in one process."""
    from podlint.lint import lint_text
    from podlint.lsp.incremental import DocumentCache
    from podlint.runtime import Options, build_engine

    text = manifest(args.lines)
    line = image_line(text)
    rows = text.splitlines(keepends=True)
    engine = build_engine(Options(policy=args.policy))
    cache = DocumentCache()
    cache.lint_text(engine, "bench.yaml", text)
    whole: list[float] = []
    incremental: list[float] = []
    for index in range(args.edits):
        edited = list(rows)
        edited[line] = rows[line].rstrip("\n") + ("-a" if index % 2 else "-b") + "\n"
        new_text = "".join(edited)
        started = time.perf_counter()
        lint_text(engine, "bench.yaml", new_text)
        whole.append(time.perf_counter() - started)
        started = time.perf_counter()
        cache.lint_text(engine, "bench.yaml", new_text)
        incremental.append(time.perf_counter() - started)
    full = [value * 1000 for value in whole]
    part = [value * 1000 for value in incremental]
    print(f"in process, lint_text of the whole text: {_spread(full)}")
    print(f"in process, the server's lint (changed documents only): {_spread(part)}")
    print(f"ratio of the medians: {statistics.median(full) / statistics.median(part):.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--policy", default="default")
    parser.add_argument("--debounce-ms", type=int, default=30)
    args = parser.parse_args()
    asyncio.run(run(args))
    in_process(args)


if __name__ == "__main__":
    main()
