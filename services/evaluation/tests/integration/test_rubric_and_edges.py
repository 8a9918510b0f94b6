"""The rubric over HTTP, and events the service must park or survive: an impossible round,
and a visit for an initiative announced only later."""

from __future__ import annotations

from typing import Any

import pytest

from cchc_tools.dlq import list_parked

from ..builders import days_from_today, evaluation_body, member, scheduled, submitted, visit
from .harness import SECRETARIAT, Harness, headers, running_service

pytestmark = pytest.mark.integration


@pytest.fixture
async def system(database_url: str, amqp_url: str) -> Any:
    async with running_service(database_url, amqp_url) as harness:
        harness.amqp_url = amqp_url  # type: ignore[attr-defined]
        yield harness


async def test_rubric_default_custom_and_frozen_once_used(system: Harness) -> None:
    default = await system.client.get("/api/v1/rubrics/2023", headers=headers("committee_viewer"))
    assert default.status_code == 200
    body = default.json()
    assert body["is_default"] and body["total_max"] == 100 and len(body["criteria"]) == 5
    assert body["criteria"][3]["bands"][3] == {
        "min_score": 20.0,
        "max_score": 25.0,
        "label": "Tốt",
        "descriptor": "Tác động rất rõ, mức hài lòng cao và được ghi nhận rộng rãi",
    }

    custom = {
        "title": "Bộ tiêu chí năm 2024",
        "step": 1,
        "criteria": [
            {
                "code": "effectiveness",
                "name": "Hiệu quả",
                "max_score": 60,
                "bands": [
                    {"min_score": 0, "max_score": 29, "label": "Chưa đạt", "descriptor": "Yếu"},
                    {"min_score": 30, "max_score": 60, "label": "Đạt", "descriptor": "Rõ"},
                ],
            },
            {
                "code": "satisfaction",
                "name": "Sự hài lòng",
                "max_score": 30,
                "bands": [{"min_score": 0, "max_score": 30, "label": "Đạt", "descriptor": "Có"}],
            },
        ],
    }
    not_100 = await system.client.put("/api/v1/rubrics/2024", json=custom, headers=SECRETARIAT)
    assert not_100.status_code == 422 and "100" in not_100.json()["detail"][0]["message_en"]
    custom["criteria"][1]["max_score"] = 40  # type: ignore[index]
    custom["criteria"][1]["bands"][0]["max_score"] = 40  # type: ignore[index]
    by_surveyor = await system.client.put(
        "/api/v1/rubrics/2024", json=custom, headers=headers("surveyor", member="a")
    )
    assert by_surveyor.status_code == 403
    saved = await system.client.put("/api/v1/rubrics/2024", json=custom, headers=SECRETARIAT)
    assert saved.status_code == 200, saved.text
    assert not saved.json()["is_default"]

    # A 2024 visit is scored on the 2024 rubric; after that the rubric can no longer change.
    initiative = submitted("SNV", "Sáng kiến 2024", campaign_year=2024)
    await system.publish(initiative)
    planned = scheduled(
        [member("a", "An", "head")],
        [visit(initiative.initiative_id, "SNV", days_from_today(0))],
        campaign_year=2024,
    )
    await system.publish(planned)
    await system.round_known(planned.round_id)
    body_2024 = {
        **evaluation_body(planned.visits[0].visit_id, 0, 0, 0, 0, 0),
        "scores": [
            {"criterion": "effectiveness", "score": 45},
            {"criterion": "satisfaction", "score": 41},
        ],
    }
    refused = await system.client.post(
        "/api/v1/evaluations", json=body_2024, headers=headers("surveyor", member="a")
    )
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["field"] == "scores[1].score"
    body_2024["scores"][1]["score"] = 30
    recorded = await system.client.post(
        "/api/v1/evaluations", json=body_2024, headers=headers("surveyor", member="a")
    )
    assert recorded.status_code == 201 and recorded.json()["total"] == 75
    frozen = await system.client.put("/api/v1/rubrics/2024", json=custom, headers=SECRETARIAT)
    assert frozen.status_code == 409


async def test_impossible_round_is_parked_and_a_late_initiative_fills_in(
    system: Harness,
) -> None:
    late = submitted("26740", "Tổ công nghệ số cộng đồng")
    bad = scheduled([member("a", "An", "head"), member("a", "An", "member")], [])
    await system.publish(bad)
    good = scheduled(
        [member("b", "Bình", "head")],
        [visit(late.initiative_id, "26740", days_from_today(-1))],
        sequence=2,
    )
    await system.publish(good)
    await system.round_known(good.round_id)
    parked = await list_parked(system.amqp_url, ["evaluation.round.scheduled.v1"])  # type: ignore[attr-defined]
    assert [p.errors for p in parked] == [
        [
            {
                "field": "$.data.team[1].member_id",
                "message": "a bị lặp trong đợt khảo sát / a appears twice in the round",
            }
        ]
    ]
    missing = await system.client.get(f"/api/v1/rounds/{bad.round_id}", headers=SECRETARIAT)
    assert missing.status_code == 404

    # The visit names an initiative intake has not announced yet: it can be evaluated anyway.
    answer = await system.client.post(
        "/api/v1/evaluations",
        json=evaluation_body(good.visits[0].visit_id, 12, 12, 20, 20, 16),
        headers=headers("surveyor", member="b"),
    )
    assert answer.status_code == 201, answer.text
    visits = (
        await system.client.get("/api/v1/my/visits", headers=headers("surveyor", member="b"))
    ).json()
    assert visits[0]["initiative"] is None and visits[0]["evaluation_id"]
    await system.publish(late)
    await system.initiatives_known(late.initiative_id)
    result = await system.client.get(
        f"/api/v1/initiatives/{late.initiative_id}/results", headers=headers("surveyor", member="b")
    )
    assert result.json()["initiative"]["title"] == "Tổ công nghệ số cộng đồng"
    assert result.json()["aggregate"]["count"] == 1
