"""Kubernetes manifests (deploy/k8s): every object valid against the Kubernetes schemas
(kubernetes-validate, offline), every kustomization's resources present, and names, labels,
selectors, ports, images, secrets and settings consistent with each other and with the code.

Kustomize is emulated for what our kustomizations use (resources, namespace, labels, images,
replicas); where a `kubectl` binary is present its `kubectl kustomize` output is checked too."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from cchc_shared.messaging.routing import all_queues
from cchc_tools.cli import SERVICES

ROOT = Path(__file__).resolve().parents[2]
K8S = ROOT / "deploy" / "k8s"
OVERLAY = K8S / "overlays" / "example"
KUBERNETES_VERSION = "1.30.0"  # the oldest release we support; schemas ship in the package
# The operators' custom resources (RabbitMQ Cluster Operator, CloudNativePG, KEDA): their CRDs'
# schemas, committed (tests/deploy/crds/README.md), as kubernetes-validate ships none.
CRD_SCHEMAS = {
    (doc["apiVersion"], doc["kind"]): doc["schema"]
    for doc in (
        json.loads(p.read_text(encoding="utf-8"))
        for p in sorted((Path(__file__).parent / "crds").glob("*.json"))
    )
}
SUPPORTED_FIELDS = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "replicas"}
CLUSTER_SCOPED = {"Namespace"}


def documents(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


def kustomization(directory: Path) -> dict[str, Any]:
    path = directory / "kustomization.yaml"
    assert path.is_file(), f"{directory} has no kustomization.yaml"
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert data["apiVersion"] == "kustomize.config.k8s.io/v1beta1"
    assert data["kind"] == "Kustomization"
    unsupported = set(data) - SUPPORTED_FIELDS
    assert not unsupported, f"{path}: teach this test {sorted(unsupported)}"
    return data


def build(directory: Path) -> list[dict[str, Any]]:
    """The objects `kustomize build directory` yields (for the fields we use)."""
    spec = kustomization(directory)
    objects: list[dict[str, Any]] = []
    for entry in spec.get("resources", []):
        path = (directory / entry).resolve()
        assert path.exists(), f"{directory}/kustomization.yaml: {entry} does not exist"
        objects += build(path) if path.is_dir() else copy.deepcopy(documents(path))
    for obj in objects:
        metadata = obj.setdefault("metadata", {})
        if "namespace" in spec and obj["kind"] not in CLUSTER_SCOPED:
            metadata["namespace"] = spec["namespace"]
        for group in spec.get("labels", []):
            assert group.get("includeSelectors") is False, "selectors stay as the bases set them"
            metadata.setdefault("labels", {}).update(group["pairs"])
    for image in spec.get("images", []):
        matched = 0
        for container in containers(objects):
            if container["image"].split(":")[0] == image["name"]:
                container["image"] = f"{image.get('newName', image['name'])}:{image['newTag']}"
                matched += 1
        assert matched, f"{directory}: image {image['name']} is used by no container"
    for replicas in spec.get("replicas", []):
        targets = [o for o in objects if o["kind"] == "Deployment" and name(o) == replicas["name"]]
        assert targets, f"{directory}: replicas for unknown Deployment {replicas['name']}"
        for target in targets:
            target["spec"]["replicas"] = replicas["count"]
    keys = [(o["kind"], name(o)) for o in objects]
    assert len(keys) == len(set(keys)), f"{directory}: duplicate objects"
    return objects


def unknown_fields(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Fields a structural schema does not declare, which the API server would drop: the
    strictness kubernetes-validate gives the built-in kinds."""
    if isinstance(value, dict) and "properties" in schema:
        if schema.get("x-kubernetes-preserve-unknown-fields"):
            return []
        out = []
        for key, item in value.items():
            if key not in schema["properties"]:
                out.append(f"{path}.{key}")
            else:
                out += unknown_fields(item, schema["properties"][key], f"{path}.{key}")
        return out
    if isinstance(value, dict) and isinstance(schema.get("additionalProperties"), dict):
        return [
            f
            for key, item in value.items()
            for f in unknown_fields(item, schema["additionalProperties"], f"{path}.{key}")
        ]
    if isinstance(value, list) and "items" in schema:
        return [
            f
            for i, item in enumerate(value)
            for f in unknown_fields(item, schema["items"], f"{path}[{i}]")
        ]
    return []


