"""End to end: the four services as separate OS processes against the real RabbitMQ (a fresh
virtual host) and PostgreSQL (a fresh database each), the demo campaign played through their
public APIs, and an outside subscriber on ``cchc.events`` that must receive every
recommendation."""

from __future__ import annotations

import asyncio
import json
import re
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack
from pathlib import Path
from typing import Any

import aio_pika
import docx
import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.clock import CLOCK_FILE_ENV
from cchc_shared.reference import get_agency, load_agencies
from cchc_testkit.infra import fresh_service_databases
from cchc_testkit.processes import ServiceProcesses
from cchc_tools.demo import SERVICES, DemoSettings, invalid_messages, run_demo
from cchc_tools.demo.settings import SURVEY_PLAN_NUMBER, SURVEY_PLAN_SIGNED_ON

from .document_checks import check_all, no_secretary_scored

pytestmark = [pytest.mark.integration, pytest.mark.timeout(420)]

# Every process of the test signs and verifies with this secret (not the development one).
SECRET = "e2e-test-secret-" + "x" * 40
HEAD_ASSIGNMENT = (
    "Quyết định số 1650/QĐ-SNV ngày 19 tháng 5 năm 2023 của Giám đốc Sở Nội vụ về phân công "
    "Trưởng đoàn khảo sát"
)


def _any_agency():  # type: ignore[no-untyped-def]
    return next(iter(load_agencies().values()))


