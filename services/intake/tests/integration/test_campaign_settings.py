"""A campaign's settings over the real HTTP entrypoint and broker (SQLite and PostgreSQL):
refused with the field at fault in Vietnamese, stored, and announced as a contract-valid
campaign.settings_changed.v1 at every change, with the next version."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import aio_pika
import httpx
import pytest
from fastapi import FastAPI

from ..conftest import EventTap, bearer
from ..schemas import assert_contract_valid

pytestmark = pytest.mark.integration

ADMIN = bearer("admin")
KEY = "campaign.settings_changed.v1"
CAMPAIGN = {
    "year": 2031,
    "submission_opens_on": "2031-01-01",
    "submission_closes_on": "2031-05-31",
    "survey_starts_on": "2031-06-01",
    "survey_ends_on": "2031-10-31",
}


@pytest.fixture
async def campaign_tap(amqp_url: str, app: FastAPI) -> AsyncIterator[EventTap]:
    connection = await aio_pika.connect(amqp_url)
    channel = await connection.channel()
    queue = await channel.declare_queue("", exclusive=True)
    await queue.bind("cchc.events", routing_key="campaign.#")
    found = EventTap()

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        found.messages.append(message)
        await message.ack()

    await queue.consume(on_message)
    yield found
    await connection.close()


def faults(answer: httpx.Response) -> dict[str, str]:
    return {d["field"]: d["message"] for d in answer.json()["detail"]}


async def test_a_bad_plan_is_refused_naming_the_field_in_vietnamese(
    client: httpx.AsyncClient,
) -> None:
    answer = await client.post(
        "/api/v1/campaigns",
        json={**CAMPAIGN, "plan_number": "KH 1582", "plan_signed_on": "2031-06-02"},
        headers=ADMIN,
    )
    assert answer.status_code == 422, answer.text
    found = faults(answer)
    assert "không đúng dạng" in found["plan_number"] and "1582/KH-SNV" in found["plan_number"]
    assert found["plan_signed_on"] == (
        "Ngày ban hành Kế hoạch (02/06/2031) không được sau ngày bắt đầu khảo sát (01/06/2031)"
    )
    alone = await client.patch(
        "/api/v1/campaigns/2023", json={"plan_number": "1582/KH-SNV"}, headers=ADMIN
    )
    assert alone.status_code == 422 and set(faults(alone)) == {"plan_signed_on"}
    staff = await client.patch(
        "/api/v1/campaigns/2023", json={"secretary_scores": True}, headers=bearer("secretariat")
    )
    assert staff.status_code == 403


async def test_each_state_of_a_campaign_is_announced_with_the_next_version(
    client: httpx.AsyncClient, campaign_tap: EventTap
) -> None:
    opened = await client.post(
        "/api/v1/campaigns",
        json={**CAMPAIGN, "plan_number": "97/KH-SNV", "plan_signed_on": "2031-03-04"},
        headers=ADMIN,
    )
    assert opened.status_code == 201, opened.text
    assert (opened.json()["version"], opened.json()["secretary_scores"]) == (1, False)
    changed = await client.patch(
        "/api/v1/campaigns/2031", json={"secretary_scores": True}, headers=ADMIN
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["version"] == 2 and changed.json()["plan_number"] == "97/KH-SNV"
    same = await client.patch(
        "/api/v1/campaigns/2031", json={"secretary_scores": True}, headers=ADMIN
    )
    assert same.json()["version"] == 2  # nothing changed, nothing announced

    events: list[dict[str, Any]] = [
        e for e in await campaign_tap.wait(KEY, 2) if e["subject"] == "2031"
    ]
    for event in events:
        assert_contract_valid(event, KEY)
        assert event["source"] == "/cchc/intake"
        assert event["type"] == "vn.hcmc.cchc.campaign.settings_changed.v1"
    assert [(e["data"]["version"], e["data"]["secretary_scores"]) for e in events] == [
        (1, False),
        (2, True),
    ]
    assert events[1]["data"]["plan_number"] == "97/KH-SNV"
    assert events[1]["data"]["plan_signed_on"] == "2031-03-04"
    history = await client.get("/api/v1/campaigns/2031/history", headers=bearer("secretariat"))
    assert [h["action"] for h in history.json()] == ["opened", "changed"]
    assert json.dumps(history.json()[-1]["snapshot"], ensure_ascii=False).count("97/KH-SNV") == 1
