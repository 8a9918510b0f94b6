"""What intake publishes on cchc.events, through the real HTTP entrypoint and broker."""

from __future__ import annotations

import time

import httpx
import pytest

from ..conftest import EventTap, bearer, initiative_body
from ..schemas import assert_contract_valid

pytestmark = pytest.mark.integration

WARD = bearer("agency_submitter", "26740")


async def test_valid_submission_answers_201_and_publishes_a_contract_valid_event(
    client: httpx.AsyncClient, tap: EventTap
) -> None:
    started = time.monotonic()
    answer = await client.post("/api/v1/initiatives", json=initiative_body(), headers=WARD)
    assert answer.status_code == 201, answer.text
    created = answer.json()
    assert answer.headers["Location"] == f"/api/v1/initiatives/{created['initiative_id']}"

    [event] = await tap.wait("initiative.submitted.v1", 1, timeout=1.0)
    assert time.monotonic() - started < 1.0
    assert_contract_valid(event, "initiative.submitted.v1")
    assert event["type"] == "vn.hcmc.cchc.initiative.submitted.v1"
    assert event["source"] == "/cchc/intake"
    assert event["subject"] == created["initiative_id"]
    data = event["data"]
    assert data["initiative_id"] == created["initiative_id"]
    assert data["agency_code"] == "26740"
    assert data["title"] == initiative_body()["title"]
    [message] = tap.messages
    assert message.message_id == event["id"]
    assert message.content_type == "application/cloudevents+json"
    assert message.delivery_mode == 2


async def test_amend_publishes_amended_and_withdraw_publishes_withdrawn(
    client: httpx.AsyncClient, tap: EventTap
) -> None:
    created = (
        await client.post("/api/v1/initiatives", json=initiative_body(), headers=WARD)
    ).json()
    url = f"/api/v1/initiatives/{created['initiative_id']}"

    amended = await client.patch(
        url, json={"results": "Giảm 40% thời gian chờ của người dân."}, headers=WARD
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["version"] == 2
    assert amended.json()["amended_at"] is not None
    [event] = await tap.wait("initiative.amended.v1", 1)
    assert_contract_valid(event, "initiative.amended.v1")
    assert event["data"]["results"] == "Giảm 40% thời gian chờ của người dân."
    assert event["data"]["title"] == created["title"]  # the whole new state

    unchanged = await client.patch(url, json={"results": amended.json()["results"]}, headers=WARD)
    assert unchanged.json()["version"] == 2  # nothing changed, nothing published

    withdrawn = await client.post(
        f"{url}/withdraw", json={"reason": "Đơn vị tự rút để hoàn thiện"}, headers=WARD
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert withdrawn.json()["status"] == "withdrawn"
    [event] = await tap.wait("initiative.withdrawn.v1", 1)
    assert_contract_valid(event, "initiative.withdrawn.v1")
    assert event["data"]["reason"] == "Đơn vị tự rút để hoàn thiện"

    again = await client.post(f"{url}/withdraw", headers=WARD)
    assert again.status_code == 409
    assert again.json()["detail"][0]["field"] == "status"
    late = await client.patch(url, json={"title": "Tên mới"}, headers=WARD)
    assert late.status_code == 409
    assert len(tap.of_type("initiative.amended.v1")) == 1
    assert len(tap.of_type("initiative.withdrawn.v1")) == 1
