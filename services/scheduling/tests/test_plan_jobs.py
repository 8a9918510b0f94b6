"""The job runner with in-memory repositories: a job records each improved plan and ends
with a proposal; a stop keeps the best so far; a job another replica left is taken over once."""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta

import pytest

from cchc_scheduling.bootstrap import default_roster
from cchc_scheduling.service_layer.handlers import plans, pool
from cchc_scheduling.service_layer.handlers.plan_jobs import PlanJobs
from cchc_scheduling.service_layer.services import SchedulingPolicy, now
from cchc_shared.errors import Conflict

from .fakes import FakeUnitOfWork
from .test_handlers import STAFF, event, submission

POLICY = SchedulingPolicy(planner_time_limit=60)


async def campaign(size: int) -> FakeUnitOfWork:
    uow = FakeUnitOfWork()
    for m in default_roster():
        await uow.members.add(m)
    codes = ("760", "774", "STP", "26740", "SYT", "769")
    areas = ("procedures", "public_finance", "digital_government")
    for n in range(size):
        item = submission(codes[n % len(codes)], areas[n % len(areas)])
        await pool.initiative_submitted(uow, event(item), item)
    return uow


async def settled(jobs: PlanJobs, uow: FakeUnitOfWork, job_id: uuid.UUID) -> dict:
    for _ in range(600):
        job = await jobs.get(uow, job_id)
        if job["status"] != "running":
            return job
        await asyncio.sleep(0.1)
    raise AssertionError("the job did not end")


async def test_a_job_is_stopped_with_its_best_plan_kept_as_a_proposal() -> None:
    uow = await campaign(20)
    jobs = PlanJobs(owner="replica-a")
    started = await jobs.start(lambda: uow, plans.PlanRequest(2023), POLICY, "secretariat")
    job_id = uuid.UUID(started["job_id"])
    for _ in range(600):  # the first plan comes at once, even on a busy machine within a minute
        running = await jobs.get(uow, job_id)
        if running["best"]:
            break
        await asyncio.sleep(0.1)
    assert running["best"], "no first plan"
    with pytest.raises(Conflict):  # the best so far is taken by stopping the search
        await plans.accept_proposal(uow, uuid.UUID(running["best"]["proposal_id"]), POLICY, STAFF)
    stopped = await jobs.stop(lambda: uow, job_id)
    assert stopped["status"] in ("stopped", "done")
    best = stopped["best"]
    assert best["quality"]["visits"] == 20
    assert stopped["solutions"][0]["source"] == "greedy"
    proposal = await uow.proposals.get(uuid.UUID(best["proposal_id"]))
    assert proposal is not None and proposal["status"] == "proposed"
    assert proposal["result"]["rounds"] == best["rounds"]
    drafts = await plans.accept_proposal(uow, uuid.UUID(best["proposal_id"]), POLICY, STAFF)
    assert sum(len(r.visits) for r in drafts) == 20
    await jobs.close()


async def test_a_job_whose_lease_expired_is_taken_over_once() -> None:
    uow = await campaign(6)
    job_id = uuid.uuid4()
    async with uow:
        await uow.plan_jobs.add(
            {
                "job_id": job_id,
                "campaign_year": 2023,
                "proposal_id": uuid.uuid4(),
                "request": plans.PlanRequest(2023, time_limit=2).as_json(),
                "owner": "replica-gone",
                "lease_until": now() - timedelta(seconds=1),
                "created_by": "secretariat",
            }
        )
        await uow.commit()
    first, second = PlanJobs(owner="replica-a"), PlanJobs(owner="replica-b")
    assert await first.sweep_once(lambda: uow, POLICY) == [job_id]
    assert await second.sweep_once(lambda: uow, POLICY) == []  # the lease is held again
    job = await settled(first, uow, job_id)
    assert job["status"] == "done" and job["best"]["quality"]["visits"] == 6
    assert uow.plan_jobs.rows[job_id]["owner"] == "replica-a"
    await asyncio.gather(first.close(), second.close())