def validate(obj: dict[str, Any]) -> None:
    """Against the Kubernetes schemas, or an operator's CRD schema for its kinds."""
    schema = CRD_SCHEMAS.get((obj["apiVersion"], obj["kind"]))
    if schema is None:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
        return
    jsonschema.validate(obj, schema)
    unknown = unknown_fields(obj, schema)
    assert not unknown, f"{obj['kind']}/{name(obj)}: fields its CRD does not have: {unknown}"


def name(obj: dict[str, Any]) -> str:
    return str(obj["metadata"]["name"])


def pod_spec(deployment: dict[str, Any]) -> dict[str, Any]:
    return deployment["spec"]["template"]["spec"]  # type: ignore[no-any-return]


def containers(objects: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The containers of every pod template: the Deployments' and the migration Jobs'."""
    found = []
    for obj in objects:
        if obj["kind"] in {"Deployment", "Job"}:
            spec = pod_spec(obj)
            found += spec.get("initContainers", []) + spec["containers"]
    return found


def of_kind(objects: list[dict[str, Any]], kind: str) -> dict[str, dict[str, Any]]:
    return {name(o): o for o in objects if o["kind"] == kind}


def kustomization_dirs() -> list[Path]:
    return sorted(p.parent for p in K8S.rglob("kustomization.yaml"))


def manifest_files() -> list[Path]:
    return sorted(p for p in K8S.rglob("*.yaml") if p.name != "kustomization.yaml")


@pytest.fixture(scope="module")
def overlay() -> list[dict[str, Any]]:
    return build(OVERLAY)


def test_one_base_per_service() -> None:
    """A base per service `cchc run` starts, the portal too."""
    bases = {p.name for p in (K8S / "base").iterdir() if p.is_dir()}
    assert bases == set(SERVICES)
    overlay_resources = kustomization(OVERLAY)["resources"]
    for service in SERVICES:
        assert f"../../base/{service}" in overlay_resources


@pytest.mark.parametrize("path", manifest_files(), ids=lambda p: str(p.relative_to(K8S)))
def test_manifest_file_is_valid_kubernetes(path: Path) -> None:
    for obj in documents(path):
        validate(obj)


@pytest.mark.parametrize("directory", kustomization_dirs(), ids=lambda p: str(p.relative_to(K8S)))
def test_kustomization_builds_into_valid_objects(directory: Path) -> None:
    objects = build(directory)
    assert objects
    for obj in objects:
        validate(obj)
    every_file = {p.name for p in directory.glob("*.yaml")} - {"kustomization.yaml"}
    listed = {Path(r).name for r in kustomization(directory)["resources"]}
    assert every_file <= listed, f"{directory}: files not in resources: {every_file - listed}"


@pytest.mark.parametrize("directory", kustomization_dirs(), ids=lambda p: str(p.relative_to(K8S)))
def test_labels_and_selectors_are_consistent(directory: Path) -> None:
    objects = build(directory)
    deployments = of_kind(objects, "Deployment")
    for deployment in deployments.values():
        selector = deployment["spec"]["selector"]["matchLabels"]
        template_labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= template_labels.items(), name(deployment)
        assert selector["app.kubernetes.io/name"] == name(deployment)
        assert deployment["metadata"]["labels"]["app.kubernetes.io/name"] == name(deployment)
    for obj in objects:
        labels = obj["metadata"].get("labels", {})
        assert labels.get("app.kubernetes.io/part-of") == "cchc", f"{obj['kind']}/{name(obj)}"
    for service in of_kind(objects, "Service").values():
        target = deployments[name(service)]
        assert service["spec"]["selector"] == target["spec"]["selector"]["matchLabels"]
        port_names = {p["name"] for c in pod_spec(target)["containers"] for p in c["ports"]}
        for port in service["spec"]["ports"]:
            assert port["targetPort"] in port_names
    rabbitmq_clusters = of_kind(objects, "RabbitmqCluster")
    for budget in of_kind(objects, "PodDisruptionBudget").values():
        if name(budget) in rabbitmq_clusters:  # the operator labels its pods with the name
            assert budget["spec"]["selector"] == {
                "matchLabels": {"app.kubernetes.io/name": name(budget)}
            }
            continue
        target = deployments[name(budget)]
        assert budget["spec"]["selector"] == target["spec"]["selector"]
    for scaled in of_kind(objects, "ScaledObject").values():
        assert scaled["spec"]["scaleTargetRef"]["name"] in deployments, name(scaled)


def test_the_overlay_sets_namespace_images_and_replicas(overlay: list[dict[str, Any]]) -> None:
    namespaces = of_kind(overlay, "Namespace")
    assert list(namespaces) == ["cchc"]
    for obj in overlay:
        if obj["kind"] != "Namespace":
            assert obj["metadata"]["namespace"] == "cchc"
    for container in containers(overlay):
        repository, _, tag = container["image"].rpartition(":")
        assert repository.startswith("registry.") and tag and tag != "dev", container["image"]
    assert all(d["spec"]["replicas"] >= 1 for d in of_kind(overlay, "Deployment").values())


def test_references_resolve_and_secrets_are_only_placeholders(
    overlay: list[dict[str, Any]],
) -> None:
    config_maps = of_kind(overlay, "ConfigMap")
    secrets = of_kind(overlay, "Secret")
    claims = of_kind(overlay, "PersistentVolumeClaim")
    for deployment in of_kind(overlay, "Deployment").values():
        spec = pod_spec(deployment)
        for container in spec.get("initContainers", []) + spec["containers"]:
            for source in container.get("envFrom", []):
                assert source["configMapRef"]["name"] in config_maps
            for variable in container.get("env", []):
                ref = variable["valueFrom"]["secretKeyRef"]
                assert ref["key"] in secrets[ref["name"]]["stringData"], ref
            mounts = {m["name"] for m in container.get("volumeMounts", [])}
            assert mounts <= {v["name"] for v in spec.get("volumes", [])}
        for volume in spec.get("volumes", []):
            if "persistentVolumeClaim" in volume:
                assert volume["persistentVolumeClaim"]["claimName"] in claims
    for secret in secrets.values():
        for key, value in secret["stringData"].items():
            if secret["type"] == "kubernetes.io/basic-auth" and key == "username":
                continue  # a role's name, not a secret
            assert "CHANGE-ME" in value, f"secret {name(secret)}: placeholders only"
    # no base carries a Secret: bases reference, the environment provides
    for base in (K8S / "base").iterdir():
        assert not of_kind(build(base), "Secret"), base.name


def test_deployments_follow_the_service_contract(
    services: tuple[str, ...], default_ports: dict[str, int], service_env: Any
) -> None:
    for service in services:
        objects = build(K8S / "base" / service)
        deployment = of_kind(objects, "Deployment")[service]
        config = of_kind(objects, "ConfigMap")[f"{service}-config"]["data"]
        spec = pod_spec(deployment)
        prefix = f"CCHC_{service.upper()}_"
        port = default_ports[service]

        # settings: only variables the code reads; production switches
        names = set(config) | {v["name"] for c in spec["containers"] for v in c.get("env", [])}
        unknown = names - service_env(service)
        assert not unknown, f"{service}: variables no setting reads: {sorted(unknown)}"
        assert config["CCHC_DECLARE_ALL_QUEUES"] == "false"
        assert config[f"{prefix}RUN_MIGRATIONS_ON_START"] == "false"
        assert config[f"{prefix}HTTP_PORT"] == str(port)
        assert config[f"{prefix}HTTP_HOST"] == "0.0.0.0"
        assert config.get(f"{prefix}DELIVERY_LIMIT", "5") == "5"
        secret_env = {v["name"] for c in spec["containers"] for v in c.get("env", [])}
        assert {"CCHC_AMQP_URL", f"{prefix}DATABASE_URL", "CCHC_AUTH_SECRET"} <= secret_env

        # the migrations run once per release, as a Job with the same image and settings,
        # not in each replica's start
        assert "initContainers" not in spec
        job = of_kind(objects, "Job")[f"{service}-migrate"]
        (migrate,) = pod_spec(job)["containers"]
        (main,) = spec["containers"]
        assert migrate["command"] == ["python", "-m", f"cchc_{service}", "migrate"]
        assert migrate["image"] == main["image"] == f"cchc/{service}:dev"
        assert migrate["env"] == main["env"] and migrate["envFrom"] == main["envFrom"]
        assert pod_spec(job)["restartPolicy"] == "Never"
        assert pod_spec(job)["securityContext"] == spec["securityContext"]

        # replicas, and a rolling update that loses nothing: a new pod ready before an old
        # one goes; the old one out of the Service before SIGTERM, and given longer than its
        # drain (consumers' grace, then the relay's last batch) before SIGKILL
        assert deployment["spec"]["replicas"] >= 2
        assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
        pre_stop = main["lifecycle"]["preStop"]["sleep"]["seconds"]
        graceful = float(config.get(f"{prefix}GRACEFUL_TIMEOUT", "30"))
        relay_last_batch = float(config.get(f"{prefix}PUBLISH_TIMEOUT", "10")) + 5
        assert spec["terminationGracePeriodSeconds"] > pre_stop + graceful + relay_last_batch
        scaled = of_kind(objects, "ScaledObject")[service]["spec"]
        assert scaled["minReplicaCount"] >= 2
        assert scaled["maxReplicaCount"] > scaled["minReplicaCount"]
        for trigger in scaled["triggers"]:
            assert trigger["type"] == "rabbitmq" and trigger["metadata"]["mode"] == "QueueLength"
            own = re.compile(trigger["metadata"]["queueName"])
            queues = [q.name for q in all_queues() if own.search(q.name)]
            assert queues and all(q.service == service for q in all_queues() if own.search(q.name))
            assert not any(own.search(q.dead_letter_queue) for q in all_queues())

        # probes, ports, resources, non-root
        metrics_port = int(config[f"{prefix}METRICS_PORT"])
        assert main["ports"] == [
            {"name": "http", "containerPort": port, "protocol": "TCP"},
            {"name": "metrics", "containerPort": metrics_port, "protocol": "TCP"},
        ]
        annotations = deployment["spec"]["template"]["metadata"]["annotations"]
        assert annotations["prometheus.io/port"] == str(metrics_port)
        # production: no interactive documents, metrics on the internal port only
        assert config[f"{prefix}DOCS_ENABLED"] == "false"
        assert main["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
        assert main["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
        service_obj = of_kind(objects, "Service")[service]
        assert service_obj["spec"]["ports"][0]["port"] == port
        pod_security = spec["securityContext"]
        assert pod_security["runAsNonRoot"] is True and pod_security["runAsUser"] != 0
        for container in (migrate, main):
            assert {"requests", "limits"} <= set(container["resources"])
            security = container["securityContext"]
            assert security["allowPrivilegeEscalation"] is False
            assert security["readOnlyRootFilesystem"] is True
            assert security["capabilities"]["drop"] == ["ALL"]
        assert of_kind(objects, "PodDisruptionBudget")[service]


def kubectl_kustomize(directory: Path) -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed (the Python emulation above still ran)")
    result = subprocess.run(
        [kubectl, "kustomize", str(directory)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc is not None]


@pytest.mark.parametrize("directory", kustomization_dirs(), ids=lambda p: str(p.relative_to(K8S)))
def test_kubectl_kustomize_agrees_with_the_emulation(directory: Path) -> None:
    rendered = kubectl_kustomize(directory)
    for obj in rendered:
        validate(obj)

    def key(obj: dict[str, Any]) -> tuple[str, str, str]:
        return (obj["kind"], name(obj), obj["metadata"].get("namespace", ""))

    emulated = {key(o): o for o in build(directory)}
    assert {key(o) for o in rendered} == set(emulated)
    for obj in rendered:
        assert obj == emulated[key(obj)], f"{obj['kind']}/{name(obj)} differs"


def ingress_sources(policy: dict[str, Any]) -> dict[str, set[str]]:
    """Port name -> who a NetworkPolicy's spec admits there: a namespace by its name, or
    `pod:<app.kubernetes.io/name>` for pods of the policy's own namespace."""
    reach: dict[str, set[str]] = {}
    for rule in policy["ingress"]:
        (peer,) = rule["from"]
        if "namespaceSelector" in peer:
            source = peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        else:
            # no namespaceSelector: the pods must be in this namespace, matched by name only
            assert set(peer) == {"podSelector"}, peer
            (label,) = peer["podSelector"]["matchLabels"].items()
            assert label[0] == "app.kubernetes.io/name", peer
            source = f"pod:{label[1]}"
        for port in rule["ports"]:
            assert port["protocol"] == "TCP", port
            reach.setdefault(port["port"], set()).add(source)
    return reach


# Besides the portal, who calls another service's API: notifications fetches the notices' PDFs
# from scheduling (and, out, sends mail and asks the identity provider for its token).
API_CALLERS = {"scheduling": {"pod:notifications"}}
EXTRA_EGRESS = {"notifications": {8002, 587, 465, 443}}


def test_each_service_has_a_network_policy(services: tuple[str, ...]) -> None:
    """The API port only from the ingress controller and the portal's pods (it calls the APIs
    with the person's token), the metrics port only from monitoring, nothing from elsewhere;
    out, only DNS, RabbitMQ and PostgreSQL (and what ``API_CALLERS`` and ``EXTRA_EGRESS``
    name)."""
    for service in services:
        objects = build(K8S / "base" / service)
        deployment = of_kind(objects, "Deployment")[service]
        policy = of_kind(objects, "NetworkPolicy")[service]["spec"]
        assert policy["podSelector"]["matchLabels"] == deployment["spec"]["selector"]["matchLabels"]
        assert set(policy["policyTypes"]) == {"Ingress", "Egress"}
        assert ingress_sources(policy) == {
            "http": {"ingress-nginx", "monitoring", "pod:portal"} | API_CALLERS.get(service, set()),
            "metrics": {"monitoring"},
        }, service
        egress_ports = {p["port"] for rule in policy["egress"] for p in rule["ports"]}
        assert egress_ports == {53, 5672, 5671, 5432} | EXTRA_EGRESS.get(service, set())


def test_the_ingress_routes_only_the_apis_with_timeouts(
    overlay: list[dict[str, Any]], services: tuple[str, ...]
) -> None:
    ingresses = of_kind(overlay, "Ingress")
    assert set(ingresses) == {"cchc", "cchc-portal"}, "the APIs' Ingress and the portal's"
    ingress = ingresses["cchc"]
    annotations = ingress["metadata"]["annotations"]
    for timeout in ("proxy-connect-timeout", "proxy-send-timeout", "proxy-read-timeout"):
        assert 0 < int(annotations[f"nginx.ingress.kubernetes.io/{timeout}"]) <= 120, timeout
    assert int(annotations["nginx.ingress.kubernetes.io/limit-connections"]) > 0
    assert annotations["nginx.ingress.kubernetes.io/rewrite-target"] == "/api/$1"
    (rule,) = ingress["spec"]["rules"]
    routes = {p["path"]: p["backend"]["service"] for p in rule["http"]["paths"]}
    assert routes == {f"/{s}/api/(.*)": {"name": s, "port": {"name": "http"}} for s in services}, (
        "only /<service>/api/ is routed: no /docs, /openapi.json, /metrics or /health"
    )
    assert ingress["spec"]["tls"]


def test_the_portal_ingress_serves_the_pages_at_the_root_with_the_apis_limits(
    overlay: list[dict[str, Any]],
) -> None:
    """`/` to the portal, unrewritten, on the APIs' host with their TLS, timeouts and limits."""
    ingresses = of_kind(overlay, "Ingress")
    apis, portal = ingresses["cchc"], ingresses["cchc-portal"]
    annotations = portal["metadata"]["annotations"]
    assert not [a for a in annotations if a.endswith(("/rewrite-target", "-snippet"))]
    expected = dict(apis["metadata"]["annotations"])
    del expected["nginx.ingress.kubernetes.io/rewrite-target"]
    assert annotations == expected, "the same edge limits as the APIs"
    assert portal["spec"]["tls"] == apis["spec"]["tls"]
    assert portal["spec"]["ingressClassName"] == apis["spec"]["ingressClassName"]
    (rule,) = portal["spec"]["rules"]
    (api_rule,) = apis["spec"]["rules"]
    assert rule["host"] == api_rule["host"]
    assert rule["http"]["paths"] == [
        {
            "path": "/",
            "pathType": "Prefix",
            "backend": {"service": {"name": "portal", "port": {"name": "http"}}},
        }
    ]
    # the browser's address the portal registers at the provider is this host, over https
    config = of_kind(overlay, "ConfigMap")["portal-config"]["data"]
    assert config["CCHC_PORTAL_PUBLIC_URL"] == f"https://{rule['host']}"
    assert rule["host"] in {h for tls in portal["spec"]["tls"] for h in tls["hosts"]}


def test_every_service_reads_the_one_revocation_list(
    overlay: list[dict[str, Any]], services: tuple[str, ...]
) -> None:
    import json

    from cchc_shared.auth.revocation import Revocations

    config_maps = of_kind(overlay, "ConfigMap")
    listing = config_maps["cchc-revocations"]["data"]
    Revocations.parse(json.loads(listing["revocations.json"]))
    for service in services:
        deployment = of_kind(overlay, "Deployment")[service]
        spec = pod_spec(deployment)
        path = Path(config_maps[f"{service}-config"]["data"]["CCHC_AUTH_REVOCATIONS"])
        volume = next(
            v for v in spec["volumes"] if v.get("configMap", {}).get("name") == ("cchc-revocations")
        )
        (main,) = spec["containers"]
        mount = next(m for m in main["volumeMounts"] if m["name"] == volume["name"])
        assert mount.get("readOnly") is True
        assert path.parent == Path(mount["mountPath"]) and path.name in listing
