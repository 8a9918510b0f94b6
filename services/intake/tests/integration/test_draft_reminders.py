"""The draft reminder sweep on the real database (SQLite and PostgreSQL) and broker: two
sweeps at once, as two replicas would run them, publish one DraftReminderDue per draft; a
later sweep none; a submitted draft none; the event matches its JSON Schema."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx
import pytest
from fastapi import FastAPI

from cchc_intake.config import IntakeSettings
from cchc_intake.service_layer.handlers.reminders import remind_unsubmitted_drafts
from cchc_intake.service_layer.services import Services

from ..conftest import Clock, EventTap, bearer, initiative_body
from ..schemas import assert_contract_valid

pytestmark = pytest.mark.integration

WARD = bearer("agency_submitter", "26740")
KEY = "draft.reminder_due.v1"


async def test_two_sweeps_at_once_publish_one_reminder_per_unsubmitted_draft(
    application: FastAPI,
    client: httpx.AsyncClient,
    clock: Clock,
    settings: IntakeSettings,
    tap: EventTap,
) -> None:
    clock.set(date(2023, 5, 10))
    saved = []
    for title in ("Bản nháp còn viết dở", "Bản nháp sẽ gửi"):
        body = initiative_body(title=title) if title.endswith("gửi") else {"title": title}
        answer = await client.post(
            "/api/v1/initiatives",
            json={"draft": True, "campaign_year": 2023, **body},
            headers=WARD,
        )
        assert answer.status_code == 201, answer.text
        saved.append(answer.json()["initiative_id"])
    left, done = saved
    submitted = await client.post(f"/api/v1/initiatives/{done}/submit", headers=WARD)
    assert submitted.status_code == 200, submitted.text

    services: Services = application.state.services
    days = settings.draft_reminder_days
    clock.set(date(2023, 10, 31) - timedelta(days=days))
    counts = await asyncio.gather(
        remind_unsubmitted_drafts(services.uow(), clock(), days),
        remind_unsubmitted_drafts(services.uow(), clock(), days),
    )
    assert sorted(counts) == [0, 1]
    [event] = await tap.wait(KEY, 1)
    assert await remind_unsubmitted_drafts(services.uow(), clock(), days) == 0
    await asyncio.sleep(1)  # the relay polls every 0.2 s: anything more would be here
    assert len(tap.of_type(KEY)) == 1
    assert event["subject"] == left and event["data"]["draft_id"] == left
    assert event["data"]["title"] == "Bản nháp còn viết dở"
    assert event["data"]["submission_closes_on"] == "2023-10-31"
    assert "summary" in event["data"]["missing_fields"]
    assert_contract_valid(event, KEY)
