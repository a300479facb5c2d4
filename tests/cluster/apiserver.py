"""Ask the real kube-apiserver whether it accepts a manifest, and ask podlint the same.

A *case* is the text of one YAML document holding one object. The apiserver judges it with a
server-side dry-run create (``dryRun=All``, ``fieldValidation=Strict``), sent as YAML so that it
reads the scalars itself; podlint judges it by its rejecting errors: error findings of the rules
in ``REJECTING`` and the problems of reading the text.
"""

from __future__ import annotations

import json
import re
import ssl
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import httpx

from podlint.engine import Engine
from podlint.lint import lint_text
from podlint.model.document import Document
from podlint.model.finding import Severity
from podlint.model.kinds import BUILTIN_POD_SPEC_POINTERS
from podlint.model.version import KubeVersion
from podlint.runtime import Options, build_engine
from podlint.source.manifest import parse_text
from tests.cluster.conftest import Cluster
from tests.cluster.mutation_harness import Mutation

APISERVER_VERSION = KubeVersion(1, 35)
REJECTING = ("schema", "api-*", "duplicate-*", "missing-image", "yaml-syntax")
DRY_RUN = {"dryRun": "All", "fieldValidation": "Strict"}


def rejecting_engine() -> Engine:
    return build_engine(Options(select=REJECTING, kubernetes_version=APISERVER_VERSION))


@dataclass(frozen=True)
class Case:
    """One document to judge; ``origin`` says where it came from (a file, a mutation)."""

    origin: str
    text: str


@dataclass(frozen=True)
class Verdict:
    accepted: bool
    status: int
    message: str
    # JSON Pointers of the fields the apiserver named (422 Invalid causes).
    fields: tuple[str, ...] = ()

    @property
    def answered(self) -> bool:
        return self.status != 0


@dataclass(frozen=True)
class Opinion:
    """podlint's rejecting errors for a case: (rule, pointer, message)."""

    errors: tuple[tuple[str, str, str], ...]

    @property
    def accepted(self) -> bool:
        return not self.errors


def podlint_opinion(engine: Engine, case: Case) -> Opinion:
    result = lint_text(engine, case.origin, case.text)
    errors = tuple(
        (finding.rule, finding.pointer, finding.message)
        for finding in result.findings
        if finding.severity is Severity.ERROR
    )
    return Opinion(errors)


def object_of(case: Case) -> dict[str, Any] | None:
    """The object a case holds; None for a List (the apiserver takes its items one by one)."""
    for item in parse_text(case.text, case.origin):
        if isinstance(item, Document):
            return item.data if not item.pointer else None
    return None


_BRACKET = re.compile(r"\[([^\]]*)\]")


def field_pointer(path: str) -> str:
    """``spec.containers[0].env[1].name`` (the apiserver's field path) as a JSON Pointer."""
    parts: list[str] = []
    for dotted in re.split(r"\.(?![^\[]*\])", path):
        head = _BRACKET.split(dotted)
        if head[0]:
            parts.append(head[0])
        parts.extend(part for part in head[1::2])
    return "".join("/" + part.replace("~", "~0").replace("/", "~1") for part in parts)


def fields_agree(ours: Iterable[str], theirs: Iterable[str]) -> bool:
    """Whether some podlint pointer names the field the apiserver named.

    Compared by field names, list indexes left out, since the apiserver's own paths are not
    always exact: it writes some map keys with dots and no brackets
    (``spec.template.annotations.seccomp.security.alpha.kubernetes.io/pod``), leaves out
    ``metadata`` before a template's annotations, ``items[i]`` in a downward API volume,
    ``requests`` before a claim's storage, and counts a StatefulSet's volumes after its claim
    templates. It matches when one path's names appear in order in the other's (a missing
    field is reported where it belongs, the apiserver sometimes names the parent), or when
    podlint's parent does (a missing field pointed at its parent; a toleration's value the
    apiserver reports at its operator). A Secret's ``data[key]`` may be its ``stringData``
    key: the apiserver merges stringData into data before it validates.
    """
    mine = [_names(pointer) for pointer in ours]
    named = [_names(pointer) for pointer in theirs]
    named += [["stringData", *b[1:]] for b in named if b[:1] == ["data"]]
    if any(b[:4] == _TEMPLATE_VOLUMES for b in named):
        named.append(_CLAIM_TEMPLATE_NAME)
    return any(
        _within(a, b) or _within(b, a) or _within(a[:-1], b) or _near(a, b)
        for a in mine
        for b in named
    )


