"""The fault suite: each case streams initiatives through the whole system while something
breaks, and passes only with nothing lost, nothing done twice, exactly the expected messages
parked, and a consumer back on every queue. Each case prints its figures (see ``harness``);
the run's summary lists them all."""

from __future__ import annotations

import asyncio
import json
import signal
import time
import uuid
from typing import Any

import asyncpg
import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.messaging.routing import all_queues
from cchc_shared.messaging.topology import EVENTS_EXCHANGE
from cchc_shared.reference import load_agencies
from cchc_testkit.processes import SERVICES

from .harness import (
    REPORTS,
    SECRET,
    CaseReport,
    FaultStack,
    Outgoing,
    assert_clean,
    inbound_batch,
    run_case,
    wait_until,
)

pytestmark = [pytest.mark.integration, pytest.mark.timeout(240)]


async def test_broker_restarted_mid_stream(fault_stack: FaultStack) -> None:
    async def harm() -> dict[str, Any]:
        started = time.monotonic()
        await asyncio.to_thread(fault_stack.broker.restart)
        return {"broker_down_s": round(time.monotonic() - started, 1)}

    assert_clean(await run_case(fault_stack, "broker-restart", harm))


async def test_broker_killed_and_restarted(fault_stack: FaultStack) -> None:
    async def harm() -> dict[str, Any]:
        started = time.monotonic()
        await asyncio.to_thread(fault_stack.broker.kill)
        await asyncio.to_thread(fault_stack.broker.start)
        return {"broker_down_s": round(time.monotonic() - started, 1)}

    assert_clean(await run_case(fault_stack, "broker-sigkill", harm))


async def test_all_connections_closed(fault_stack: FaultStack) -> None:
    async def harm() -> None:
        await asyncio.to_thread(fault_stack.broker.ctl, "close_all_connections", "fault suite")

    assert_clean(await run_case(fault_stack, "close-all-connections", harm))


@pytest.mark.parametrize("service", SERVICES)
async def test_service_killed_mid_stream(fault_stack: FaultStack, service: str) -> None:
    async def harm() -> dict[str, Any]:
        started = time.monotonic()
        await fault_stack.restart_service(service, kill=True)
        return {"back_ready_s": round(time.monotonic() - started, 1)}

    assert_clean(await run_case(fault_stack, f"sigkill-{service}", harm))


async def test_sigterm_during_a_slow_handler(fault_stack: FaultStack) -> None:
    """Reporting's handler is held up by a lock on its read-model table; SIGTERM arrives
    while it waits; the lock goes 2 s later. The service must finish or hand back what it
    holds and exit cleanly: nothing lost, nothing doubled after its restart."""
    processes = fault_stack.processes

    async def harm() -> dict[str, Any]:
        holder = await asyncpg.connect(
            fault_stack.postgres.admin_dsn.rsplit("/", 1)[0] + "/cchc_reporting"
        )
        try:
            transaction = holder.transaction()
            await transaction.start()
            await holder.execute("LOCK TABLE rm_initiative IN ACCESS EXCLUSIVE MODE")
            await asyncio.sleep(1.0)  # handlers are now waiting on the lock
            processes.signal("reporting", signal.SIGTERM)
            signalled = time.monotonic()
            await asyncio.sleep(2.0)
            await transaction.rollback()
        finally:
            await holder.close()
        code = await asyncio.to_thread(processes.wait_exit, "reporting", 60)
        stopped_s = time.monotonic() - signalled
        processes.start("reporting")
        await asyncio.to_thread(processes.wait_ready, "reporting")
        return {"exit_code": code, "stop_s": round(stopped_s, 1)}

    report = await run_case(fault_stack, "sigterm-slow-handler", harm)
    assert_clean(report)
    assert report.notes["exit_code"] == 0, report.line()


# One read per service that needs its database.
READS = {
    "intake": "/api/v1/campaigns",
    "scheduling": "/api/v1/rounds",
    "evaluation": "/api/v1/campaigns/2023/ranking",
    "reporting": "/api/v1/campaigns/2023/dashboard",
}


async def test_postgres_restarted(fault_stack: FaultStack) -> None:
    """Also over HTTP: right after the restart a request may get 503 (retry), never 500;
    the next one is answered."""
    token = issue_token(AuthSettings(secret=SECRET), "secretariat")
    statuses: dict[str, list[int]] = {}

    async def harm() -> dict[str, Any]:
        started = time.monotonic()
        await asyncio.to_thread(fault_stack.postgres.restart)
        down = round(time.monotonic() - started, 1)
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}) as client:
            for service, path in READS.items():
                for _ in range(2):
                    response = await client.get(fault_stack.processes.url(service) + path)
                    statuses.setdefault(service, []).append(response.status_code)
        return {"postgres_down_s": down, "http_after_restart": statuses}

    assert_clean(await run_case(fault_stack, "postgres-restart", harm))
    for service, codes in statuses.items():
        assert set(codes) <= {200, 503} and codes[-1] == 200, (service, codes)


