"""Drafts through the HTTP API, the real database and broker: nothing leaves for a draft,
exactly one InitiativeSubmitted on submit; only its agency and staff see it."""

from __future__ import annotations

import asyncio
from datetime import date

import httpx
import pytest

from ..conftest import Clock, EventTap, bearer, initiative_body
from ..schemas import assert_contract_valid

pytestmark = pytest.mark.integration

WARD = bearer("agency_submitter", "26740")
OTHER_WARD = bearer("agency_submitter", "26743")
STAFF = bearer("secretariat")
COMMITTEE = bearer("committee_viewer")


async def test_a_draft_is_saved_changed_and_submitted_with_one_event(
    client: httpx.AsyncClient, tap: EventTap
) -> None:
    complete = initiative_body()
    saved = await client.post(
        "/api/v1/initiatives", json={"draft": True, "title": complete["title"]}, headers=WARD
    )
    assert saved.status_code == 201, saved.text
    draft = saved.json()
    assert draft["status"] == "draft" and draft["summary"] is None
    url = f"/api/v1/initiatives/{draft['initiative_id']}"
    assert saved.headers["Location"] == url

    assert (await client.get(url, headers=WARD)).json()["title"] == complete["title"]
    assert (await client.get(url, headers=STAFF)).status_code == 200
    for outsider in (COMMITTEE, OTHER_WARD):
        assert (await client.get(url, headers=outsider)).status_code == 404
    listed = await client.get("/api/v1/initiatives", params={"status": "draft"}, headers=WARD)
    assert [d["initiative_id"] for d in listed.json()["items"]] == [draft["initiative_id"]]
    assert (
        await client.get("/api/v1/initiatives", params={"status": "draft"}, headers=COMMITTEE)
    ).json()["total"] == 0
    assert (await client.get("/api/v1/initiatives", headers=COMMITTEE)).json()["total"] == 0

    incomplete = await client.post(f"{url}/submit", headers=WARD)
    assert incomplete.status_code == 422
    missing = [f["field"] for f in incomplete.json()["detail"]]
    assert missing == ["kind", "summary", "par_area", "applied_since", "results"]
    assert all(f["message"] and f["message_en"] for f in incomplete.json()["detail"])

    rest = {k: v for k, v in complete.items() if k != "title"}
    changed = await client.patch(url, json=rest, headers=WARD)
    assert changed.status_code == 200, changed.text
    assert changed.json()["status"] == "draft" and changed.json()["version"] == 2

    submitted = await client.post(f"{url}/submit", headers=WARD)
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["status"] == "submitted"
    assert submitted.json()["initiative_id"] == draft["initiative_id"]
    [event] = await tap.wait("initiative.submitted.v1", 1)
    assert_contract_valid(event, "initiative.submitted.v1")
    assert event["subject"] == draft["initiative_id"]
    assert event["data"]["title"] == complete["title"]
    assert event["data"]["results"] == complete["results"]
    await asyncio.sleep(0.6)  # three relay polls: anything else would have left by now
    assert len(tap.messages) == 1

    history = (await client.get(f"{url}/history", headers=WARD)).json()
    assert [h["action"] for h in history] == ["draft_saved", "draft_changed", "submitted"]
    assert (await client.post(f"{url}/submit", headers=WARD)).status_code == 404
    assert (await client.get("/api/v1/initiatives", headers=COMMITTEE)).json()["total"] == 1


async def test_a_bad_draft_value_is_named_and_a_discarded_draft_is_gone(
    client: httpx.AsyncClient, tap: EventTap
) -> None:
    bad = await client.post(
        "/api/v1/initiatives", json={"draft": True, "applied_since": "2099-01-01"}, headers=WARD
    )
    assert bad.status_code == 422
    assert [f["field"] for f in bad.json()["detail"]] == ["applied_since"]
    wrong_type = await client.post(
        "/api/v1/initiatives", json={"draft": True, "kind": "poem"}, headers=WARD
    )
    assert wrong_type.status_code == 422
    assert [f["field"] for f in wrong_type.json()["detail"]] == ["kind"]

    saved = await client.post(
        "/api/v1/initiatives",
        json={"draft": True, "agency_code": "26740", "summary": "Bản nháp"},
        headers=STAFF,
    )
    assert saved.status_code == 201, saved.text
    url = f"/api/v1/initiatives/{saved.json()['initiative_id']}"
    assert (await client.delete(url, headers=OTHER_WARD)).status_code == 404
    assert (await client.delete(url, headers=COMMITTEE)).status_code == 403
    assert (await client.delete(url, headers=WARD)).status_code == 204
    assert (await client.get(url, headers=WARD)).status_code == 404
    listed = await client.get("/api/v1/initiatives", params={"status": "draft"}, headers=STAFF)
    assert listed.json()["total"] == 0
    await asyncio.sleep(0.6)
    assert tap.messages == []


async def test_submitting_a_draft_meets_the_title_rule_and_the_window(
    client: httpx.AsyncClient, tap: EventTap, clock: Clock
) -> None:
    clock.set(date(2023, 10, 30))
    body = initiative_body(campaign_year=2023)
    first = await client.post("/api/v1/initiatives", json=body, headers=WARD)
    assert first.status_code == 201, first.text
    saved = await client.post("/api/v1/initiatives", json={**body, "draft": True}, headers=WARD)
    assert saved.status_code == 201, saved.text
    url = f"/api/v1/initiatives/{saved.json()['initiative_id']}"
    duplicate = await client.post(f"{url}/submit", headers=WARD)
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.json()["existing_id"] == first.json()["initiative_id"]

    await client.patch(url, json={"title": "Một tên khác"}, headers=WARD)
    clock.set(date(2023, 11, 2))  # the 2023 window closed on 31 October
    late = await client.post(f"{url}/submit", headers=WARD)
    assert late.status_code == 422
    assert [f["field"] for f in late.json()["detail"]] == ["campaign_year"]
    assert (await client.get(url, headers=WARD)).json()["status"] == "draft"
    await tap.wait("initiative.submitted.v1", 1)
    await asyncio.sleep(0.6)
    assert len(tap.messages) == 1  # the direct submission only