# A StatefulSet's claim templates become pod volumes of their names: the apiserver reports a
# template's bad name at the volume (spec.template.spec.volumes[0].name).
_TEMPLATE_VOLUMES = ["spec", "template", "spec", "volumes"]
_CLAIM_TEMPLATE_NAME = ["spec", "volumeClaimTemplates", "metadata", "name"]


def _near(a: list[str], b: list[str]) -> bool:
    """Paths that part at most two names before their ends (the apiserver leaves out
    ``sources[i].serviceAccountToken`` of a projected volume's token path)."""
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 3 and len(a) - common <= 2 and len(b) - common <= 2


def _names(pointer: str) -> list[str]:
    text = pointer.replace("~1", "/").replace("~0", "~")
    return [part for part in re.split(r"[/.]", text) if part and not part.isdigit()]


def _within(short: list[str], long: list[str]) -> bool:
    remaining = iter(long)
    return all(part in remaining for part in short)


def is_live(obj: dict[str, Any]) -> bool:
    """An object as read back from a cluster (it has a resourceVersion or uid): it describes
    an existing object, which no create would send."""
    meta = obj.get("metadata")
    return isinstance(meta, dict) and bool(meta.get("resourceVersion") or meta.get("uid"))


@dataclass
class Judge:
    """Dry-run creates against one apiserver, with the namespaces and accounts documents name."""

    cluster: Cluster
    workers: int = 4
    resources: dict[tuple[str, str], tuple[str, bool]] = field(default_factory=dict)
    prepared: set[tuple[str, str]] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.client = httpx.Client(
            base_url=self.cluster.url,
            verify=ssl.create_default_context(cafile=str(self.cluster.ca_file)),
            headers={"Authorization": f"Bearer {self.cluster.token}"},
            limits=httpx.Limits(max_connections=self.workers * 2),
            timeout=60.0,
        )
        self.discover()

    def close(self) -> None:
        self.client.close()

    def discover(self) -> None:
        versions = ["/api/v1"]
        groups = self.client.get("/apis").json()["groups"]
        versions += [f"/apis/{v['groupVersion']}" for g in groups for v in g["versions"]]
        for base in versions:
            listing = self.client.get(base).json()
            group_version = listing["groupVersion"]
            for resource in listing["resources"]:
                if "/" in resource["name"] or "create" not in resource.get("verbs", ()):
                    continue
                self.resources[(group_version, resource["kind"])] = (
                    f"{base}/{{ns}}{resource['name']}",
                    resource["namespaced"],
                )

    def serves(self, obj: dict[str, Any]) -> bool:
        return (str(obj.get("apiVersion")), str(obj.get("kind"))) in self.resources

    def prepare(self, objects: Iterable[dict[str, Any] | None]) -> None:
        """Create what the objects name and this empty cluster lacks: namespaces with their
        ``default`` ServiceAccount, and the ServiceAccounts, PriorityClasses and RuntimeClasses
        Pods name (the admission plugins refuse Pods that name missing ones)."""
        wanted: set[tuple[str, str]] = set()
        for obj in objects:
            if not isinstance(obj, dict) or not self.serves(obj):
                continue
            meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
            namespace = meta.get("namespace") if isinstance(meta, dict) else None
            namespace = namespace if isinstance(namespace, str) and namespace else "default"
            if self.resources[(obj["apiVersion"], obj["kind"])][1]:
                wanted.add(("Namespace", namespace))
            spec = obj.get("spec")
            if obj.get("kind") == "Pod" and isinstance(spec, dict):
                account = spec.get("serviceAccountName") or spec.get("serviceAccount")
                if isinstance(account, str) and account:
                    wanted.add(("ServiceAccount", f"{namespace}/{account}"))
                for kind, key in (
                    ("PriorityClass", "priorityClassName"),
                    ("RuntimeClass", "runtimeClassName"),
                ):
                    if isinstance(spec.get(key), str) and spec[key]:
                        wanted.add((kind, spec[key]))
        for kind, name in sorted(wanted - self.prepared):
            self._create(kind, name)
            self.prepared.add((kind, name))

    def _create(self, kind: str, name: str) -> None:
        if kind == "Namespace":
            self.client.post("/api/v1/namespaces", json=_meta("v1", kind, name))
            self._create("ServiceAccount", f"{name}/default")
        elif kind == "ServiceAccount":
            namespace, account = name.split("/", 1)
            self.client.post(
                f"/api/v1/namespaces/{namespace}/serviceaccounts",
                json=_meta("v1", kind, account),
            )
        elif kind == "PriorityClass":
            body = {**_meta("scheduling.k8s.io/v1", kind, name), "value": 1000}
            self.client.post("/apis/scheduling.k8s.io/v1/priorityclasses", json=body)
        elif kind == "RuntimeClass":
            body = {**_meta("node.k8s.io/v1", kind, name), "handler": "runc"}
            self.client.post("/apis/node.k8s.io/v1/runtimeclasses", json=body)

    def path_of(self, obj: dict[str, Any]) -> str:
        template, namespaced = self.resources[(obj["apiVersion"], obj["kind"])]
        meta = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
        namespace = meta.get("namespace") if isinstance(meta, dict) else None
        namespace = namespace if isinstance(namespace, str) and namespace else "default"
        return template.format(ns=f"namespaces/{namespace}/" if namespaced else "")

    def judge(self, case: Case, obj: dict[str, Any]) -> Verdict:
        for attempt in range(2):
            try:
                answer = self.client.post(
                    self.path_of(obj),
                    params=DRY_RUN,
                    content=case.text.encode(),
                    headers={"Content-Type": "application/yaml"},
                )
            except httpx.TransportError as error:
                # The apiserver panics on a few inputs (a CronJob's successPolicy without
                # completions, in v1.35) and drops the connection: no verdict to compare.
                if attempt:
                    return Verdict(False, 0, f"no answer: {error!r}")
                continue
            if answer.status_code == 409 and answer.json().get("reason") == "AlreadyExists":
                return self.judge_existing(case, obj)
            return verdict_of(answer)
        raise AssertionError("unreachable")

    def judge_existing(self, case: Case, obj: dict[str, Any]) -> Verdict:
        """An object this judge created as a prerequisite (a namespace, a ServiceAccount):
        a dry-run replace of it says what a create would have."""
        name = obj["metadata"]["name"]
        answer = self.client.put(
            f"{self.path_of(obj)}/{name}",
            params=DRY_RUN,
            content=case.text.encode(),
            headers={"Content-Type": "application/yaml"},
        )
        return verdict_of(answer)

    def judge_all(self, cases: Sequence[tuple[Case, dict[str, Any]]]) -> list[Verdict]:
        with ThreadPoolExecutor(self.workers) as pool:
            return list(pool.map(lambda pair: self.judge(*pair), cases))


