"""A refused inbound message replayed from the copy intake kept, over the real broker and
database: refused while the cause stands, taken in once the cause is fixed, exactly once
however often (and however concurrently) the replay is asked for, with the publishing
platform as its author; staff only."""

from __future__ import annotations

import asyncio
import json
import uuid

import aio_pika
import httpx
import pytest

from cchc_shared.messaging.trust import broker_user

from ..conftest import EventTap, bearer, token
from ..inbound_messages import PLATFORM, amqp_message, cloud_event, inbound_data, publish_inbound

pytestmark = pytest.mark.integration

STAFF = bearer("secretariat")
YEAR = 2031


async def _rejections(client: httpx.AsyncClient, year: int = YEAR) -> list[dict[str, object]]:
    answer = await client.get(f"/api/v1/inbound/rejections?campaign_year={year}", headers=STAFF)
    assert answer.status_code == 200, answer.text
    found: list[dict[str, object]] = answer.json()
    return found


async def _replay(client: httpx.AsyncClient, rejection_id: object) -> dict[str, object]:
    answer = await client.post(f"/api/v1/inbound/rejections/{rejection_id}/replay", headers=STAFF)
    assert answer.status_code == 200, answer.text
    replayed: dict[str, object] = answer.json()
    return replayed


async def _open_campaign(client: httpx.AsyncClient) -> None:
    """The cause fixed: the admin opens the campaign the refused message named."""
    opened = await client.post(
        "/api/v1/campaigns",
        json={
            "year": YEAR,
            "submission_opens_on": "2020-01-01",
            "submission_closes_on": f"{YEAR}-12-31",
            "survey_starts_on": f"{YEAR}-06-01",
            "survey_ends_on": f"{YEAR}-10-31",
        },
        headers=bearer("admin"),
    )
    assert opened.status_code == 201, opened.text


async def test_a_refused_message_is_replayed_once_the_campaign_opens(
    client: httpx.AsyncClient, tap: EventTap, amqp_url: str
) -> None:
    body = cloud_event(inbound_data(3, campaign_year=YEAR))
    sent = amqp_message(body)
    # As a platform publishes: its own broker user, which the broker checks.
    signed = aio_pika.Message(
        sent.body,
        message_id=sent.message_id,
        content_type=sent.content_type,
        delivery_mode=sent.delivery_mode,
        user_id=broker_user(amqp_url),
    )
    await publish_inbound(amqp_url, [signed])
    [rejection] = await tap.wait("initiative.rejected.v1", 1)

    [kept] = await _rejections(client)
    assert kept["rejection_id"] == rejection["id"]
    assert (kept["origin_source"], kept["origin_id"]) == (PLATFORM, body["id"])
    assert kept["status"] == "rejected" and kept["initiative_id"] is None
    assert kept["published_by"] == broker_user(amqp_url)  # as the broker verified it
    assert [e["field"] for e in kept["errors"]] == ["$.data.campaign_year"]  # type: ignore[attr-defined]
    assert await _rejections(client, YEAR + 1) == []

    # The cause still stands: refused again, with the reason, and no second InitiativeRejected.
    again = await _replay(client, kept["rejection_id"])
    assert again["status"] == "rejected" and again["replays"] == 1
    assert again["replayed_by"] and again["errors"] == kept["errors"]
    await asyncio.sleep(1.0)
    assert len(tap.of_type("initiative.rejected.v1")) == 1
    assert tap.of_type("initiative.submitted.v1") == []

    await _open_campaign(client)

    # Asked for twice at once, and once more: one initiative, one InitiativeSubmitted.
    first, second = await asyncio.gather(
        _replay(client, kept["rejection_id"]), _replay(client, kept["rejection_id"])
    )
    third = await _replay(client, kept["rejection_id"])
    for answer in (first, second, third):
        assert answer["status"] == "accepted" and answer["errors"] == []
    assert first["initiative_id"] == second["initiative_id"] == third["initiative_id"]
    assert third["replays"] == 4
    [submitted] = await tap.wait("initiative.submitted.v1", 1)
    await asyncio.sleep(1.5)  # a second one would arrive now
    assert len(tap.of_type("initiative.submitted.v1")) == 1
    assert submitted["subject"] == first["initiative_id"]

    found = await client.get(f"/api/v1/initiatives/{first['initiative_id']}", headers=STAFF)
    assert found.status_code == 200, found.text
    initiative = found.json()
    # The platform is the author, never the person who asked for the replay.
    assert initiative["origin"] == {"source": PLATFORM, "id": body["id"]}
    assert initiative["submitted_by"] == f"platform:{PLATFORM}"
    listed = await client.get("/api/v1/initiatives?page_size=5", headers=STAFF)
    assert listed.json()["total"] == 1
    [shown] = await _rejections(client)
    assert shown["status"] == "accepted" and shown["initiative_id"] == first["initiative_id"]

    # The same message published again by the platform changes nothing either.
    await publish_inbound(amqp_url, [amqp_message(body)])
    await asyncio.sleep(1.5)
    assert len(tap.of_type("initiative.submitted.v1")) == 1


async def test_a_binary_mode_message_is_kept_with_its_headers(
    client: httpx.AsyncClient, tap: EventTap, amqp_url: str
) -> None:
    """The CloudEvent's attributes travel in the headers: the kept copy must keep them."""
    event_id = str(uuid.uuid4())
    message = aio_pika.Message(
        json.dumps(inbound_data(6, campaign_year=YEAR)).encode(),
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
    await tap.wait("initiative.rejected.v1", 1)
    [kept] = await _rejections(client)
    assert kept["origin_id"] == event_id
    await _open_campaign(client)
    replayed = await _replay(client, kept["rejection_id"])
    assert replayed["status"] == "accepted", replayed
    [event] = await tap.wait("initiative.submitted.v1", 1)
    assert event["data"]["title"] == inbound_data(6)["title"]


async def test_only_the_par_office_may_list_and_replay(
    client: httpx.AsyncClient, tap: EventTap, amqp_url: str
) -> None:
    body = cloud_event(inbound_data(4, agency_code="99999"))
    await publish_inbound(amqp_url, [amqp_message(body)])
    await tap.wait("initiative.rejected.v1", 1)
    [kept] = await _rejections(client, body["data"]["campaign_year"])
    path = f"/api/v1/inbound/rejections/{kept['rejection_id']}/replay"
    for headers in (
        bearer("agency_submitter", "760"),
        bearer("committee_viewer"),
        {"Authorization": f"Bearer {token('surveyor', member='tv-01')}"},
    ):
        role = headers["Authorization"][-12:]
        assert (await client.post(path, headers=headers)).status_code == 403, role
        listed = await client.get("/api/v1/inbound/rejections", headers=headers)
        assert listed.status_code == 403, role
    assert (await client.post(path)).status_code == 401
    assert (await client.post(path, headers=bearer("admin"))).json()["status"] == "rejected"

    missing = await client.post(f"/api/v1/inbound/rejections/{uuid.uuid4()}/replay", headers=STAFF)
    assert missing.status_code == 404
    assert "Không tìm thấy tin nhắn bị từ chối" in missing.text
