"""The portal's deployment: the web pages as a fifth service in compose, Kubernetes and the
image, with no database, broker or migration, and never the development sign-in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from cchc_portal.config import API_SERVICES
from cchc_tools.cli import DEFAULT_PORTS, PAGES, SERVICES

from .test_kubernetes import K8S, OVERLAY, build, ingress_sources, of_kind, pod_spec

ROOT = Path(__file__).resolve().parents[2]
PORT = DEFAULT_PORTS["portal"]
# Things a backend-for-frontend has no use for: it keeps no data and consumes no events.
NOT_FOR_THE_PORTAL = ("DATABASE_URL", "AMQP_URL", "RUN_MIGRATIONS_ON_START", "DELIVERY_LIMIT")


def test_cchc_run_knows_the_portal_on_port_8000() -> None:
    assert "portal" in SERVICES
    assert set(PAGES) == {"portal"}
    assert PORT == 8000


def test_compose_runs_the_portal_after_the_apis_without_data(service_env: Any) -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    spec = compose["services"]["portal"]
    env = {k: str(v) for k, v in spec["environment"].items()}
    assert spec["build"]["args"]["SERVICE"] == "portal"
    assert set(env) <= service_env("portal"), sorted(set(env) - service_env("portal"))
    assert env["CCHC_PORTAL_HTTP_HOST"] == "0.0.0.0"
    assert env["CCHC_PORTAL_HTTP_PORT"] == str(PORT)
    assert f"127.0.0.1:{PORT}:{PORT}" in spec["ports"]
    assert "CCHC_PORTAL_DEVELOPMENT_SIGN_IN" not in env
    assert "CCHC_PORTAL_SESSION_SECRET" in env
    assert not [k for k in env if k.endswith(NOT_FOR_THE_PORTAL) and k.startswith("CCHC_PORTAL")]
    for api in API_SERVICES:
        assert env[f"CCHC_PORTAL_{api.upper()}_URL"] == f"http://{api}:{DEFAULT_PORTS[api]}"
        assert spec["depends_on"][api] == {"condition": "service_healthy"}
    assert "/health/ready" in " ".join(spec["healthcheck"]["test"])
    assert "portal-migrate" not in compose["services"]


def test_the_kubernetes_base_follows_the_service_contract(service_env: Any) -> None:
    objects = build(K8S / "base" / "portal")
    deployment = of_kind(objects, "Deployment")["portal"]
    config = of_kind(objects, "ConfigMap")["portal-config"]["data"]
    spec = pod_spec(deployment)
    (main,) = spec["containers"]
    assert "initContainers" not in spec, "no database: nothing to migrate"
    names = set(config) | {v["name"] for v in main.get("env", [])}
    assert names <= service_env("portal"), sorted(names - service_env("portal"))
    assert "CCHC_PORTAL_DEVELOPMENT_SIGN_IN" not in names
    assert not [n for n in names if n.endswith(NOT_FOR_THE_PORTAL)]
    assert config["CCHC_PORTAL_HTTP_HOST"] == "0.0.0.0"
    assert config["CCHC_PORTAL_HTTP_PORT"] == str(PORT)
    assert config["CCHC_PORTAL_PUBLIC_URL"].startswith("https://"), "Secure cookies"
    assert config["CCHC_AUTH_ISSUER"].startswith("https://")
    secret_env = {v["name"] for v in main["env"]}
    assert {"CCHC_PORTAL_SESSION_SECRET", "CCHC_PORTAL_OIDC_CLIENT_SECRET"} <= secret_env
    metrics_port = int(config["CCHC_PORTAL_METRICS_PORT"])
    assert main["ports"] == [
        {"name": "http", "containerPort": PORT, "protocol": "TCP"},
        {"name": "metrics", "containerPort": metrics_port, "protocol": "TCP"},
    ]
    assert main["command"] == ["python", "-m", "cchc_portal", "serve"]
    assert main["readinessProbe"]["httpGet"] == {"path": "/health/ready", "port": "http"}
    assert main["livenessProbe"]["httpGet"] == {"path": "/health/live", "port": "http"}
    assert of_kind(objects, "Service")["portal"]["spec"]["ports"][0]["port"] == PORT
    security = main["securityContext"]
    assert security["readOnlyRootFilesystem"] is True and security["runAsNonRoot"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    assert spec["securityContext"]["runAsUser"] != 0
    assert of_kind(objects, "PodDisruptionBudget")["portal"]


def test_the_portal_reaches_only_dns_the_apis_and_the_identity_provider() -> None:
    policy = of_kind(build(K8S / "base" / "portal"), "NetworkPolicy")["portal"]["spec"]
    assert ingress_sources(policy) == {
        "http": {"ingress-nginx", "monitoring"},
        "metrics": {"monitoring"},
    }
    egress_ports = {p["port"] for rule in policy["egress"] for p in rule["ports"]}
    assert egress_ports == {53, 443} | {DEFAULT_PORTS[s] for s in API_SERVICES}
    assert not egress_ports & {5432, 5671, 5672}


def test_the_overlay_deploys_the_portal_image_with_its_secret() -> None:
    overlay = build(OVERLAY)
    deployment = of_kind(overlay, "Deployment")["portal"]
    (main,) = pod_spec(deployment)["containers"]
    assert main["image"] == "registry.example.gov.vn/cchc/portal:1.0.0"
    assert "portal-secrets" in of_kind(overlay, "Secret")


def test_the_image_serves_the_assets_from_the_lockfile(service_env: Any) -> None:
    text = (ROOT / "deploy" / "docker" / "Dockerfile").read_text(encoding="utf-8")
    assert "COPY services/portal/package.json services/portal/package-lock.json" in text
    assert re.search(r"npm ci --omit=dev", text)
    (assets_dir,) = re.findall(r"CCHC_PORTAL_ASSETS_DIR=(\S+)", text)
    assert f"COPY --from=assets /assets/node_modules {assets_dir}" in text
    assert "CCHC_PORTAL_ASSETS_DIR" in service_env("portal")
    lock = (ROOT / "services" / "portal" / "package-lock.json").read_text(encoding="utf-8")
    assert '"node_modules/htmx.org"' in lock


def test_no_deployment_switches_the_development_sign_in_on() -> None:
    for path in [ROOT / "docker-compose.yml", *K8S.rglob("*.yaml")]:
        assert "DEVELOPMENT_SIGN_IN" not in path.read_text(encoding="utf-8"), path
    assert "DEVELOPMENT_SIGN_IN" not in (ROOT / "deploy" / "docker" / "Dockerfile").read_text()
