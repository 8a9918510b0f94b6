"""The cluster suite: the whole system scaled out on real engines — a three-node RabbitMQ
cluster with quorum queues replicated on every node, two replicas of every service as OS
processes — while a stream of inbound initiatives flows and a node dies, a node restarts,
every replica is restarted in turn, or a node is cut off. Each case prints, as the fault
suite's do, what was published, received, lost and doubled, and how long recovery took;
the rolling update also what its HTTP callers saw."""

from __future__ import annotations

import asyncio
import os
import signal
import time
from typing import Any

import pytest

from .cluster import INSTANCES, ClusterStack, read_load
from .harness import assert_clean, run_case, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.cluster, pytest.mark.timeout(600)]


def short(node: str) -> str:
    return node.split("@", 1)[0]


async def test_the_node_leading_the_busiest_queues_is_killed_mid_stream(
    cluster_stack: ClusterStack,
) -> None:
    cluster = cluster_stack.cluster
    # The definitions' quorum queues, imported once, have a replica on each of the nodes.
    assert await asyncio.to_thread(cluster_stack.fully_replicated)
    leader, led = await asyncio.to_thread(cluster_stack.busiest_leader)
    node = cluster.by_name(leader)

    async def harm() -> dict[str, Any]:
        started = time.monotonic()
        await asyncio.to_thread(node.kill)

        async def re_elected() -> bool:
            leaders = await asyncio.to_thread(cluster.leaders)
            return all(leaders.get(q) not in (None, leader) for q in led)

        moved = await wait_until(re_elected, 60)
        return {
            "killed": short(leader),
            "queues_it_led": len(led),
            "re_elected": moved,
            "re_elected_s": round(time.monotonic() - started, 1),
        }

    try:
        report = await run_case(
            cluster_stack, "cluster-leader-killed", harm, count=300, rate=40,
            settle_timeout=180,
        )  # fmt: skip
    finally:
        await asyncio.to_thread(node.start)
        await asyncio.to_thread(cluster.wait_running, len(cluster.nodes))
    assert report.notes["re_elected"], report.line()
    assert_clean(report)


async def test_a_node_is_restarted_and_rejoins(cluster_stack: ClusterStack) -> None:
    cluster = cluster_stack.cluster
    node = cluster.nodes[1]

    async def harm() -> dict[str, Any]:
        started = time.monotonic()
        await asyncio.to_thread(node.stop)
        down = time.monotonic()
        await asyncio.to_thread(node.start)
        await asyncio.to_thread(cluster.wait_running, len(cluster.nodes))
        return {
            "restarted": short(node.node),
            "stop_s": round(down - started, 1),
            "rejoined_s": round(time.monotonic() - down, 1),
        }

    report = await run_case(
        cluster_stack, "cluster-node-restart", harm, count=300, rate=40, settle_timeout=180
    )
    assert_clean(report)
    # Back as a full member: a replica of every queue again, and able to lead some.
    assert await asyncio.to_thread(cluster_stack.fully_replicated)
    await asyncio.to_thread(cluster_stack.rebalance)
    leaders = await asyncio.to_thread(cluster.leaders)
    assert node.node in leaders.values(), leaders


async def test_every_replica_restarted_one_at_a_time(cluster_stack: ClusterStack) -> None:
    """A rolling update: each service's replicas in turn get SIGTERM (they finish or hand
    back what they hold), start again and are ready before the next one goes, while the
    stream flows and callers read from every API through a client that goes to the other
    replica when one does not answer."""
    processes = cluster_stack.processes

    async def harm() -> dict[str, Any]:
        stop = asyncio.Event()
        load = asyncio.create_task(read_load(processes, stop))
        started = time.monotonic()
        try:
            for instance in INSTANCES:
                await cluster_stack.restart_service(instance, kill=False)
        finally:
            stop.set()
            clients = await load
        return {
            "restarted": len(INSTANCES),
            "rollout_s": round(time.monotonic() - started, 1),
            "http_requests": sum(sum(c.statuses.values()) for c in clients.values()),
            "http_5xx": sum(c.server_errors for c in clients.values()),
            "http_unanswered": sum(c.unanswered for c in clients.values()),
            "http_to_other_replica": sum(c.switched for c in clients.values()),
        }

    report = await run_case(
        cluster_stack, "cluster-rolling-restart", harm, count=300, rate=5, settle_timeout=240
    )
    assert_clean(report)
    assert report.notes["http_requests"] > 0, report.line()
    assert report.notes["http_5xx"] == 0, report.line()
    assert report.notes["http_unanswered"] == 0, report.line()


@pytest.mark.skip(
    reason="not yet passing: after SIGCONT the frozen node was not running in the cluster "
    "again within 180 s (the stream's effects were not yet measured); how pause_minority "
    "resumes a node frozen past net_ticktime is still to be read from its log"
)
async def test_a_node_cut_off_pauses_as_the_minority_and_heals(
    cluster_stack: ClusterStack,
) -> None:
    """A partition from private nodes on one machine: the node is frozen (SIGSTOP) longer
    than the net tick time, so the other two declare it gone and carry on as the majority;
    when it runs again it finds itself cut off, in the minority, and pause_minority pauses it
    until it can rejoin. (Blocking the nodes' traffic with a firewall would need the
    machine's packet filter, which a test does not touch.)"""
    cluster = cluster_stack.cluster
    leader, _ = await asyncio.to_thread(cluster_stack.busiest_leader)
    node = cluster.by_name(leader)
    assert node.process is not None
    group = node.process.pid
    log = node.base / "log" / f"{node.node}.log"
    logged_before = log.stat().st_size if log.exists() else 0

    async def harm() -> dict[str, Any]:
        started = time.monotonic()
        os.killpg(group, signal.SIGSTOP)
        try:
            majority = [n for n in cluster.nodes if n is not node]

            async def node_gone() -> bool:
                running = await asyncio.to_thread(cluster.running_nodes, majority[0])
                return leader not in running

            seen_gone = await wait_until(node_gone, 60)
            gone_s = time.monotonic() - started
        finally:
            os.killpg(group, signal.SIGCONT)
        resumed = time.monotonic()
        await asyncio.to_thread(cluster.wait_running, len(cluster.nodes), 180)
        with log.open(errors="replace") as text:
            text.seek(logged_before)
            since = text.read()
        return {
            "cut_off": short(leader),
            "majority_saw_it_gone": seen_gone,
            "gone_after_s": round(gone_s, 1),
            "paused_as_minority": "minority" in since.lower(),
            "rejoined_s": round(time.monotonic() - resumed, 1),
        }

    report = await run_case(
        cluster_stack, "cluster-partition-minority", harm, count=300, rate=40,
        settle_timeout=240,
    )  # fmt: skip
    assert report.notes["majority_saw_it_gone"], report.line()
    assert report.notes["paused_as_minority"], report.line()
    assert_clean(report)
    assert await asyncio.to_thread(cluster_stack.fully_replicated)
