"""No false alarms: the real-world corpus yields only the apiserver errors that are real.

Every manifest in ../shared/corpus comes from a public project. Linting all of it with the
schema and api-* rules (newest Kubernetes version) must report exactly the findings listed in
KNOWN, each a rejection kube-apiserver would really answer for the file as written (the comment
says why); most are kustomize patches or files with placeholders to fill in before applying.
The default policy stays within its noise budget there and keeps every error.
"""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

from podlint.lint import lint_sources
from podlint.runtime import Options, build_engine
from tests.conftest import SHARED

CORPUS = SHARED / "corpus"

KNOWN = """
argo-cd/manifests/base/application-controller-deployment/argocd-application-controller-statefulset.yaml:5: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
argo-cd/manifests/ha/base/controller-deployment/argocd-application-controller-statefulset.yaml:5: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
argo-cd/manifests/ha/base/controller-deployment/argocd-repo-server-deployment.yaml:5: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
argo-cd/manifests/ha/base/controller-deployment/argocd-server-deployment.yaml:5: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
argo-cd/manifests/ha/base/overlays/argocd-application-controller-statefulset.yaml:5: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
argo-cd/manifests/ha/base/overlays/argocd-repo-server-deployment.yaml:5: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
argo-cd/manifests/ha/base/overlays/argocd-server-deployment.yaml:5: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
ingress-nginx/deploy/grafana/deployment.yaml:6: schema  # apps/v1 Deployment without spec.selector (Required value)
ingress-nginx/deploy/prometheus/deployment.yaml:5: schema  # apps/v1 Deployment without spec.selector (Required value)
ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml:72: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml:84: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml:85: api-ingress  # a placeholder TLS secret name: not a DNS subdomain
ingress-nginx/docs/examples/auth/oauth-external-auth/oauth2-proxy.yaml:100: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
ingress-nginx/docs/examples/auth/oauth-external-auth/vouch-proxy.yaml:21: schema  # env value: true is a boolean; EnvVar.value is a string
ingress-nginx/docs/examples/auth/oauth-external-auth/vouch-proxy.yaml:73: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
ingress-nginx/docs/examples/auth/oauth-external-auth/vouch-proxy.yaml:85: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
ingress-nginx/docs/examples/auth/oauth-external-auth/vouch-proxy.yaml:86: api-ingress  # a placeholder TLS secret name: not a DNS subdomain
ingress-nginx/docs/examples/auth/oauth-external-auth/vouch-proxy.yaml:101: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
ingress-nginx/docs/examples/customization/ssl-dh-param/ssl-dh-param.yaml:3: api-base64  # a placeholder to substitute before applying: not base64, the request cannot be decoded
ingress-nginx/docs/examples/docker-registry/ingress-with-tls.yaml:15: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
ingress-nginx/docs/examples/docker-registry/ingress-with-tls.yaml:18: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
ingress-nginx/docs/examples/docker-registry/ingress-without-tls.yaml:13: api-ingress  # a placeholder host to substitute before applying: not a DNS subdomain
istio/samples/mtls-echo/mtls-echo.yaml:93: api-volumes  # volumeMount "ca-certs" names no volume (the volume is "ca"): Not found
kubernetes-engine-samples/ai-ml/gke-a100-jax/kubernetes/job-patch.yaml:21: api-workload  # a Job patch without restartPolicy: Required value
kubernetes-engine-samples/ai-ml/gke-online-serving-single-gpu/src/gke-config/deployment-tfserve.yaml:59: api-pod-spec  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/gke-online-serving-single-gpu/src/gke-config/deployment-triton.yaml:61: api-pod-spec  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/gke-ray/rayserve/llm/tpu/components/model-downloader-job.yaml:28: api-pod-spec  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:20: api-object-metadata  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:23: api-storage  # a placeholder to substitute before applying: not a quantity
kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:33: api-object-metadata  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/gke-slurm/autopilot/pv-pvc.yaml:40: api-storage  # a placeholder to substitute before applying: not a quantity
kubernetes-engine-samples/ai-ml/gke-slurm/metrics-autoscaling/pv-pvc.yaml:20: api-object-metadata  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/gke-slurm/metrics-autoscaling/pv-pvc.yaml:39: api-object-metadata  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/vlllm gpu_deployment-variables.yaml:29: api-object-metadata  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/vlllm gpu_deployment-variables.yaml:30: api-object-metadata  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/vlllm gpu_deployment-variables.yaml:39: api-rbac  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/vlllm gpu_deployment-variables.yaml:49: api-object-metadata  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/vlllm gpu_deployment-variables.yaml:50: api-object-metadata  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/infw-gw/examples/getting-started/vlllm gpu_deployment-variables.yaml:76: api-rbac  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-2b-bitsandbytes-nf4/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-2b-bitsandbytes/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-2b-parallel/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-7b-bitsandbytes-nf4/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-7b-bitsandbytes/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/tgi/tgi-7b-token/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-2b-awq/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-2b-parallel/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-7b-awq/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-7b-kvcache/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/llm-serving-gemma/vllm/vllm-7b-token/patch.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/ai-ml/vllm-tpu/vllm-llama3-70b.yaml:36: api-pod-spec  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/autoscaling/custom-compute-classes/reservations/deployment-gpu.yaml:39: api-resources  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/autoscaling/custom-compute-classes/reservations/deployment-gpu.yaml:43: api-resources  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/api/testdata/manifests/test.yaml:33: api-resources  # request 64Mi is above limit 64M
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-local/app-v1/deployment.yaml:33: api-resources  # request 64Mi is above limit 64M
kubernetes-engine-samples/cost-optimization/gke-shift-left-cost/samples/k8s-cost-estimator-local/app-v2/deployment.yaml:33: api-resources  # request 64Mi is above limit 64M
kubernetes-engine-samples/databases/hello-app-cloud-spanner/k8s/deployment.yaml:22: api-pod-spec  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/databases/redis-enterprise-operator/manifests/01-basic-cluster/webhook.yaml:40: api-base64  # a placeholder to substitute before applying: not base64, the request cannot be decoded
kubernetes-engine-samples/demos/vit-training-example/yamls/spec-gcs.yaml:35: api-pod-spec  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/networking/sctp/sctp-deployment.yaml:33: schema  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/networking/sctp/sctp-deployment.yaml:45: schema  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/networking/sctp/sctp-deployment.yaml:46: api-service  # a placeholder to substitute before applying: not a valid value as written
kubernetes-engine-samples/quickstarts/whereami/k8s-backend-overlay-example/service-type.yaml:21: api-service  # a kustomize patch: a Service without spec.ports is refused as written
kubernetes-engine-samples/quickstarts/whereami/k8s-frontend-overlay-clusterip-example/service-type.yaml:21: api-service  # a kustomize patch: a Service without spec.ports is refused as written
kubernetes-engine-samples/quickstarts/whereami/k8s-grpc-clusterip-backend-overlay-example/service-type.yaml:21: api-service  # a kustomize patch: a Service without spec.ports is refused as written
kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/arm/add_arm_support.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/arm/add_arm_support.yaml:21: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/multiarch/add_multiarch_support.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/multiarch/add_multiarch_support.yaml:21: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/multiarch/increase_replicas.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-engine-samples/workloads/migrate-x86-app-to-multi-arch/k8s/overlays/x86_increase_replicas/increase_replicas.yaml:19: schema  # a kustomize patch: a Deployment/StatefulSet without spec.selector is refused as written
kubernetes-examples/_archived/sysdig-cloud/sysdig-rc.yaml:9: api-workload  # no selector and no template labels to default it from: spec.selector Required value
kubernetes-examples/_archived/volumes/aws_ebs/aws-ebs-web.yaml:12: api-ports  # protocol "tcp": Unsupported value (case-sensitive)
kubernetes-examples/_archived/volumes/cinder/cinder-web.yaml:12: api-ports  # protocol "tcp": Unsupported value (case-sensitive)
kubernetes-examples/_archived/volumes/fibre_channel/fc.yaml:17: schema  # a placeholder to substitute before applying: not a valid value as written
kubernetes-examples/_archived/volumes/rbd/rbd.yaml:25: schema  # imageformat is a StorageClass parameter, not an RBD volume field
kubernetes-examples/_archived/volumes/rbd/rbd.yaml:26: schema  # imagefeatures is a StorageClass parameter, not an RBD volume field
kubernetes-examples/_archived/volumes/scaleio/pod.yaml:17: schema  # typo "protectionDoamin" for protectionDomain
kubernetes-examples/_archived/volumes/storageos/storageos-pod.yaml:35: schema  # pool is not a StorageOS volume field
kubernetes-examples/_archived/volumes/storageos/storageos-pv.yaml:22: schema  # secretName is not a StorageOS persistent volume field (secretRef is)
microservices-demo/kustomize/components/without-loadgenerator/delete-loadgenerator.patch.yaml:5: schema  # a kustomize $patch: delete directive
"""


