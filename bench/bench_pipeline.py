"""The pipeline's throughput and latency on the real services, beside raw baselines, in one run.

    uv run python bench/bench_pipeline.py [--events 2000] [--rate 50] [--seconds 20]
        [--http-requests 1000] [--json PATH] [--quick]
    uv run --with pyinstrument python bench/bench_pipeline.py --profile intake \
        --profiler pyinstrument

Everything runs on a fresh virtual host of the local RabbitMQ (``--private-broker``: a node of
the run's own) and fresh PostgreSQL databases (one per service, one for the raw chain), all
removed at the end:

- baselines: raw aio-pika publish with confirms and raw consume (bench_kit's), and a raw
  one-hop chain: aio-pika + asyncpg, no framework, consume (manual ack, prefetch 64), one
  transaction inserting inbox + effect + outbox rows, publish with confirms, mark sent, ack.
  The chain runs before and after the stages; they are compared with the mean of both;
- each one-hop stage alone on the real service process (the others stopped), its queue
  preloaded: intake (inbound -> initiatives + outbox sent), then scheduling, evaluation and
  reporting on the initiative.submitted events intake left in their queues. A service consumes
  before it reports ready, so a stage is timed from its first inbox row to the moment its
  effects are complete; CPU per message is read from /proc;
- the whole pipeline sustained (all four running): inbound published as fast as confirms
  allow, until reporting's read model holds every initiative;
- latency at a steady inbound rate: publish time to reporting's event_log.received_at;
- intake's HTTP API: POST and GET of initiatives, 16 concurrent clients.

``--stages intake [...]`` runs only the raw chain and those stages (a quick comparison).
``--profile STAGE`` instead runs only that stage (after the intake stage it needs) with the
service under a profiler, and prints where its time goes.
Not a test: it prints figures.

This file is the entry point (the run, its options); beside it: ``pipeline_common``
(constants, messages, publishing, polling), ``pipeline_machine`` (machine facts, CPU meters),
``pipeline_raw`` (the raw one-hop chain), ``pipeline_runs`` (stages, pipeline, latency on the
services), ``pipeline_http`` (intake's HTTP API) and ``pipeline_report`` (the report).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_kit import raw_consume, raw_publish  # puts shared/ on sys.path for tests.probe
from pipeline_common import REPO, SECRET, inbound_messages, publish_inbound
from pipeline_http import intake_http
from pipeline_machine import machine_info
from pipeline_raw import mean_run, raw_chain_run
from pipeline_report import print_profile, print_report, rows_of, targets_of
from pipeline_runs import Bench, BenchProcesses

from cchc_testkit.infra import fresh_service_databases, fresh_vhost
from cchc_testkit.nodes import PrivateRabbitMQ
from cchc_testkit.processes import SERVICES

# ---- the run ---------------------------------------------------------------------------


def step(text: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {text}", flush=True)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    results: dict[str, Any] = {
        "parameters": {
            "events": args.events,
            "rate": args.rate,
            "seconds": args.seconds,
            "http_requests": args.http_requests,
            "broker": "private node" if args.private_broker else "fresh vhost of the local node",
        },
    }
    count = args.events
    profiles = {args.profile: (args.profiler, args.profile_out)} if args.profile else {}
    async with contextlib.AsyncExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="cchc-bench-")))
        if args.private_broker:
            node = PrivateRabbitMQ(work / "rabbitmq")
            step("starting a private RabbitMQ node")
            await asyncio.to_thread(node.start)
            stack.push_async_callback(asyncio.to_thread, node.stop)
            amqp_url = node.url
        else:
            amqp_url = await stack.enter_async_context(fresh_vhost("cchc-bench"))
        results["machine"] = await machine_info(amqp_url)
        databases = await stack.enter_async_context(fresh_service_databases(SERVICES, "cchc_bench"))
        processes = BenchProcesses(
            amqp_url,
            databases,
            work / "var",
            auth_secret=SECRET,
            extra_env={"CCHC_LOG_LEVEL": "WARNING"},
            profiles=profiles,
        )
        stack.push_async_callback(asyncio.to_thread, processes.stop)
        bench = Bench(amqp_url, processes)
        try:
            if args.replicas:
                # One replica of each service, then two, then one again: the two-replica run
                # is compared with the mean of the one-replica runs around it (the machine's
                # speed drifts). On 2 cores this shows that nothing serialises the replicas
                # (no lock, no single consumer), not a speed-up: the cores are already busy.
                await bench.start(*SERVICES)
                await bench.connect(databases, stack)
                second = [f"{s}#2" for s in SERVICES]
                runs_by_replicas: dict[str, dict[str, Any]] = {}
                for label, instances in (
                    ("one replica (before)", SERVICES),
                    ("two replicas", (*SERVICES, *second)),
                    ("one replica (after)", SERVICES),
                ):
                    if label == "two replicas":
                        await bench.start(*second)
                    step(f"whole pipeline, {count} inbound messages, {label} of each service")
                    runs_by_replicas[label] = await bench.pipeline(
                        count, f"replicas-{len(runs_by_replicas)}", instances
                    )
                    if label == "two replicas":
                        await bench.stop(*second)
                ones = [runs_by_replicas[k] for k in runs_by_replicas if k.startswith("one")]
                one_rate = sum(count for _ in ones) / sum(r["seconds"] for r in ones)
                results["replicas"] = {
                    "runs": runs_by_replicas,
                    "one_replica_rate": one_rate,
                    "two_replicas_rate": runs_by_replicas["two replicas"]["rate"],
                    "ratio": runs_by_replicas["two replicas"]["rate"] / one_rate,
                }
                return results
            if args.latency_only:
                step(f"latency at {args.rate}/s for {args.seconds} s")
                await bench.start(*SERVICES)
                await bench.connect(databases, stack)
                results["latency"] = await bench.latency(args.rate, args.seconds)
                return results
            if not args.profile and not args.stages:
                step(f"raw publish and consume, {count} messages")
                publish = await raw_publish(amqp_url, count)
                consume = await raw_consume(amqp_url, count)
                results["raw"] = {"publish": publish, "consume": consume}
            # The raw chain runs before and after the stages, and the stages are compared
            # with the mean of both: the machine's speed drifts (a shared VM), and a stage
            # measured between the two is compared with the machine as it was around it.
            runs: dict[str, dict[str, Any]] = {}
            if not args.profile:
                if not args.stages:
                    step("raw one-hop chain to a single queue (for reference)")
                    results["raw_chain_one_queue"] = await raw_chain_run(
                        amqp_url, count, "one", sink_queues=1
                    )
                step("raw one-hop chain (before the stages)")
                runs["before"] = await raw_chain_run(amqp_url, count, "before")
            step("services: start all once (migrations, seed data, every queue), then stop")
            await bench.start(*SERVICES)
            await bench.stop(*SERVICES)
            await bench.connect(databases, stack)
            step(f"preloading {count} inbound messages")
            await publish_inbound(amqp_url, inbound_messages("stage", count))
            stages: dict[str, Any] = {}
            results["stages"] = stages
            if args.profile:
                chosen: Sequence[str] = ("intake", args.profile)
            else:
                chosen = ("intake", *args.stages) if args.stages else SERVICES
            for service in dict.fromkeys(chosen):
                step(f"stage {service}")
                stages[service] = await bench.stage(service, count)
            if runs:
                step("raw one-hop chain (after the stages)")
                runs["after"] = await raw_chain_run(amqp_url, count, "after")
                results["raw_chain_runs"] = runs
                results["raw_chain"] = mean_run(list(runs.values()))
            if args.profile:
                results["profile"] = str(profiles[args.profile][1])
            if args.profile or args.stages:
                return results
            step(f"whole pipeline, {count} inbound messages")
            await bench.start(*SERVICES)
            results["pipeline"] = await bench.pipeline(count)
            step(f"latency at {args.rate}/s for {args.seconds} s")
            results["latency"] = await bench.latency(args.rate, args.seconds)
            step(f"intake HTTP, {args.http_requests} requests x 2, other services stopped")
            await bench.stop("scheduling", "evaluation", "reporting")
            results["http"] = await intake_http(processes.url("intake"), args.http_requests)
        except BaseException:
            if processes.logs:
                print(processes.dump_logs(tail=40), file=sys.stderr)
            raise
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=2000, help="messages per throughput run")
    parser.add_argument("--rate", type=float, default=50, help="inbound msg/s, latency run")
    parser.add_argument("--seconds", type=float, default=20, help="length of the latency run")
    parser.add_argument("--http-requests", type=int, default=1000, help="POSTs, then as many GETs")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--quick", action="store_true", help="small numbers: a smoke run")
    parser.add_argument(
        "--private-broker",
        action="store_true",
        help="a RabbitMQ node of the run's own instead of a vhost of the local one",
    )
    parser.add_argument(
        "--stages",
        nargs="+",
        choices=SERVICES,
        help="only the raw chain and these stages (each needs intake's before it)",
    )
    parser.add_argument("--latency-only", action="store_true", help="only the latency run")
    parser.add_argument(
        "--replicas",
        action="store_true",
        help="only the pipeline with one, then two, then one replica of every service",
    )
    parser.add_argument("--profile", choices=SERVICES, help="profile this stage only")
    parser.add_argument("--profiler", choices=["cprofile", "pyinstrument"], default="cprofile")
    parser.add_argument("--profile-out", type=Path, help="default var/profile-<stage>.*")
    args = parser.parse_args()
    if args.profile:
        suffix = "txt" if args.profiler == "pyinstrument" else "prof"
        out = args.profile_out or REPO / "var" / f"profile-{args.profile}.{suffix}"
        out.parent.mkdir(parents=True, exist_ok=True)
        args.profile_out = out.resolve()
    if args.quick:
        args.events, args.seconds, args.http_requests = 200, 5, 200
    results = asyncio.run(run(args))
    results["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["rows"] = rows_of(results)
    results["targets"] = targets_of(results)
    print_report(results)
    if args.profile:
        print_profile(Path(results["profile"]), args.profiler)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
