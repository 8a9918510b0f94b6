"""Prometheus configuration, alert rules and the Grafana dashboard: valid for their tools
(promtool, offline) and built only from metrics the code (or RabbitMQ / the prober) exports."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from cchc_tools.cli import SERVICES

ROOT = Path(__file__).resolve().parents[2]
PROMETHEUS = ROOT / "deploy" / "prometheus"
GRAFANA = ROOT / "deploy" / "grafana"
DASHBOARD = GRAFANA / "dashboards" / "cchc-overview.json"


def promtool(tool: Any, *args: str) -> None:
    result = subprocess.run(
        [tool("promtool"), *args], cwd=PROMETHEUS, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_prometheus_config_passes_promtool(tool: Any) -> None:
    promtool(tool, "check", "config", "prometheus.yml")


def test_alert_rules_pass_promtool(tool: Any) -> None:
    promtool(tool, "check", "rules", "alerts.yml")


def test_alert_rules_fire_as_their_unit_tests_expect(tool: Any) -> None:
    promtool(tool, "test", "rules", "alerts.test.yml")


@pytest.fixture(scope="module")
def prometheus_config() -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load((PROMETHEUS / "prometheus.yml").read_text("utf-8"))
    return config


def job(config: dict[str, Any], name: str) -> dict[str, Any]:
    return next(j for j in config["scrape_configs"] if j["job_name"] == name)


def targets(scrape: dict[str, Any]) -> dict[str, str]:
    """target -> its `service` label."""
    return {
        target: group.get("labels", {}).get("service", "")
        for group in scrape["static_configs"]
        for target in group["targets"]
    }


def test_prometheus_scrapes_every_service_and_probes_its_readiness(
    prometheus_config: dict[str, Any], default_ports: dict[str, int]
) -> None:
    """The four APIs and the portal alike: /metrics and /health/ready on the HTTP port."""
    services = SERVICES
    metrics = targets(job(prometheus_config, "cchc-services"))
    assert metrics == {f"{s}:{default_ports[s]}": s for s in services}
    assert job(prometheus_config, "cchc-services")["metrics_path"] == "/metrics"
    readiness = job(prometheus_config, "cchc-readiness")
    assert targets(readiness) == {
        f"http://{s}:{default_ports[s]}/health/ready": s for s in services
    }
    blackbox = yaml.safe_load((PROMETHEUS / "blackbox.yml").read_text(encoding="utf-8"))
    assert set(readiness["params"]["module"]) <= set(blackbox["modules"])
    # compose serves the portal's /metrics on its HTTP port, the one scraped above
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    assert "CCHC_PORTAL_METRICS_PORT" not in compose["services"]["portal"]["environment"]


def test_prometheus_scrapes_rabbitmq_per_queue(prometheus_config: dict[str, Any]) -> None:
    assert targets(job(prometheus_config, "rabbitmq")) == {"rabbitmq:15692": ""}
    queues = job(prometheus_config, "rabbitmq-queues")
    assert targets(queues) == {"rabbitmq:15692": ""}
    assert queues["metrics_path"] == "/metrics/detailed"
    assert "queue_coarse_metrics" in queues["params"]["family"]


@pytest.fixture(scope="module")
def rules() -> list[dict[str, Any]]:
    document = yaml.safe_load((PROMETHEUS / "alerts.yml").read_text(encoding="utf-8"))
    return [rule for group in document["groups"] for rule in group["rules"]]


def test_the_required_alerts_exist(rules: list[dict[str, Any]]) -> None:
    by_name = {rule["alert"]: rule["expr"] for rule in rules}
    assert "cchc_outbox_oldest_age_seconds" in by_name["CchcOutboxStalled"]
    assert "dlq" in by_name["CchcDeadLetters"] and "> 0" in by_name["CchcDeadLetters"]
    assert "probe_success" in by_name["CchcServiceNotReady"]
    assert 'status=~"5.."' in by_name["CchcHttp5xxRate"]
    for rule in rules:
        assert rule["labels"]["severity"] in {"warning", "critical"}
        assert rule["annotations"]["summary"]


def test_alert_rules_use_only_exported_metrics(
    rules: list[dict[str, Any]], exported_metrics: set[str], metric_names: Any
) -> None:
    for rule in rules:
        unknown = metric_names(rule["expr"]) - exported_metrics
        assert not unknown, f"{rule['alert']}: no such metric {sorted(unknown)}"


# ---- Grafana -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return loaded


def panels(dashboard: dict[str, Any]) -> list[dict[str, Any]]:
    return [p for p in dashboard["panels"] if p["type"] != "row"]


def test_the_datasource_the_dashboard_uses_is_provisioned(dashboard: dict[str, Any]) -> None:
    provisioned = yaml.safe_load(
        (GRAFANA / "provisioning/datasources/prometheus.yml").read_text(encoding="utf-8")
    )
    uids = {source["uid"] for source in provisioned["datasources"]}
    assert provisioned["datasources"][0]["url"] == "http://prometheus:9090"
    for panel in panels(dashboard):
        assert panel["datasource"]["uid"] in uids
        for target in panel["targets"]:
            assert target["datasource"]["uid"] in uids
    for variable in dashboard["templating"]["list"]:
        assert variable["datasource"]["uid"] in uids


def test_dashboard_panels_are_well_formed(dashboard: dict[str, Any]) -> None:
    ids = [p["id"] for p in dashboard["panels"]]
    assert len(ids) == len(set(ids)), "panel ids are unique"
    assert dashboard["uid"] and dashboard["title"]
    for panel in panels(dashboard):
        assert panel["title"] and panel["targets"], panel.get("title")
        assert {"h", "w", "x", "y"} <= set(panel["gridPos"])
        assert panel["gridPos"]["x"] + panel["gridPos"]["w"] <= 24
        ref_ids = [t["refId"] for t in panel["targets"]]
        assert len(ref_ids) == len(set(ref_ids))


def test_every_panel_metric_is_exported(
    dashboard: dict[str, Any], exported_metrics: set[str], metric_names: Any
) -> None:
    exprs = [t["expr"] for p in panels(dashboard) for t in p["targets"]]
    for variable in dashboard["templating"]["list"]:
        # label_values(metric, label): the metric is a query of its own
        match = re.fullmatch(r"label_values\((.+),\s*\w+\)", variable["definition"])
        assert match, variable["definition"]
        exprs.append(match.group(1))
    for expr in exprs:
        unknown = metric_names(expr) - exported_metrics
        assert not unknown, f"{expr}: no such metric {sorted(unknown)}"


def test_the_dashboard_shows_what_operations_watch(
    dashboard: dict[str, Any], metric_names: Any
) -> None:
    used = {
        name for p in panels(dashboard) for t in p["targets"] for name in metric_names(t["expr"])
    }
    assert {
        "cchc_events_consumed_total",  # events in
        "cchc_outbox_published_total",  # events out
        "cchc_event_handler_seconds_bucket",  # handler latency
        "cchc_outbox_backlog",
        "cchc_outbox_oldest_age_seconds",
        "rabbitmq_detailed_queue_messages",  # dead-letter depth
        "cchc_http_requests_total",  # HTTP rate and errors
        "cchc_http_request_seconds_bucket",  # HTTP latency
    } <= used
    quantiles = " ".join(t["expr"] for p in panels(dashboard) for t in p["targets"])
    assert "histogram_quantile(0.5, sum by (le, queue) (rate(cchc_event_handler" in quantiles
    assert "histogram_quantile(0.99, sum by (le, queue) (rate(cchc_event_handler" in quantiles
    assert "histogram_quantile(0.99, sum by (le, service, route) (rate(cchc_http" in quantiles


def test_metric_name_lexer_finds_metrics_not_functions(metric_names: Any) -> None:
    expr = (
        'histogram_quantile(0.99, sum by (le, queue) (rate(a_bucket{q=~"x.+"}[5m]))) '
        "/ on (queue) group_left b_total > 0 or vector(0)"
    )
    assert metric_names(expr) == {"a_bucket", "b_total"}