def _known() -> set[tuple[str, int, str]]:
    known = set()
    for row in KNOWN.strip().splitlines():
        location, rule = row.split("  #", 1)[0].rsplit(": ", 1)
        path, line = location.rsplit(":", 1)
        known.add((path, int(line), rule.strip()))
    return known


def test_corpus_has_only_real_apiserver_errors() -> None:
    engine = build_engine(Options(select=("schema", "api-*")))
    expected = _known()
    found: dict[tuple[str, int, str], str] = {}
    for result in lint_sources(engine, [str(CORPUS)]):
        assert result.error is None, f"{result.path}: {result.error}"
        for finding in result.findings:
            line = finding.span.line + 1 if finding.span else 0
            path = str(Path(result.path).relative_to(CORPUS))
            found[(path, line, finding.rule)] = finding.message
    unexpected = {key: message for key, message in found.items() if key not in expected}
    missing = sorted(key for key in expected if key not in found)
    assert not unexpected and not missing, (
        "findings not known to be real apiserver errors:\n"
        + "\n".join(f"  {p}:{line}: {rule}: {m}" for (p, line, rule), m in unexpected.items())
        + f"\nknown errors no longer reported: {missing}"
    )


# The default policy's noise budget on the corpus (issue #12: a default set a user keeps on).
# `python bench/corpus_findings.py ../shared/corpus` prints the count per rule.
DEFAULT_BUDGET = 700
NARROW_RESOURCE_RULES = {"missing-cpu-request", "missing-memory-request", "missing-memory-limit"}
CONTAINER = re.compile(r"^.*/(?:initContainers|containers)/\d+")


