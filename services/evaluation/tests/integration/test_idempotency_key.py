"""``POST /evaluations`` with an ``Idempotency-Key``, through the real HTTP entrypoint, the
real broker and each database: a device's queued submission sent again (or tapped twice at
once) is recorded and announced once; another sheet under the same key is refused."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select

from cchc_evaluation.adapters.orm import evaluation_request_keys, evaluations
from cchc_shared.contracts import EvaluationRecordedV1

from ..builders import days_from_today, evaluation_body, member, scheduled, submitted, visit
from .harness import Harness, headers, running_service

pytestmark = pytest.mark.integration


@pytest.fixture
async def system(database_url: str, amqp_url: str) -> Any:
    async with running_service(database_url, amqp_url) as harness:
        yield harness


async def _visit_of_a_team(system: Harness) -> uuid.UUID:
    initiative = submitted("26740", "Tiếp nhận hồ sơ không hẹn lần hai")
    await system.publish(initiative)
    planned = scheduled(
        [member("snv-pgd-01", "Nguyễn Văn An", "head"), member("stttt-02", "Trần Thị Bình")],
        [visit(initiative.initiative_id, "26740", days_from_today(0))],
    )
    await system.publish(planned)
    await system.round_known(planned.round_id)
    await system.initiatives_known(initiative.initiative_id)
    return planned.visits[0].visit_id


async def _count(system: Harness, table: Any) -> int:
    async with system.app.state.runtime.engine.connect() as connection:
        return int((await connection.execute(select(func.count()).select_from(table))).scalar_one())


async def test_a_sheet_sent_again_under_its_key_is_recorded_and_announced_once(
    system: Harness,
) -> None:
    visit_id = await _visit_of_a_team(system)
    body = evaluation_body(visit_id, 12, 12, 20, 20, 16)
    key = str(uuid.uuid4())
    an = {**headers("surveyor", member="snv-pgd-01"), "Idempotency-Key": key}

    # A double tap: both requests at once, then the queue's retry when the network returned.
    tapped = await asyncio.gather(
        *(system.client.post("/api/v1/evaluations", json=body, headers=an) for _ in range(2))
    )
    retried = await system.client.post("/api/v1/evaluations", json=body, headers=an)
    answers = [*tapped, retried]
    assert [a.status_code for a in answers] == [201, 201, 201], [a.text for a in answers]
    assert len({a.json()["evaluation_id"] for a in answers}) == 1
    assert await _count(system, evaluations) == 1
    assert await _count(system, evaluation_request_keys) == 1
    evaluation_id = answers[0].json()["evaluation_id"]
    history = await system.client.get(f"/api/v1/evaluations/{evaluation_id}", headers=an)
    assert [h["action"] for h in history.json()["history"]] == ["recorded"]

    # Another sheet under the same key: refused, with the reason in Vietnamese.
    other = await system.client.post(
        "/api/v1/evaluations", json=evaluation_body(visit_id, 1, 1, 1, 1, 1), headers=an
    )
    assert other.status_code == 409
    [fault] = other.json()["detail"]
    assert fault["field"] == "Idempotency-Key" and "khóa mới" in fault["message"]

    # The same key is the member's own: Bình's sheet under it is Bình's evaluation.
    binh = {**headers("surveyor", member="stttt-02"), "Idempotency-Key": key}
    theirs = await system.client.post("/api/v1/evaluations", json=body, headers=binh)
    assert theirs.status_code == 201 and theirs.json()["evaluation_id"] != evaluation_id

    # One EvaluationRecorded per evaluation: none for the replays (the relay polls every
    # 0.1 s, so a second announcement would have come within the wait).
    await system.published(EvaluationRecordedV1.routing_key, 2)
    await asyncio.sleep(1.0)
    recorded = system.bodies(EvaluationRecordedV1.routing_key)
    assert sorted(r["data"]["evaluation_id"] for r in recorded) == sorted(
        [evaluation_id, theirs.json()["evaluation_id"]]
    )


async def test_a_malformed_key_is_refused_with_its_reason(system: Harness) -> None:
    visit_id = await _visit_of_a_team(system)
    answer = await system.client.post(
        "/api/v1/evaluations",
        json=evaluation_body(visit_id, 12, 12, 20, 20, 16),
        headers={**headers("surveyor", member="snv-pgd-01"), "Idempotency-Key": "x" * 201},
    )
    assert answer.status_code == 422
    [fault] = answer.json()["detail"]
    assert fault["field"] == "Idempotency-Key" and "ký tự" in fault["message"]
    assert await _count(system, evaluations) == 0
