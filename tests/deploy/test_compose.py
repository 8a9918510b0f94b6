"""docker-compose.yml: valid against the compose specification, and in step with the code
(services, settings, broker users, databases, migrations, health checks)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from cchc_shared.auth import DEVELOPMENT_SECRET
from cchc_shared.messaging.topology import DEFAULT_DELIVERY_LIMIT
from cchc_tools.cli import PAGES
from cchc_tools.definitions import render_definitions

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
COMPOSE = ROOT / "docker-compose.yml"
INFRASTRUCTURE = {
    "rabbitmq",
    "postgres",
    "keycloak",
    "blackbox",
    "prometheus",
    "grafana",
    "proxy",
    "mailpit",
}
NGINX_CONF = DEPLOY / "nginx" / "nginx.conf"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    return loaded


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    assert isinstance(env, dict), "environment is written as a mapping"
    return {key: str(value) for key, value in env.items()}


def default_of(value: str) -> str:
    """`${VAR:-default}` -> default; anything else unchanged."""
    match = re.fullmatch(r"\$\{[A-Z0-9_]+:-(.*)\}", value)
    return match.group(1) if match else value


def test_compose_file_matches_the_compose_specification() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_services_are_the_code_services_their_migrations_and_infrastructure(
    compose: dict[str, Any], services: tuple[str, ...]
) -> None:
    expected = INFRASTRUCTURE | set(services) | {f"{s}-migrate" for s in services} | PAGES
    assert set(compose["services"]) == expected


def test_every_bind_mount_source_exists(compose: dict[str, Any]) -> None:
    for name, service in compose["services"].items():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0] if isinstance(volume, str) else volume["source"]
            if source.startswith("./"):
                assert (ROOT / source).exists(), f"{name}: {source} does not exist"


def test_service_environment_is_read_by_the_code(
    compose: dict[str, Any], services: tuple[str, ...], service_env: Any
) -> None:
    for service in services:
        for name in (service, f"{service}-migrate"):
            unknown = set(environment(compose["services"][name])) - service_env(service)
            assert not unknown, f"{name}: variables no setting reads: {sorted(unknown)}"


def test_each_service_is_wired_as_production_expects(
    compose: dict[str, Any], services: tuple[str, ...], default_ports: dict[str, int]
) -> None:
    users = {user["name"]: user for user in render_definitions()["users"]}
    init_sql = (DEPLOY / "postgres" / "init.sql").read_text(encoding="utf-8")
    for service in services:
        spec = compose["services"][service]
        env = environment(spec)
        prefix = f"CCHC_{service.upper()}_"
        assert spec["build"]["args"]["SERVICE"] == service
        assert env["CCHC_DECLARE_ALL_QUEUES"] == "false"
        assert env[f"{prefix}RUN_MIGRATIONS_ON_START"] == "false"
        assert env[f"{prefix}HTTP_HOST"] == "0.0.0.0"
        port = default_ports[service]
        assert env[f"{prefix}HTTP_PORT"] == str(port)
        assert f"127.0.0.1:{port}:{port}" in spec["ports"], "other hosts go through the proxy"
        assert env.get(f"{prefix}DELIVERY_LIMIT", str(DEFAULT_DELIVERY_LIMIT)) == str(
            DEFAULT_DELIVERY_LIMIT
        ), "queues are pre-declared with the definitions' delivery limit"

        # its own broker user, which the generated definitions create
        amqp = urlparse(env["CCHC_AMQP_URL"])
        assert amqp.username == f"cchc-{service}"
        assert amqp.hostname == "rabbitmq"
        assert amqp.username in users

        # its own database and role, which init.sql creates
        database = urlparse(env[f"{prefix}DATABASE_URL"])
        assert database.hostname == "postgres"
        assert database.username == service
        assert database.path == f"/{service}"
        assert f"CREATE ROLE {service} LOGIN" in init_sql
        assert f"CREATE DATABASE {service} OWNER {service}" in init_sql

        # the JWT secret comes from the environment, with the kit's marked development default
        secret = env["CCHC_AUTH_SECRET"]
        assert secret.startswith("${CCHC_AUTH_SECRET:-")
        assert default_of(secret) == DEVELOPMENT_SECRET

        # health check on readiness
        test = " ".join(spec["healthcheck"]["test"])
        assert "/health/ready" in test

        # starts after the broker, the database and its own one-shot migration
        assert spec["depends_on"] == {
            "rabbitmq": {"condition": "service_healthy"},
            "postgres": {"condition": "service_healthy"},
            f"{service}-migrate": {"condition": "service_completed_successfully"},
        }

        migrate = compose["services"][f"{service}-migrate"]
        assert migrate["command"] == ["python", "-m", f"cchc_{service}", "migrate"]
        assert migrate["image"] == spec["image"]
        assert migrate["restart"] == "no"
        assert environment(migrate)[f"{prefix}DATABASE_URL"] == env[f"{prefix}DATABASE_URL"]


def test_rabbitmq_loads_the_generated_definitions_without_guest(compose: dict[str, Any]) -> None:
    rabbitmq = compose["services"]["rabbitmq"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in rabbitmq["volumes"] if v.startswith("./")}
    conf_text = (ROOT / mounts["/etc/rabbitmq/rabbitmq.conf"]).read_text(encoding="utf-8")
    conf = dict(
        (key.strip(), value.strip())
        for key, _, value in (
            line.partition("=")
            for line in conf_text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")
        )
    )
    definitions_path = conf["load_definitions"]
    assert mounts[definitions_path] == "./deploy/rabbitmq/definitions.json"
    plugins = (ROOT / mounts["/etc/rabbitmq/enabled_plugins"]).read_text(encoding="utf-8")
    assert "rabbitmq_prometheus" in plugins and plugins.strip().endswith("].")
    assert conf["prometheus.tcp.port"] == "15692"

    assert "RABBITMQ_DEFAULT_USER" not in rabbitmq.get("environment", {})
    names = [user["name"] for user in render_definitions()["users"]]
    assert "guest" not in names
    for service in compose["services"].values():
        for value in environment(service).values():
            assert "guest" not in value


def test_the_committed_definitions_are_generated_from_the_code() -> None:
    from cchc_tools.contracts.generate import DEFINITIONS_FILE, expected_files

    committed = (ROOT / DEFINITIONS_FILE).read_text(encoding="utf-8")
    assert committed == expected_files()[DEFINITIONS_FILE], (
        "run: uv run python -m cchc_tools.contracts.generate"
    )


def test_monitoring_is_mounted_from_deploy(compose: dict[str, Any]) -> None:
    prometheus = compose["services"]["prometheus"]
    assert (
        "./deploy/prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro"
        in (prometheus["volumes"])
    )
    assert "./deploy/prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro" in prometheus["volumes"]
    grafana = compose["services"]["grafana"]
    assert "./deploy/grafana/provisioning:/etc/grafana/provisioning:ro" in grafana["volumes"]
    provider = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/dashboards/cchc.yml").read_text(encoding="utf-8")
    )
    dashboards_path = provider["providers"][0]["options"]["path"]
    assert f"./deploy/grafana/dashboards:{dashboards_path}:ro" in grafana["volumes"]
    home = grafana["environment"]["GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"]
    assert (DEPLOY / "grafana/dashboards" / Path(home).name).is_file()


def _nginx_directives(text: str) -> list[tuple[str, str, str]]:
    """(location or "", directive, value) of the nginx configuration, comments dropped."""
    found = []
    location = ""
    depth_of_location = None
    depth = 0
    for raw in text.splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        if line.endswith("{"):
            depth += 1
            words = line[:-1].split()
            if words and words[0] == "location":
                location, depth_of_location = words[-1], depth
            continue
        if line == "}":
            if depth == depth_of_location:
                location, depth_of_location = "", None
            depth -= 1
            continue
        name, _, value = line.rstrip(";").partition(" ")
        found.append((location, name, value.strip()))
    return found


def test_the_proxy_is_the_edge_with_timeouts_and_routes_only_the_apis(
    compose: dict[str, Any], services: tuple[str, ...], default_ports: dict[str, int]
) -> None:
    proxy = compose["services"]["proxy"]
    assert "./deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" in proxy["volumes"]
    assert set(proxy["depends_on"]) == {*services, "portal"}
    directives = _nginx_directives(NGINX_CONF.read_text(encoding="utf-8"))
    top = {name: value for location, name, value in directives if not location}
    for timeout in ("client_header_timeout", "client_body_timeout", "send_timeout"):
        seconds = int(top[timeout].removesuffix("s"))
        assert 0 < seconds <= 60, timeout
    assert int(top["keepalive_timeout"].removesuffix("s")) <= 75
    assert top["limit_conn"].startswith("per_client ")
    assert "proxy_read_timeout" in top and "proxy_connect_timeout" in top
    routes = {location: value for location, name, value in directives if name == "proxy_pass"}
    apis = {f"/{s}/api/": f"http://{s}:{default_ports[s]}/api/" for s in services}
    # the portal at `/`, with no URI after its address: paths reach it unrewritten
    assert routes == {**apis, "/": f"http://portal:{default_ports['portal']}"}
    # nginx tries the regular expressions before the prefix `/`: the first that matches answers
    regexes = [
        (location, value)
        for location, name, value in directives
        if name == "return" and location not in routes
    ]

    def answer(path: str) -> str:
        """Where the edge sends a path: a service's address, or the `return` of a location."""
        for regex, returned in regexes:
            if re.search(regex, path):
                return returned
        prefix = max((p for p in routes if path.startswith(p)), key=len)
        return routes[prefix]

    for hidden in ("/docs", "/openapi.json", "/metrics", "/health/ready", "/health/live"):
        assert answer(hidden).startswith("404 "), f"{hidden} is not routed"
        assert '"field":"path"' in answer(hidden) and "Không tìm thấy" in answer(hidden)
    assert answer("/intake/api/initiatives") == "http://intake:8001/api/"
    assert answer("/") == answer("/initiatives/new") == answer("/static/portal.css")
    assert answer("/auth/callback") == routes["/"]
    assert answer("/metricsfoo") == routes["/"], "only the whole segment is hidden"


def test_every_service_mounts_the_revocation_list(
    compose: dict[str, Any], services: tuple[str, ...]
) -> None:
    import json

    from cchc_shared.auth.revocation import Revocations

    for service in services:
        spec = compose["services"][service]
        path = environment(spec)["CCHC_AUTH_REVOCATIONS"]
        mount = f"./deploy/auth/revocations.json:{path}:ro"
        assert mount in spec["volumes"], service
    Revocations.parse(json.loads((DEPLOY / "auth" / "revocations.json").read_text("utf-8")))