def _meta(api_version: str, kind: str, name: str) -> dict[str, Any]:
    return {"apiVersion": api_version, "kind": kind, "metadata": {"name": name}}


def verdict_of(answer: httpx.Response) -> Verdict:
    if answer.status_code < 300:
        return Verdict(True, answer.status_code, "")
    body = answer.json()
    causes = (body.get("details") or {}).get("causes") or []
    fields = tuple(field_pointer(c["field"]) for c in causes if c.get("field"))
    return Verdict(False, answer.status_code, str(body.get("message", "")), fields)


def is_pod_carrying(obj: dict[str, Any]) -> bool:
    return obj.get("kind") in BUILTIN_POD_SPEC_POINTERS


@dataclass(frozen=True)
class Outcome:
    """One case as both judged it."""

    case: Case
    kind: str
    verdict: Verdict
    opinion: Opinion

    @property
    def false_rejection(self) -> bool:
        return self.verdict.accepted and not self.opinion.accepted

    @property
    def miss(self) -> bool:
        return not self.verdict.accepted and self.opinion.accepted

    @property
    def fields_agree(self) -> bool:
        """Both refuse and point at the same field (true when the apiserver names none)."""
        if self.verdict.accepted or self.opinion.accepted or not self.verdict.fields:
            return True
        return fields_agree((pointer for _, pointer, _ in self.opinion.errors), self.verdict.fields)

    def describe(self) -> str:
        if self.false_rejection:
            errors = "; ".join(f"{rule}: {pointer}: {message}" for rule, pointer, message in
                               self.opinion.errors[:3])  # fmt: skip
            return f"{self.case.origin}: the apiserver accepts it, podlint says {errors}"
        return f"{self.case.origin}: the apiserver refuses it: {self.verdict.message[:400]}"


def compare(
    judge: Judge, engine: Engine, cases: Sequence[Case]
) -> tuple[list[Outcome], list[Case]]:
    """Every case the apiserver serves judged by both; and the cases it gave no answer to."""
    served = []
    for case in cases:
        obj = object_of(case)
        if obj is not None and judge.serves(obj) and not is_live(obj):
            served.append((case, obj))
    judge.prepare(obj for _, obj in served)
    verdicts = judge.judge_all(served)
    outcomes, unanswered = [], []
    for (case, obj), verdict in zip(served, verdicts, strict=True):
        if not verdict.answered:
            unanswered.append(case)
            continue
        outcomes.append(Outcome(case, str(obj["kind"]), verdict, podlint_opinion(engine, case)))
    return outcomes, unanswered


