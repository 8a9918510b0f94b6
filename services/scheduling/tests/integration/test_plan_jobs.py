"""Planner jobs through the real HTTP entrypoint and database: the first plan at once, each
improved plan recorded, the search stopped with its best kept as a proposal that is accepted
into draft rounds keeping every rule; infeasible input named; a job whose replica died taken
over by another replica when its lease expires."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import pytest

from cchc_scheduling.service_layer.handlers.plan_jobs import PlanJobs
from cchc_scheduling.service_layer.services import Services, now

from .harness import SECRETARIAT, Harness, running_service, submitted

pytestmark = pytest.mark.integration

AGENCIES = ("760", "774", "26740", "26734", "STP", "SYT", "SGDDT", "769", "27004", "783")
AREAS = ("procedures", "digital_government", "organisation", "institutional")


async def seed_campaign(service: Harness, size: int) -> list[str]:
    items = [
        submitted(AGENCIES[i % len(AGENCIES)], AREAS[i % len(AREAS)], f"Sáng kiến số {i + 1}")
        for i in range(size)
    ]
    for item in items:
        await service.publish(item)
    await service.in_pool(*(i.initiative_id for i in items))
    return [str(i.initiative_id) for i in items]


async def job_until(
    service: Harness, job_id: str, done: Any, what: str, timeout: float = 60.0
) -> dict[str, Any]:
    found: dict[str, Any] = {}

    async def check() -> bool:
        answer = await service.client.get(f"/api/v1/plan-jobs/{job_id}", headers=SECRETARIAT)
        assert answer.status_code == 200, answer.text
        found.update(answer.json())
        return bool(done(found))

    await service.eventually(check, what, timeout)
    return found


async def test_a_job_reports_plans_as_found_and_is_stopped_with_its_best(
    database_url: str, amqp_url: str
) -> None:
    async with running_service(database_url, amqp_url, planner_time_limit=120) as service:
        client = service.client
        ids = await seed_campaign(service, 30)
        started = await client.post(
            "/api/v1/plan-jobs", json={"campaign_year": 2023}, headers=SECRETARIAT
        )
        assert started.status_code == 202, started.text
        job = started.json()
        assert job["status"] == "running" and job["best"] is None
        job = await job_until(service, job["job_id"], lambda j: j["best"], "a first plan")
        first = job["solutions"][0]
        assert first["source"] == "greedy"
        assert set(first) >= {"elapsed_seconds", "objective", "bound", "gap"}
        assert first["bound"] <= first["objective"]
        best = job["best"]
        quality = best["quality"]
        assert quality["visits"] == 30 and quality["rounds_used"] == len(best["rounds"])
        assert quality["districts_per_survey_day"] == 1.0
        assert sum(quality["visits_per_month"].values()) == 30
        assert set(quality["member_load"]) == {"min", "mean", "max"}
        objectives = [s["objective"] for s in job["solutions"]]
        assert objectives == sorted(objectives, reverse=True)  # each one better

        stopped = await client.post(f"/api/v1/plan-jobs/{job['job_id']}/stop", headers=SECRETARIAT)
        assert stopped.status_code == 200, stopped.text
        final = stopped.json()
        assert final["status"] in ("stopped", "done"), final
        proposal_id = final["best"]["proposal_id"]
        visited = {v["initiative_id"] for r in final["best"]["rounds"] for v in r["visits"]}
        assert visited == set(ids)

        accepted = await client.post(f"/api/v1/plans/{proposal_id}/accept", headers=SECRETARIAT)
        assert accepted.status_code == 201, accepted.text
        for draft in accepted.json():
            detail = await client.get(f"/api/v1/rounds/{draft['round_id']}", headers=SECRETARIAT)
            assert detail.json()["violations"] == []


async def test_infeasible_input_fails_the_job_naming_the_rule(
    database_url: str, amqp_url: str
) -> None:
    async with running_service(database_url, amqp_url, planner_time_limit=30) as service:
        client = service.client
        await seed_campaign(service, 4)
        for member in (await client.get("/api/v1/roster", headers=SECRETARIAT)).json():
            if member["may_head"]:
                await client.delete(f"/api/v1/roster/{member['member_id']}", headers=SECRETARIAT)
        started = await client.post(
            "/api/v1/plan-jobs", json={"campaign_year": 2023}, headers=SECRETARIAT
        )
        assert started.status_code == 202, started.text
        job = await job_until(
            service, started.json()["job_id"], lambda j: j["status"] != "running", "the verdict"
        )
        assert job["status"] == "failed"
        assert job["error"]["rule"] == "team_head"
        assert "Trưởng đoàn" in job["error"]["message"]
        assert job["elapsed_seconds"] < 30
        unknown = await client.get(f"/api/v1/plan-jobs/{uuid.uuid4()}", headers=SECRETARIAT)
        assert unknown.status_code == 404


async def test_a_job_whose_replica_died_is_taken_over(database_url: str, amqp_url: str) -> None:
    async with running_service(database_url, amqp_url, planner_time_limit=2) as service:
        await seed_campaign(service, 6)
        services = service.app.state.services
        assert isinstance(services, Services)
        job_id = uuid.uuid4()
        uow = services.uow()
        async with uow:  # a job another replica started, then died: its lease has expired
            await uow.plan_jobs.add(
                {
                    "job_id": job_id,
                    "campaign_year": 2023,
                    "proposal_id": uuid.uuid4(),
                    "request": {"campaign_year": 2023, "time_limit": 2},
                    "owner": "replica-gone",
                    "lease_until": now() - timedelta(seconds=1),
                    "created_by": "secretariat",
                }
            )
            await uow.commit()
        other = PlanJobs(owner="replica-alive")
        live = PlanJobs(owner="replica-busy")
        claims = await asyncio.gather(
            live.sweep_once(services.uow, services.policy),
            other.sweep_once(services.uow, services.policy),
        )
        # One replica runs it: whichever swept first (the service's own sweeper included).
        assert [c for claim in claims for c in claim] in ([], [job_id])
        job = await job_until(
            service, str(job_id), lambda j: j["status"] != "running", "the job taken over"
        )
        assert job["status"] == "done", job
        assert job["best"]["quality"]["visits"] == 6
        await asyncio.gather(other.close(), live.close())


async def test_a_repair_shows_the_difference_and_changes_rounds_only_when_accepted(
    database_url: str, amqp_url: str
) -> None:
    async with running_service(database_url, amqp_url, planner_time_limit=5) as service:
        client = service.client
        await seed_campaign(service, 12)
        proposed = await client.post(
            "/api/v1/plans", json={"campaign_year": 2023, "seed": 1}, headers=SECRETARIAT
        )
        assert proposed.status_code == 201, proposed.text
        drafts = await client.post(
            f"/api/v1/plans/{proposed.json()['proposal_id']}/accept", headers=SECRETARIAT
        )
        confirmed = []
        for draft in drafts.json():
            answer = await client.post(
                f"/api/v1/rounds/{draft['round_id']}/confirm", headers=SECRETARIAT
            )
            assert answer.status_code == 200, answer.text
            confirmed.append(answer.json())
        await service.published("round.scheduled.v1", len(confirmed))
        target = confirmed[0]
        ill_day = target["visits"][0]["date"]
        ill = next(s["member_id"] for s in target["team"] if s["role"] == "member")
        member = (await client.get(f"/api/v1/roster/{ill}", headers=SECRETARIAT)).json()
        answer = await client.put(
            f"/api/v1/roster/{ill}/unavailable",
            json={"unavailable": [*member["unavailable"], ill_day]},
            headers=SECRETARIAT,
        )
        assert answer.status_code == 200, answer.text
        started = await client.post(
            "/api/v1/plan-jobs",
            json={
                "campaign_year": 2023,
                "repair_of": [target["round_id"]],
                "changes": {"reason": "Thành viên Đoàn bị ốm"},
            },
            headers=SECRETARIAT,
        )
        assert started.status_code == 202, started.text
        job = await job_until(
            service, started.json()["job_id"], lambda j: j["status"] != "running", "the repair"
        )
        assert job["status"] == "done", job
        difference = job["best"]["repair"]
        must = sum(1 for v in target["visits"] if v["date"] == ill_day)
        assert difference["visits_moved"] <= must
        assert ill in difference["people_to_notify"]
        [change] = [c for c in difference["changes"] if c["action"] != "keep"]
        assert change["round_id"] == target["round_id"] and change["action"] == "reschedule"
        # Nothing changes before a person confirms the repair.
        still = await client.get(f"/api/v1/rounds/{target['round_id']}", headers=SECRETARIAT)
        assert still.json()["version"] == target["version"]
        assert service.bodies("round.rescheduled.v1") == []

        accepted = await client.post(
            f"/api/v1/plans/{job['best']['proposal_id']}/accept", headers=SECRETARIAT
        )
        assert accepted.status_code == 201, accepted.text
        [event] = await service.published("round.rescheduled.v1", 1)
        assert event["data"]["round_id"] == target["round_id"]
        assert event["data"]["reason"] == "Thành viên Đoàn bị ốm"
        after = await client.get(f"/api/v1/rounds/{target['round_id']}", headers=SECRETARIAT)
        assert after.json()["violations"] == []
        assert ill not in {s["member_id"] for s in after.json()["team"]} or ill_day not in {
            v["date"] for v in after.json()["visits"]
        }