def _findings(policy: str) -> list[tuple[str, int, int, str, str, str]]:
    engine = build_engine(Options(policy=policy))
    found = []
    for result in lint_sources(engine, [str(CORPUS)]):
        for finding in result.findings:
            span = finding.span
            where = (span.line + 1, span.column + 1) if span else (0, 0)
            pointer = f"{finding.document}{finding.pointer}"
            found.append((result.path, *where, finding.rule, finding.severity.value, pointer))
    return found


def test_default_policy_is_quiet_and_keeps_every_error() -> None:
    default = _findings("default")
    recommended = _findings("recommended")
    assert len(default) <= DEFAULT_BUDGET, Counter(f[3] for f in default).most_common()
    errors = {f for f in recommended if f[4] == "error"}
    assert errors and errors <= set(default)
    assert set(default) <= set(recommended)
    # One root cause, one finding: a container that sets no resources gets missing-resources
    # and none of the narrower resource rules.
    by_container: dict[tuple[str, str], set[str]] = {}
    for path, _line, _column, rule, _severity, pointer in recommended:
        match = CONTAINER.match(pointer)
        if match:
            by_container.setdefault((path, match.group()), set()).add(rule)
    nothing_set = [rules for rules in by_container.values() if "missing-resources" in rules]
    assert nothing_set and not any(rules & NARROW_RESOURCE_RULES for rules in nothing_set)
