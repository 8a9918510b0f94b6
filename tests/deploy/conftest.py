"""Shared helpers of the offline deploy checks: paths, what the code exports and accepts."""

from __future__ import annotations

import importlib
import os
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from pydantic_settings import BaseSettings

from cchc_tools.cli import DEFAULT_PORTS, PAGES, SERVICES

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
# The services with a database, a broker user and migrations. The portal (web pages over their
# APIs) has none of these; its deployment has checks of its own (test_portal.py).
API_SERVICES = tuple(s for s in SERVICES if s not in PAGES)

# Metrics produced outside the services: by Prometheus itself (`up`), by the blackbox exporter
# (`probe_success`, readiness of /health/ready) and by RabbitMQ's rabbitmq_prometheus plugin
# (families queue_coarse_metrics and queue_consumer_count of /metrics/detailed).
EXTERNAL_METRICS = frozenset(
    {
        "up",
        "probe_success",
        "rabbitmq_detailed_queue_messages",
        "rabbitmq_detailed_queue_messages_ready",
        "rabbitmq_detailed_queue_messages_unacked",
        "rabbitmq_detailed_queue_consumers",
    }
)

_METRIC_CALL = re.compile(
    r"\b(Counter|Gauge|Histogram|Summary)\(\s*(?:name\s*=\s*)?[\"']([a-zA-Z_:][a-zA-Z0-9_:]*)[\"']"
)


def _series_names(kind: str, name: str) -> set[str]:
    """The sample names a prometheus_client metric of this kind and name exposes."""
    kind = kind.lower()
    if kind == "counter":
        base = name.removesuffix("_total")
        return {f"{base}_total", f"{base}_created"}
    if kind == "histogram":
        return {f"{name}_bucket", f"{name}_sum", f"{name}_count", f"{name}_created"}
    if kind == "summary":
        return {f"{name}_sum", f"{name}_count", f"{name}_created"}
    return {name}


def code_metrics() -> set[str]:
    """Every series name the services can export: grepped from the kit's and the services'
    sources."""
    names: set[str] = set()
    sources = [*(ROOT / "shared").rglob("*.py"), *(ROOT / "services").rglob("*.py")]
    for path in sources:
        if "tests" in path.relative_to(ROOT).parts:
            continue
        for kind, name in _METRIC_CALL.findall(path.read_text(encoding="utf-8")):
            names |= _series_names(kind, name)
    return names


def settings_classes() -> dict[str, type[BaseSettings]]:
    """Service name -> its settings class (``cchc_<service>.config``)."""
    classes: dict[str, type[BaseSettings]] = {}
    for service in SERVICES:
        module = importlib.import_module(f"cchc_{service}.config")
        candidates = [
            value
            for value in vars(module).values()
            if isinstance(value, type)
            and issubclass(value, BaseSettings)
            and getattr(value, "service_name", None) == service
        ]
        assert len(candidates) == 1, f"cchc_{service}.config: one settings class expected"
        classes[service] = candidates[0]
    return classes


def env_names(settings: type[BaseSettings]) -> set[str]:
    """The environment variables a pydantic-settings class reads."""
    prefix = str(settings.model_config.get("env_prefix", ""))
    names = set()
    for field_name, field in settings.model_fields.items():
        alias = field.validation_alias
        names.add(alias if isinstance(alias, str) else f"{prefix}{field_name}".upper())
    return names


def accepted_env(service: str) -> set[str]:
    """Every variable the service's process reads: its settings and the auth settings."""
    from cchc_shared.auth import AuthSettings
    from cchc_shared.auth.claims import ClaimSettings
    from cchc_shared.auth.startup import StartupSettings

    return (
        env_names(settings_classes()[service])
        | env_names(AuthSettings)
        | env_names(ClaimSettings)
        | env_names(StartupSettings)
    )


def require_tool(name: str) -> str:
    """The tool's path; without it the test skips on a workstation and FAILS in CI."""
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{name} is not installed (.ci/run installs it)")
        pytest.skip(f"{name} is not installed")
    return path


def promql_metric_names(expr: str) -> set[str]:
    """Metric names used in a PromQL expression (a small lexer, enough for our dashboards
    and rules: strings, label matchers, grouping clauses and ranges are stripped)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)
    text = re.sub(r"\{[^}]*\}", " ", text)
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    text = re.sub(r"\[[^\]]*\]", " ", text)
    text = re.sub(r"\$\w+", " ", text)
    names = set()
    for match in re.finditer(r"[a-zA-Z_:][a-zA-Z0-9_:]*", text):
        token = match.group(0)
        following = text[match.end() :].lstrip()
        if following.startswith("("):  # a function or an aggregation
            continue
        if token in _PROMQL_WORDS or re.fullmatch(r"\d+[smhdwy]", token):
            continue
        names.add(token)
    return names


_PROMQL_WORDS = frozenset(
    {"and", "or", "unless", "by", "without", "on", "ignoring", "bool", "offset", "inf", "nan"}
    | {"group_left", "group_right", "e"}
)


@pytest.fixture(scope="session")
def exported_metrics() -> set[str]:
    return code_metrics() | EXTERNAL_METRICS


@pytest.fixture(scope="session")
def services() -> tuple[str, ...]:
    return API_SERVICES


@pytest.fixture(scope="session")
def default_ports() -> dict[str, int]:
    return dict(DEFAULT_PORTS)


def load_yaml_documents(path: Path) -> list[Any]:
    import yaml

    with path.open(encoding="utf-8") as handle:
        return [doc for doc in yaml.safe_load_all(handle) if doc is not None]


@pytest.fixture(scope="session")
def service_env() -> Any:
    """``service_env(service)``: the environment variables that service reads."""
    return accepted_env


@pytest.fixture(scope="session")
def tool() -> Any:
    """``tool(name)``: a required command-line tool (skips locally, fails in CI when absent)."""
    return require_tool


@pytest.fixture(scope="session")
def metric_names() -> Any:
    """``metric_names(expr)``: the metric names a PromQL expression uses."""
    return promql_metric_names