async def test_every_message_delivered_twice(fault_stack: FaultStack) -> None:
    """Each inbound message is published twice, and each ``initiative.submitted`` event is
    published a second time on ``cchc.events``: every consumer sees every event twice."""
    assert fault_stack.observer is not None
    fault_stack.observer.echo = True
    try:

        async def harm() -> None:
            return None

        report = await run_case(
            fault_stack, "every-message-twice", harm, duplicate_every_message=True
        )
    finally:
        fault_stack.observer.echo = False
    assert_clean(report)
    assert report.republished >= 300, report.line()  # the echo did reach the consumers


async def test_one_poison_message_among_many(fault_stack: FaultStack) -> None:
    """An inbound message that is not valid JSON (intake rejects and parks it) and one
    ``initiative.submitted`` on ``cchc.events`` whose data is invalid (each of its consumers
    among the running services parks it); the rest of the stream goes through untouched."""
    consumers = [
        spec
        for spec in all_queues()
        if spec.service in SERVICES
        and spec.exchange == EVENTS_EXCHANGE
        and spec.binding_key == "initiative.submitted.v1"
    ]
    assert len(consumers) >= 3, consumers
    broken = json.loads(inbound_batch("poison", 1)[0].body)
    broken["id"] = str(uuid.uuid4())
    broken["source"] = "/cchc/intake"
    broken["type"] = "vn.hcmc.cchc.initiative.submitted.v1"
    broken["data"]["initiative_id"] = "không-phải-uuid"
    poison = [
        Outgoing(str(uuid.uuid4()), b"{ not json"),
        Outgoing(
            broken["id"],
            json.dumps(broken, ensure_ascii=False).encode(),
            exchange=EVENTS_EXCHANGE,
            routing_key="initiative.submitted.v1",
        ),
    ]

    async def harm() -> None:
        return None

    report = await run_case(
        fault_stack, "poison-among-many", harm, extra=poison, expected_parked=1 + len(consumers)
    )
    assert_clean(report)


async def test_eight_concurrent_writers_one_outbox(fault_stack: FaultStack) -> None:
    """Eight clients submit over HTTP at once, through two intake replicas whose relays
    drain the one outbox together: every event published once, every effect once."""
    processes = fault_stack.processes
    assert fault_stack.observer is not None
    processes.start("intake#2")
    await asyncio.to_thread(processes.wait_ready, "intake#2")
    token = issue_token(AuthSettings(secret=SECRET), "secretariat")
    year = int(time.strftime("%Y"))
    agencies = [a.code for a in load_agencies().values()]
    per_writer, writers = 30, 8
    created: list[str] = []
    failures: list[str] = []

    async def writer(index: int) -> None:
        url = processes.url("intake" if index % 2 else "intake#2")
        async with httpx.AsyncClient(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30
        ) as client:
            for n in range(per_writer):
                response = await client.post(
                    "/api/v1/initiatives",
                    json={
                        "agency_code": agencies[(index * per_writer + n) % len(agencies)],
                        "campaign_year": year,
                        "kind": "solution",
                        "title": f"Giải pháp người ghi {index} số {n} ({uuid.uuid4().hex[:6]})",
                        "summary": "Tám người ghi cùng lúc vào một hộp thư đi.",
                        "par_area": "digital_government",
                        "applied_since": "2022-01-01",
                        "results": "Rút ngắn thời gian xử lý.",
                        "limitations": "",
                    },
                )
                if response.status_code == 201:
                    created.append(response.json()["initiative_id"])
                else:
                    failures.append(f"{response.status_code} {response.text[:200]}")

    started = time.monotonic()
    try:
        await asyncio.gather(*(writer(i) for i in range(writers)))
        written_s = time.monotonic() - started
        expected = writers * per_writer
        state: dict[str, Any] = {}

        async def complete() -> bool:
            counts, duplicates = await fault_stack.effects(created)
            state.update(counts=counts, duplicates=duplicates)
            return all(n == expected for n in counts.values())

        await wait_until(complete, 90)
        settled_s = time.monotonic() - started
        await asyncio.sleep(1.0)
        await complete()
    finally:
        await asyncio.to_thread(processes.stop, "intake#2")
    observer = fault_stack.observer
    copies = [
        observer.copies[e] for i in created for e in observer.event_ids_by_initiative.get(i, ())
    ]
    second_events = sum(
        max(0, len(observer.event_ids_by_initiative.get(i, ())) - 1) for i in created
    )
    counts = state.get("counts", {})
    report = CaseReport(
        case="eight-writers-one-outbox",
        published=len(created),
        received=counts.get("reporting", 0),
        effects=counts,
        lost=expected - min([len(created), *counts.values()]),
        duplicate_effects=state.get("duplicates", 0) + second_events,
        republished=sum(copies) - len(copies),
        parked=0,
        expected_parked=0,
        recovery_s=0.0,
        notes={
            "writers": writers,
            "write_s": round(written_s, 1),
            "all_effects_s": round(settled_s, 1),
            "consumers_resumed": True,
        },
    )
    REPORTS.append(report)
    print(report.line())
    assert not failures, failures[:3]
    assert_clean(report)
    assert report.republished == 0, report.line()  # two relays, one outbox: no double sends