@dataclass
class Tally:
    """Refusals caught (true positives), missed, false rejections, and agreed acceptances."""

    caught: int = 0
    missed: int = 0
    false: int = 0
    accepted: int = 0

    @property
    def precision(self) -> float:
        flagged = self.caught + self.false
        return self.caught / flagged if flagged else 1.0

    @property
    def recall(self) -> float:
        refused = self.caught + self.missed
        return self.caught / refused if refused else 1.0

    def add(self, outcome: Outcome) -> None:
        if outcome.false_rejection:
            self.false += 1
        elif outcome.miss:
            self.missed += 1
        elif outcome.verdict.accepted:
            self.accepted += 1
        else:
            self.caught += 1


def tally(outcomes: Iterable[Outcome]) -> dict[str, Tally]:
    """Per kind, and over all under ``"*"``."""
    tallies: dict[str, Tally] = {"*": Tally()}
    for outcome in outcomes:
        tallies.setdefault(outcome.kind, Tally()).add(outcome)
        tallies["*"].add(outcome)
    return tallies


def as_yaml(obj: object) -> str:
    # JSON is YAML; the apiserver reads it with its YAML decoder, as podlint does.
    return json.dumps(obj, indent=1) + "\n"


def _report(title: str, outcomes: list[Outcome]) -> str:
    return f"{title} ({len(outcomes)}):\n" + "\n".join(
        f"  {outcome.describe()}" for outcome in outcomes[:40]
    )


def disagreements(outcomes: list[Outcome], known: set[str]) -> list[str]:
    """What to report: every false rejection, every refusal podlint misses whose origin is not
    ``known``, and every refusal where podlint points elsewhere than the apiserver."""
    problems = []
    false = [o for o in outcomes if o.false_rejection]
    if false:
        problems.append(_report("false rejections", false))
    missed = [o for o in outcomes if o.miss and o.case.origin not in known]
    if missed:
        problems.append(_report("refusals podlint misses", missed))
    elsewhere = [o for o in outcomes if not o.fields_agree]
    if elsewhere:
        problems.append(
            f"podlint points elsewhere than the apiserver ({len(elsewhere)}):\n"
            + "\n".join(
                f"  {o.case.origin}: apiserver {list(o.verdict.fields)}, podlint "
                f"{[pointer for _, pointer, _ in o.opinion.errors]}"
                for o in elsewhere[:40]
            )
        )
    return problems


def matches(mutation: Mutation, patterns: Iterable[str]) -> bool:
    """Whether the mutation's signature fully matches one of the regular expressions."""
    return any(re.fullmatch(pattern, mutation.signature) for pattern in patterns)


def judge_mutations(
    judge: Judge, generated: Sequence[tuple[Mutation, dict[str, Any]]], seed: int
) -> tuple[list[Outcome], dict[str, Mutation]]:
    """The mutated objects judged by both, and the mutation of each case by its origin; at
    least 2000 must be judged, and fewer than 1 in 100 left unanswered."""
    cases = [Case(f"mutation-{i}.yaml", as_yaml(obj)) for i, (_, obj) in enumerate(generated)]
    mutation_of = {
        case.origin: mutation for case, (mutation, _) in zip(cases, generated, strict=True)
    }
    outcomes, unanswered = compare(judge, rejecting_engine(), cases)
    assert len(outcomes) >= 2000, f"seed {seed}: only {len(outcomes)} cases were judged"
    # The apiserver panics on a few inputs (and answers nothing); they must stay rare.
    assert len(unanswered) < len(cases) / 100, f"seed {seed}: {len(unanswered)} unanswered"
    return outcomes, mutation_of


def assert_mutations_agree(
    seed: int, outcomes: list[Outcome], known: set[str], mutation_of: dict[str, Mutation]
) -> None:
    """No disagreements (``known`` origins may be missed), else the seed that repeats the run,
    the disagreements and the mutations behind them."""
    problems = disagreements(outcomes, known)
    labelled = "\n".join(
        f"  {origin}: {mutation_of[origin].describe()}"
        for origin in sorted(mutation_of)
        if any(origin + ":" in problem for problem in problems)
    )
    assert not problems, (
        f"seed {seed} (PODLINT_PARITY_SEED={seed} repeats it)\n"
        + "\n".join(problems)
        + f"\nthe mutations:\n{labelled}"
    )


__all__ = [
    "Case",
    "Judge",
    "Opinion",
    "Outcome",
    "Tally",
    "Verdict",
    "as_yaml",
    "assert_mutations_agree",
    "compare",
    "disagreements",
    "field_pointer",
    "fields_agree",
    "judge_mutations",
    "matches",
    "tally",
]
