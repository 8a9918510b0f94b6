"""Initiatives from other platforms on cchc.inbound: validated at the edge, taken once,
refused with a reason and parked when invalid."""

from __future__ import annotations

import asyncio
import random
import uuid

import httpx
import pytest

from cchc_tools.dlq import list_parked, replay_parked

from ..conftest import EventTap, bearer, wait_for
from ..inbound_messages import (
    PLATFORM,
    amqp_message,
    cloud_event,
    inbound_data,
    malformed_messages,
    publish_inbound,
)
from ..schemas import assert_contract_valid

pytestmark = pytest.mark.integration

STAFF = bearer("secretariat")


async def total_initiatives(client: httpx.AsyncClient) -> int:
    answer = await client.get("/api/v1/initiatives?page_size=1", headers=STAFF)
    assert answer.status_code == 200, answer.text
    return int(answer.json()["total"])


async def test_a_thousand_messages_with_duplicates_and_malformed_ones(
    client: httpx.AsyncClient, tap: EventTap, amqp_url: str
) -> None:
    valid = [cloud_event(inbound_data(n)) for n in range(930)]
    malformed = malformed_messages()
    messages = [amqp_message(body) for body in valid]
    messages += [amqp_message(body) for body in random.Random(7).sample(valid, 50)]
    messages += list(malformed.values())
    random.Random(3).shuffle(messages)
    assert len(messages) == 1000

    await publish_inbound(amqp_url, messages)

    submitted = await tap.wait("initiative.submitted.v1", 930, timeout=180)
    rejected = await tap.wait("initiative.rejected.v1", 20, timeout=60)
    await asyncio.sleep(1.5)  # anything extra would arrive now
    assert len(tap.of_type("initiative.submitted.v1")) == 930
    assert len(tap.of_type("initiative.rejected.v1")) == 20
    assert await total_initiatives(client) == 930

    assert {e["data"]["title"] for e in submitted} == {b["data"]["title"] for b in valid}
    for event in submitted[:50]:
        assert_contract_valid(event, "initiative.submitted.v1")

    by_origin = {e["data"]["origin_id"]: e for e in rejected}
    assert set(by_origin) == set(malformed)
    for event in rejected:
        assert_contract_valid(event, "initiative.rejected.v1")
        assert event["subject"] == event["data"]["origin_id"]
    faults = {name: {err["field"] for err in e["data"]["errors"]} for name, e in by_origin.items()}
    assert faults["not-json"] == {""}
    assert faults["no-specversion"] == {"$.specversion"}
    assert faults["unknown-type"] == {"$.type"}
    assert faults["missing-title"] == {"$.data.title"}
    # Each names the campaign its message named, when that could be read.
    assert by_origin["missing-title"]["data"]["campaign_year"] == valid[0]["data"]["campaign_year"]
    assert by_origin["no-such-campaign"]["data"]["campaign_year"] == 2019
    assert by_origin["not-json"]["data"]["campaign_year"] is None
    assert faults["missing-title-unknown-agency"] == {"$.data.title", "$.data.agency_code"}
    assert faults["unknown-ward"] == {"$.data.agency_code"}
    assert faults["impossible-date"] == {"$.data.applied_since"}
    assert faults["future-applied-since"] == {"$.data.applied_since"}
    assert faults["future-submitted-at"] >= {"$.data.submitted_at"}
    assert faults["nul-in-title"] == {"$.data.title"}
    assert faults["no-such-campaign"] == {"$.data.campaign_year"}
    assert by_origin["unknown-type"]["data"]["origin_source"] == PLATFORM
    unknown = by_origin["unknown-department"]["data"]["errors"][0]["message"]
    assert "SXYZ" in unknown and "không có trong danh mục" in unknown

    parked = await list_parked(amqp_url, ["intake.inbound"])
    assert sorted(p.message_id for p in parked) == sorted(malformed)
    assert all(p.reason for p in parked)


async def test_a_refused_message_is_answered_once_however_often_it_comes(
    client: httpx.AsyncClient, tap: EventTap, amqp_url: str
) -> None:
    body = cloud_event(inbound_data(1, agency_code="99999"))
    await publish_inbound(amqp_url, [amqp_message(body), amqp_message(body)])

    async def both_parked() -> bool:
        return len(await list_parked(amqp_url, ["intake.inbound"])) == 2

    await wait_for(both_parked, 20, "two parked copies")
    await asyncio.sleep(1.0)
    assert len(tap.of_type("initiative.rejected.v1")) == 1

    replayed = await replay_parked(amqp_url, ["intake.inbound"])
    assert len(replayed) == 2
    await wait_for(both_parked, 20, "the replayed copies parked again")
    await asyncio.sleep(1.0)
    assert len(tap.of_type("initiative.rejected.v1")) == 1
    assert await total_initiatives(client) == 0


async def test_a_parked_message_replayed_after_the_fault_is_fixed_is_taken(
    client: httpx.AsyncClient, tap: EventTap, amqp_url: str
) -> None:
    """An initiative for a campaign the admin has not opened yet is refused; once the
    admin opens it, `cchc dlq replay` brings it in."""
    body = cloud_event(inbound_data(1, campaign_year=2031))
    await publish_inbound(amqp_url, [amqp_message(body)])
    [rejection] = await tap.wait("initiative.rejected.v1", 1)
    assert rejection["data"]["errors"][0]["field"] == "$.data.campaign_year"

    opened = await client.post(
        "/api/v1/campaigns",
        json={
            "year": 2031,
            "submission_opens_on": "2020-01-01",
            "submission_closes_on": "2031-12-31",
            "survey_starts_on": "2031-06-01",
            "survey_ends_on": "2031-10-31",
        },
        headers=bearer("admin"),
    )
    assert opened.status_code == 201, opened.text

    async def parked() -> bool:
        return len(await list_parked(amqp_url, ["intake.inbound"])) == 1

    await wait_for(parked, 20, "the parked message")
    assert len(await replay_parked(amqp_url, ["intake.inbound"])) == 1
    [event] = await tap.wait("initiative.submitted.v1", 1)
    assert event["data"]["campaign_year"] == 2031
    found = await client.get(f"/api/v1/initiatives/{event['subject']}", headers=STAFF)
    assert found.json()["origin"] == {"source": PLATFORM, "id": body["id"]}


async def test_binary_mode_cloudevents_are_accepted(
    client: httpx.AsyncClient, tap: EventTap, amqp_url: str
) -> None:
    import json

    import aio_pika

    event_id = str(uuid.uuid4())
    message = aio_pika.Message(
        json.dumps(inbound_data(5)).encode(),
        content_type="application/json",
        message_id=event_id,
        headers={
            "cloudEvents:specversion": "1.0",
            "cloudEvents:id": event_id,
            "cloudEvents:source": PLATFORM,
            "cloudEvents:type": "vn.hcmc.cchc.initiative.submitted.v1",
        },
    )
    await publish_inbound(amqp_url, [message])
    [event] = await tap.wait("initiative.submitted.v1", 1)
    assert event["data"]["title"] == inbound_data(5)["title"]
