"""One visibility policy: for the same initiative, the evaluation service and reporting answer
the agency whose initiative it is alike. Before the decision: its status, and no evaluator id,
score or comment. After it: the same outcome and pooled findings, still no evaluator id.

Both services are the suite's (real composition roots, a vhost each). The initiative and its
round are published to both; the events the evaluation service itself publishes (its
evaluations, its decision) are carried, byte for byte, to reporting's vhost."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import aio_pika
import httpx
import pytest

from cchc_shared.contracts.events import TeamMember
from cchc_testkit.bus import publish_as_services
from cchc_testkit.waiting import eventually

from .conftest import (
    OTHER_AGENCY,
    OWN_AGENCY,
    Booted,
    bearer,
    persistent,
    until_round_known,
    visited_initiative,
)
from .figures import count

pytestmark = pytest.mark.integration

AREA = "visibility"
OWNER = bearer("agency_submitter", agency=OWN_AGENCY)
STRANGER = bearer("agency_submitter", agency=OTHER_AGENCY)
STAFF = bearer("secretariat")
ADMIN = bearer("admin")
TEAM = ("vis-head-01", "vis-member-02")
STRENGTHS = "Quy trình công khai, minh bạch; người dân được hướng dẫn một lần."
LIMITATIONS = "Phụ thuộc vào nhân sự bộ phận một cửa."
DIFFICULTIES = "Phần mềm chưa kết nối cơ sở dữ liệu quốc gia về dân cư."
COMMENTS = (STRENGTHS, LIMITATIONS, DIFFICULTIES)


class Carrier:
    """Takes what the evaluation service publishes on its vhost and publishes it, unchanged,
    on reporting's, the way the one shared broker would deliver it."""

    def __init__(self, queue: aio_pika.abc.AbstractQueue, target: aio_pika.abc.AbstractExchange):
        self._queue = queue
        self._target = target

    async def carry(self, routing_key: str, n: int = 1, timeout: float = 30.0) -> None:
        carried = 0
        deadline = asyncio.get_running_loop().time() + timeout
        while carried < n:
            if asyncio.get_running_loop().time() > deadline:
                raise AssertionError(f"the evaluation service never published {routing_key}")
            incoming = await self._queue.get(fail=False)
            if incoming is None:
                await asyncio.sleep(0.1)
                continue
            await self._target.publish(
                persistent(incoming.body, incoming.message_id or "", incoming.content_type),
                routing_key=incoming.routing_key or "",
            )
            await incoming.ack()
            carried += incoming.routing_key == routing_key


@asynccontextmanager
async def carrier(source_url: str, target_url: str) -> AsyncIterator[Carrier]:
    source = await aio_pika.connect(source_url)
    target = await aio_pika.connect(target_url)
    try:
        channel = await source.channel()
        queue = await channel.declare_queue(exclusive=True)
        events = await channel.get_exchange("cchc.events")
        for key in ("evaluation.#", "selection.#", "replication.#"):
            await queue.bind(events, routing_key=key)
        out = await target.channel(publisher_confirms=True)
        yield Carrier(queue, await out.get_exchange("cchc.events"))
    finally:
        await source.close()
        await target.close()


async def _logged(client: httpx.AsyncClient) -> int:
    response = await client.get("/api/v1/admin/log", headers=ADMIN)
    assert response.status_code == 200, response.text
    return int(response.json()["events"])


async def _until_logged(client: httpx.AsyncClient, events: int) -> None:
    async def logged() -> bool:
        return await _logged(client) >= events

    await eventually(logged, f"reporting never logged {events} events")


def _withheld(answer: httpx.Response, *, comments: bool) -> None:
    """No evaluator id in the answer, and (before the decision) no comment either."""
    assert answer.status_code == 200, answer.text
    for member in TEAM:
        assert member not in answer.text, (str(answer.url), member)
    count(AREA, "answers checked")
    if comments:
        for text in COMMENTS:
            assert text not in answer.text, (str(answer.url), text)