@pytest.fixture
async def stack(
    amqp_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[ServiceProcesses]:
    async with AsyncExitStack() as exits:
        databases = await exits.enter_async_context(fresh_service_databases(SERVICES, "cchc_e2e"))
        running = ServiceProcesses(
            amqp_url,
            databases,
            tmp_path / "var",
            auth_secret=SECRET,
            extra_env={
                "CCHC_SCHEDULING_PLANNER_TIME_LIMIT": "5",
                # The campaign's calendar: the demo moves this clock from phase to phase.
                CLOCK_FILE_ENV: str(tmp_path / "campaign-clock"),
                # The Director's assignment of the heads the plan does not name. The plan's
                # own number and date are the campaign's (the demo sets them in intake): no
                # service setting of them here.
                "CCHC_SCHEDULING_HEAD_ASSIGNMENT": HEAD_ASSIGNMENT,
            },
        )
        try:
            await asyncio.to_thread(running.start_all, SERVICES)
            yield running
        finally:
            running.stop()
            call = getattr(request.node, "rep_call", None)
            if call is None or call.failed:
                print(running.dump_logs(), file=sys.stderr)


async def test_demo_campaign_end_to_end(stack: ServiceProcesses, tmp_path: Path) -> None:
    # An outside subscriber binds its own queue to cchc.events before anything happens.
    connection = await aio_pika.connect_robust(stack.amqp_url)
    received: dict[str, dict[str, Any]] = {}
    try:
        channel = await connection.channel()
        events = await channel.declare_exchange(
            "cchc.events", aio_pika.ExchangeType.TOPIC, durable=True
        )
        queue = await channel.declare_queue(
            "e2e-subscriber.replication.recommended.v1",
            durable=True,
            arguments={"x-queue-type": "quorum"},
        )
        await queue.bind(events, routing_key="replication.recommended.v1")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                event = json.loads(message.body)
                received[f"{event['source']} {event['id']}"] = event

        await queue.consume(on_message)

        rejected: dict[str, dict[str, Any]] = {}
        rejections = await channel.declare_queue(
            "e2e-subscriber.initiative.rejected.v1", durable=True
        )
        await rejections.bind(events, routing_key="initiative.rejected.v1")

        async def on_rejection(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                event = json.loads(message.body)
                rejected[event["data"]["origin_id"]] = event

        await rejections.consume(on_rejection)

        out = tmp_path / "out"
        settings = DemoSettings(
            urls=stack.urls,
            amqp_url=stack.amqp_url,
            out=out,
            auth=AuthSettings(secret=SECRET),
            progress=False,
            wait_timeout=150,
            clock_file=tmp_path / "campaign-clock",
        )
        started = time.monotonic()
        summary = await run_demo(settings)
        print("\n".join(summary.lines()))
        print(f"demo took {time.monotonic() - started:.1f} s")

        # What the evaluation service reports as recommended...
        token = issue_token(AuthSettings(secret=SECRET), "secretariat")
        async with httpx.AsyncClient(
            headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as client:
            ranking = (
                await client.get(stack.urls["evaluation"] + "/api/v1/campaigns/2023/ranking")
            ).json()
            dashboard = (
                await client.get(stack.urls["reporting"] + "/api/v1/campaigns/2023/dashboard")
            ).json()
            trails = await _trails(client, stack.urls, ranking)
            teams, evaluations = await _evaluators(client, stack.urls["reporting"])
            ranking_csv = (
                await client.get(
                    stack.urls["reporting"] + "/api/v1/campaigns/2023/exports/ranking.csv"
                )
            ).content.decode("utf-8-sig")
        recommended = {
            i["initiative_id"]
            for i in ranking["items"]
            if i["decision"] and i["decision"]["decision"] == "replicate"
        }
        assert recommended, "the demo recommended nothing"
        assert recommended == set(summary.recommended_ids)
        _assert_who_acted(trails)

        # ...reached the outside subscriber, each once, none lost.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            got = {e["data"]["initiative_id"] for e in received.values()}
            if got >= recommended:
                break
            await asyncio.sleep(0.5)
        invalid_ids = {i for i, _ in invalid_messages(settings.seed, _any_agency())}
        while time.monotonic() < deadline:
            if set(rejected) >= invalid_ids:
                break
            await asyncio.sleep(0.5)
        got_ids = [e["data"]["initiative_id"] for e in received.values()]
        assert set(got_ids) == recommended
        assert len(got_ids) == len(set(got_ids))
        for event in received.values():
            assert event["type"] == "vn.hcmc.cchc.replication.recommended.v1"
            assert event["data"]["campaign_year"] == 2023
    finally:
        await connection.close()

    # The campaign is the size asked for, and reporting agrees with the demo's counts.
    assert summary.initiatives == 150
    assert summary.submitted_http + summary.submitted_http_existing == 150 - 24
    assert summary.rounds >= 2 and summary.visits == 150
    assert summary.evaluations >= 3 * 150
    assert dashboard["initiatives_active"] == summary.initiatives
    assert dashboard["rounds_confirmed"] == summary.rounds
    assert dashboard["visits_planned"] == summary.visits
    assert dashboard["evaluations"] == summary.evaluations
    assert dashboard["recommended"] == summary.recommended
    # Every invalid inbound message was rejected, once, with its faults named.
    assert summary.invalid_inbound == 4
    # Reporting counts each in the campaign its message named (2023); the one that is not
    # JSON names none and counts in the year it arrived, 2023 on the campaign's clock.
    assert summary.rejected == 4
    assert set(rejected) == set(invalid_ids)
    assert all(e["data"]["errors"] for e in rejected.values())
    # The mail the campaign would send (the notifications service's outbox, as the demo
    # counted it): every role was written to, nothing was refused, and every confirmed round
    # has the time from its confirmation to its last message.
    mail = json.loads((out / "mail-summary.json").read_text(encoding="utf-8"))
    assert set(mail["by_role"]) == {"agency", "head", "member", "secretary"}, mail
    assert all(count > 0 for count in mail["by_role"].values()), mail
    assert mail["refused"] == 0, mail
    assert len(mail["round_seconds"]) == summary.rounds, mail

    # A second run against the same system adds nothing and agrees with the first.
    again = await run_demo(
        DemoSettings(
            urls=stack.urls,
            amqp_url=stack.amqp_url,
            auth=AuthSettings(secret=SECRET),
            progress=False,
            wait_timeout=60,
            clock_file=tmp_path / "campaign-clock",
        )
    )
    print("\n".join(again.lines()))
    assert again.submitted_http == 0 and again.submitted_http_existing == 150 - 24
    assert (again.initiatives, again.rounds, again.visits) == (150, summary.rounds, 150)
    assert (again.evaluations, again.recommended) == (summary.evaluations, summary.recommended)

    # The documents exist and are real documents.
    files = [Path(f) for f in summary.files]
    assert all(f.exists() for f in files)
    pdfs = [f for f in files if f.suffix == ".pdf"]
    docxs = [f for f in files if f.suffix == ".docx"]
    assert pdfs and docxs
    for pdf in pdfs:
        content = pdf.read_bytes()
        assert content.startswith(b"%PDF") and len(content) > 2000, pdf
    for path in docxs:
        document = docx.Document(str(path))
        text = "\n".join(p.text for p in document.paragraphs)
        assert len(text) > 200 or document.tables, path
    for name in ("survey-report", "proposal", "par-index-annex"):
        for fmt in ("docx", "pdf"):
            assert (out / f"2023-{name}.{fmt}").stat().st_size > 2000

    # What a clerk checks before signing, read from the PDFs' text: one check per class.
    faults = check_all(out, summary.recommended, SURVEY_PLAN_NUMBER, SURVEY_PLAN_SIGNED_ON)
    faults["no_secretary_scored"] = no_secretary_scored(teams, evaluations)
    assert faults == {name: [] for name in faults}, {k: v[:5] for k, v in faults.items() if v}
    assert len(evaluations) == summary.evaluations
    # Exports write numbers as the documents do.
    assert re.search(r'"\d+,\d{2}"', ranking_csv) and not re.search(r",\d+\.\d{2},", ranking_csv)


async def _evaluators(
    client: httpx.AsyncClient, reporting: str
) -> tuple[dict[str, dict[str, str]], list[tuple[str, str]]]:
    """Each round's team (member id → role) and every evaluation (round id, evaluator id), as
    the reporting service holds them."""
    api = f"{reporting}/api/v1/campaigns/2023"
    rounds = (await client.get(f"{api}/rounds")).json()
    teams = {r["round_id"]: {m["member_id"]: m["role"] for m in r["team"]} for r in rounds}
    listed = (await client.get(f"{api}/initiatives?page_size=500")).json()["items"]

    async def of(initiative_id: str) -> list[tuple[str, str]]:
        detail = (await client.get(f"{api}/initiatives/{initiative_id}")).json()
        return [(e["round_id"], e["evaluator_id"]) for e in detail["evaluations"]]

    found = await asyncio.gather(*(of(i["initiative_id"]) for i in listed))
    return teams, [pair for pairs in found for pair in pairs]


async def _trails(
    client: httpx.AsyncClient, urls: dict[str, str], ranking: dict[str, Any]
) -> dict[str, list[dict[str, Any]]]:
    """The audit trails of one decided initiative and one round, through the HTTP APIs."""
    decided = next(i for i in ranking["items"] if i["decision"])
    initiative_id = decided["initiative_id"]
    rounds = (await client.get(urls["scheduling"] + "/api/v1/rounds?campaign_year=2023")).json()
    confirmed = next(r for r in rounds if r["status"] == "confirmed")
    paths = {
        "intake": f"{urls['intake']}/api/v1/initiatives/{initiative_id}/history",
        "evaluation": f"{urls['evaluation']}/api/v1/initiatives/{initiative_id}/history",
        "scheduling": f"{urls['scheduling']}/api/v1/rounds/{confirmed['round_id']}/history",
        "campaign": f"{urls['intake']}/api/v1/campaigns/2023/history",
    }
    trails = {}
    for name, url in paths.items():
        response = await client.get(url)
        assert response.status_code == 200, (url, response.text)
        trails[name] = response.json()
    return trails


def _assert_who_acted(trails: dict[str, list[dict[str, Any]]]) -> None:
    """Each write names the person by subject and display name (a platform by its source)."""
    staff = ("secretariat", "Chuyên viên Phòng Cải cách hành chính")
    [submitted, *_] = trails["intake"]
    assert submitted["entity"] == "initiative" and submitted["action"] == "submitted"
    agency = submitted["snapshot"]["agency_code"]
    # the agency's own staff, the secretariat on its behalf, or a platform over the bus
    assert (submitted["actor"], submitted["actor_name"]) in (
        (f"agency_submitter:{agency}", f"Cán bộ {get_agency(agency).name}"),  # type: ignore[union-attr]
        staff,
        (submitted["snapshot"]["submitted_by"], None),
    )
    assert submitted["actor"] == submitted["snapshot"]["submitted_by"]
    decisions = [e for e in trails["evaluation"] if e["entity"] == "decision"]
    assert [d["action"] for d in decisions] in (["decided"], ["decided_with_override"])
    assert (decisions[0]["actor"], decisions[0]["actor_name"]) == staff
    actions = [e["action"] for e in trails["scheduling"]]
    assert actions[0] in ("drafted", "drafted_from_plan") and "confirmed" in actions
    assert {(e["actor"], e["actor_name"]) for e in trails["scheduling"]} == {staff}
    assert trails["scheduling"][-1]["snapshot"]["status"] == "confirmed"
    opened = trails["campaign"][0]
    assert (opened["action"], opened["actor"]) == ("opened", "system:reference-data")
