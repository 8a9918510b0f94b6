"""The pipeline benchmark's report: figure rows, targets, the printed table, profiles."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pipeline_common import P99_TARGET_MS, STAGE_TARGET, SUBMITTED_SUBSCRIBERS

# ---- report ----------------------------------------------------------------------------


def rows_of(results: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per figure: value, unit, baseline and ratio (or target)."""
    rows: list[dict[str, Any]] = []

    def row(
        name: str,
        value: float,
        unit: str,
        baseline: str = "",
        ratio: float | None = None,
        note: str = "",
    ) -> None:
        rows.append(
            {
                "figure": name,
                "value": value,
                "unit": unit,
                "baseline": baseline,
                "ratio": ratio,
                "note": note,
            }
        )

    replicas = results.get("replicas")
    if replicas:
        for label, run in replicas["runs"].items():
            row(
                f"pipeline, {label} per service",
                run["rate"],
                "events/s",
                "",
                None,
                f"machine {run['machine_busy_pct']:.0f}% busy",
            )
        row(
            "pipeline, two replicas / one replica",
            replicas["two_replicas_rate"],
            "events/s",
            f"one replica {replicas['one_replica_rate']:.0f}/s",
            replicas["ratio"],
            "mean of the one-replica runs before and after",
        )
    raw = results.get("raw")
    chain = results.get("raw_chain")
    if raw:
        row("raw publish (aio-pika, confirms)", raw["publish"], "msg/s")
        row("raw consume (aio-pika, ack)", raw["consume"], "msg/s")
    one_queue = results.get("raw_chain_one_queue")
    if one_queue:
        row(
            "raw one-hop chain, event to 1 queue",
            one_queue["rate"],
            "msg/s",
            "",
            None,
            _cpu_note(one_queue),
        )
    for when, run in results.get("raw_chain_runs", {}).items():
        row(
            f"raw one-hop chain, {when} the stages*", run["rate"], "msg/s", "", None, _cpu_note(run)
        )
    if chain:
        ratio = chain["rate"] / raw["consume"] if raw else None
        row(
            "raw one-hop chain (aio-pika+asyncpg), mean",
            chain["rate"],
            "msg/s",
            "raw consume",
            ratio,
            _cpu_note(chain),
        )
    for service, stage in results.get("stages", {}).items():
        ratio = stage["rate"] / chain["rate"] if chain else None
        row(
            f"stage {service} (one hop, alone)",
            stage["rate"],
            "msg/s",
            "raw one-hop chain",
            ratio,
            _cpu_note(stage),
        )
    pipe = results.get("pipeline")
    if pipe:
        ratio = pipe["rate"] / chain["rate"] if chain else None
        note = (
            f"inbound published at {pipe['publish_rate']:.0f}/s; services used "
            f"{pipe['services_cores']:.1f} cores, machine {pipe['machine_busy_pct']:.0f}% busy"
        )
        row(
            "pipeline sustained (4 services)",
            pipe["rate"],
            "events/s",
            "raw one-hop chain",
            ratio,
            note,
        )
    lat = results.get("latency")
    if lat:
        note = f"{lat['messages']} msgs at {lat['sent_rate']:.0f}/s"
        for key in ("p50", "p95", "p99", "max"):
            target = f"target < {P99_TARGET_MS:.0f} ms" if key == "p99" else ""
            row(f"latency inbound->reporting {key}", lat[f"{key}_ms"], "ms", target, None, note)
    if lat and lat.get("legs"):
        names = {
            "to_commit": "published -> intake commit",
            "relay": "intake commit -> relay sent",
            "to_reporting": "relay sent -> reporting",
        }
        for leg, figures in lat["legs"].items():
            if leg == "slowest":
                continue
            note = f"p50 {figures['p50_ms']:.0f} ms, max {figures['max_ms']:.0f} ms"
            row(f"  leg {names[leg]} p99", figures["p99_ms"], "ms", "", None, note)
    http = results.get("http")
    if http:
        for verb in ("post", "get"):
            figures = http[verb]
            path = "/api/v1/initiatives" + ("/{id}" if verb == "get" else "")
            note = f"p50 {figures['p50_ms']:.0f} ms, p99 {figures['p99_ms']:.0f} ms"
            note += f", {figures['concurrency']} clients"
            row(f"intake HTTP {verb.upper()} {path}", figures["rate"], "req/s", "", None, note)
    return rows