async def test_evaluation_and_reporting_show_the_agency_the_same(
    booted: dict[str, Booted],
) -> None:
    evaluation, reporting = booted["evaluation"], booted["reporting"]
    team = [
        TeamMember(member_id=TEAM[0], name="Ngô Thị Hoàng", role="head", agency_code="SNV"),
        TeamMember(member_id=TEAM[1], name="Trần Văn Ơn", role="member", agency_code="STP"),
    ]
    initiative, visit, planned = visited_initiative(
        "Mô hình “Một lần đến, một lần xong”", team, sequence=7
    )
    year = initiative.campaign_year
    iid = initiative.initiative_id
    results_url = f"/api/v1/initiatives/{iid}/results"
    report_url = f"/api/v1/campaigns/{year}/initiatives/{iid}"
    card_url = f"/api/v1/campaigns/{year}/agencies/{OWN_AGENCY}"

    async def shown_to_owner(*, comments: bool) -> tuple[dict[str, Any], ...]:
        """The agency's answers from evaluation, reporting and its scorecard, each checked
        by :func:`_withheld`."""
        answers = (
            await evaluation.client.get(results_url, headers=OWNER),
            await reporting.client.get(report_url, headers=OWNER),
            await reporting.client.get(card_url, headers=OWNER),
        )
        for answer in answers:
            _withheld(answer, comments=comments)
        return tuple(answer.json() for answer in answers)

    async with carrier(evaluation.amqp_url, reporting.amqp_url) as carried:
        start = await _logged(reporting.client)
        await publish_as_services(evaluation.amqp_url, initiative, planned)
        await publish_as_services(reporting.amqp_url, initiative, planned)
        await until_round_known(evaluation.client, planned.round_id)

        criteria = ("novelty", "applicability", "effectiveness", "satisfaction", "replicability")
        for member, points in zip(TEAM, ((12, 12, 20, 20, 16), (11, 12, 19, 21, 15)), strict=True):
            recorded = await evaluation.client.post(
                "/api/v1/evaluations",
                json={
                    "visit_id": str(visit.visit_id),
                    "scores": [
                        {"criterion": c, "score": s} for c, s in zip(criteria, points, strict=True)
                    ],
                    "strengths": STRENGTHS,
                    "limitations": LIMITATIONS,
                    "difficulties": DIFFICULTIES,
                    "recommendation": "improve",
                },
                headers=bearer("surveyor", member=member),
            )
            assert recorded.status_code == 201, recorded.text
        await carried.carry("evaluation.recorded.v1", 2)
        await _until_logged(reporting.client, start + 4)

        # Before the decision: the status, alike; nothing of the evaluations.
        e, r, card = await shown_to_owner(comments=True)
        assert e["disclosure"] == r["disclosure"] == "status"
        assert e["outcome"] is None and r["outcome"] is None
        assert e["aggregate"] is None and e["evaluations"] is None and e["decision"] is None
        assert r["scores"] is None and r["evaluations"] == [] and r["decision"] is None
        assert r["status"] == "evaluated" and e["initiative"]["status"] == "submitted"
        assert card["mean_score"] is None and card["best_score"] is None
        assert card["evaluations"] == 0 and card["surveyed"] == 1
        count(AREA, "withheld before the decision", 3)

        # The staff see the sheets, in both services.
        staff_e = (await evaluation.client.get(results_url, headers=STAFF)).json()
        staff_r = (await reporting.client.get(report_url, headers=STAFF)).json()
        assert {x["evaluator_id"] for x in staff_e["evaluations"]} == set(TEAM)
        assert {x["evaluator_id"] for x in staff_r["evaluations"]} == set(TEAM)

        decided = await evaluation.client.post(
            f"/api/v1/initiatives/{iid}/decision",
            json={
                "decision": "improve",
                "rationale": "Cần liên thông dữ liệu trước khi nhân rộng.",
            },
            headers=STAFF,
        )
        assert decided.status_code == 201, decided.text
        await carried.carry("selection.decided.v1")
        await _until_logged(reporting.client, start + 5)

        # After it: the same outcome and findings in both, still no evaluator.
        e, r, card = await shown_to_owner(comments=False)
        assert e["disclosure"] == r["disclosure"] == "outcome"
        assert e["outcome"] == r["outcome"]
        outcome = e["outcome"]
        assert outcome["decision"] == "improve"
        assert outcome["final_score"] == decided.json()["final_score"]
        assert outcome["evaluation_count"] == 2
        assert (outcome["strengths"], outcome["limitations"], outcome["difficulties"]) == (
            [STRENGTHS],
            [LIMITATIONS],
            [DIFFICULTIES],
        )
        assert e["evaluations"] is None and r["evaluations"] == []
        assert e["aggregate"] is None and r["scores"] is None
        assert card["mean_score"] is not None
        count(AREA, "same outcome in both services")

        # Another agency: absent in both, before as after.
        for client, url in ((evaluation.client, results_url), (reporting.client, report_url)):
            refused = await client.get(url, headers=STRANGER)
            assert refused.status_code == 404, refused.text
            count(AREA, "another agency refused 404")