def _cpu_note(figures: Mapping[str, float]) -> str:
    note = (
        f"{figures['cpu_ms_per_msg']:.2f} ms CPU/msg, process {figures['process_core_pct']:.0f}%"
        f" of a core, machine {figures['machine_busy_pct']:.0f}% busy"
    )
    if figures.get("outbox_rows_per_relay_cycle"):
        note += (
            f", {figures['outbox_rows_per_relay_cycle']:.0f} events per relay cycle, relay done"
            f" {figures['relay_tail_ms']:.0f} ms after the last message in"
        )
    return note


def targets_of(results: Mapping[str, Any]) -> dict[str, Any]:
    targets: dict[str, Any] = {}
    chain, stages = results.get("raw_chain"), results.get("stages")
    if chain and stages:
        ratios = {s: f["rate"] / chain["rate"] for s, f in stages.items()}
        slowest = min(ratios, key=lambda s: ratios[s])
        targets["stages_vs_raw_chain"] = {
            "target": f">= {STAGE_TARGET:.0%} of the raw one-hop chain for every stage",
            "holds": all(r >= STAGE_TARGET for r in ratios.values()),
            "slowest": slowest,
            "slowest_ratio": ratios[slowest],
        }
    if results.get("latency"):
        p99 = results["latency"]["p99_ms"]
        targets["latency_p99"] = {
            "target": f"p99 < {P99_TARGET_MS:.0f} ms",
            "holds": p99 < P99_TARGET_MS,
            "p99_ms": p99,
        }
    return targets


def print_report(results: Mapping[str, Any]) -> None:
    machine = results["machine"]
    print(
        f"\nmachine: {machine['cpu']}, {machine['cores']} cores, {machine['ram_gib']} GiB RAM, "
        f"Python {machine['python']}, RabbitMQ {machine['rabbitmq']}, "
        f"PostgreSQL {machine['postgresql']}, load average {machine['load_average_at_start']}"
    )
    print(f"parameters: {results['parameters']}\n")
    print(f"{'figure':<46}{'value':>10}  {'unit':<9}{'baseline':<22}{'ratio':>6}  note")
    for r in results["rows"]:
        ratio = f"{r['ratio']:.0%}" if r["ratio"] is not None else ""
        print(
            f"{r['figure']:<46}{r['value']:>10.0f}  {r['unit']:<9}{r['baseline']:<22}"
            f"{ratio:>6}  {r['note']}"
        )
    if results.get("raw_chain_runs"):
        print(
            f"* the raw chain's outgoing event goes to {SUBMITTED_SUBSCRIBERS} quorum queues, as"
            " initiative.submitted.v1 does; the stages are compared with the mean of both runs"
        )
    print()
    for name, target in results["targets"].items():
        verdict = "HOLDS" if target["holds"] else "DOES NOT HOLD"
        detail = (
            f"slowest {target['slowest']} at {target['slowest_ratio']:.0%}"
            if name == "stages_vs_raw_chain"
            else f"p99 {target['p99_ms']:.0f} ms"
        )
        print(f"target {target['target']}: {verdict} ({detail})")


def print_profile(path: Path, profiler: str, lines: int = 40) -> None:
    if profiler == "pyinstrument":
        print(path.read_text())
        return
    import pstats

    stats = pstats.Stats(str(path))
    stats.sort_stats("cumulative").print_stats(lines)
    stats.sort_stats("tottime").print_stats(lines)
