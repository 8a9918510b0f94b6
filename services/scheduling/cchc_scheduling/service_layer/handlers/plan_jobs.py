"""Planner jobs: the search runs in the background while the office watches it improve.

A job is a row (``plan_jobs``) and, in the replica that owns it, a task: the solver works in a
thread (the event loop stays free), each improved plan is recorded as it is found, and about
once a second the task writes the progress and renews its lease. A stop request (from any
replica) ends the search with the best plan so far. When a replica dies, its lease expires and
another replica takes the job over and plans it again; a replica that shuts down leaves its
jobs to expire the same way. Each finished job leaves a proposal, accepted as any other."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import time as clock
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from cchc_scheduling.domain.errors import plan_job_not_found
from cchc_scheduling.domain.planner import PlanInfeasible, PlanProgress, PlanResult, PlanStopped
from cchc_scheduling.ports import UnitOfWork
from cchc_scheduling.service_layer.handlers.plans import (
    PlanRequest,
    Prepared,
    outcome_json,
    plan_json,
    prepare,
    step_json,
    store_proposal,
)
from cchc_scheduling.service_layer.services import SchedulingPolicy, now

log = logging.getLogger("cchc.scheduling.planner")

LEASE = timedelta(seconds=20)
FLUSH_SECONDS = 1.0
SWEEP_SECONDS = 10.0
STOP_WAIT_SECONDS = 15.0


def job_json(row: dict[str, Any]) -> dict[str, Any]:
    """A job as ``GET /plan-jobs/{job_id}`` answers it."""
    return {
        "job_id": str(row["job_id"]),
        "campaign_year": row["campaign_year"],
        "status": row["status"],
        "elapsed_seconds": row["elapsed_seconds"],
        "stop_requested": row["stop_requested"],
        "solutions": row["solutions"],
        "best": row["best"],
        "error": row["error"],
        "request": row["request"],
        "created_at": row["created_at"].isoformat(),
        "updated_at": row["updated_at"].isoformat(),
    }


@dataclass(frozen=True)
class _Job:
    job_id: UUID
    proposal_id: UUID
    request: PlanRequest
    created_by: str


class PlanJobs:
    """The jobs this replica runs (one per service process, built by the composition root)."""

    def __init__(self, owner: str | None = None) -> None:
        self.owner = owner or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._tasks: dict[UUID, asyncio.Task[None]] = {}
        self._stops: dict[UUID, threading.Event] = {}
        self._closing = False
        self._sweeper: asyncio.Task[None] | None = None

    # -- the API's operations --------------------------------------------------------------

    async def start(
        self,
        uow_factory: Callable[[], UnitOfWork],
        request: PlanRequest,
        policy: SchedulingPolicy,
        created_by: str,
    ) -> dict[str, Any]:
        """Check the request (a bad one is refused at once), record the job, start it."""
        prepared = await prepare(uow_factory(), request, policy)
        job_id, proposal_id = uuid.uuid4(), uuid.uuid4()
        uow = uow_factory()
        async with uow:
            await uow.plan_jobs.add(
                {
                    "job_id": job_id,
                    "campaign_year": request.campaign_year,
                    "proposal_id": proposal_id,
                    "request": request.as_json(),
                    "owner": self.owner,
                    "lease_until": now() + LEASE,
                    "created_by": created_by,
                }
            )
            await uow.commit()
        self._launch(uow_factory, _Job(job_id, proposal_id, request, created_by), policy, prepared)
        return await self.get(uow_factory(), job_id)

    async def get(self, uow: UnitOfWork, job_id: UUID) -> dict[str, Any]:
        async with uow:
            row = await uow.plan_jobs.get(job_id)
        if row is None:
            raise plan_job_not_found(job_id)
        return job_json(row)

    async def stop(self, uow_factory: Callable[[], UnitOfWork], job_id: UUID) -> dict[str, Any]:
        """Ask the search to stop (whichever replica runs it) and wait for its best plan."""
        uow = uow_factory()
        async with uow:
            if await uow.plan_jobs.get(job_id) is None:
                raise plan_job_not_found(job_id)
            await uow.plan_jobs.request_stop(job_id)
            await uow.commit()
        if job_id in self._stops:
            self._stops[job_id].set()
        deadline = clock.monotonic() + STOP_WAIT_SECONDS
        while True:
            job = await self.get(uow_factory(), job_id)
            if job["status"] != "running" or clock.monotonic() > deadline:
                return job
            task = self._tasks.get(job_id)
            if task is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(asyncio.shield(task), timeout=FLUSH_SECONDS)
            else:
                await asyncio.sleep(FLUSH_SECONDS / 2)

    # -- the replica's life ----------------------------------------------------------------

    def start_sweeping(
        self, uow_factory: Callable[[], UnitOfWork], policy: SchedulingPolicy
    ) -> None:
        self._sweeper = asyncio.create_task(self._sweep(uow_factory, policy), name="plan-jobs")

    async def close(self) -> None:
        """Stop searching; the jobs still running are left to their lease (another replica
        takes them over when it expires)."""
        self._closing = True
        if self._sweeper is not None:
            self._sweeper.cancel()
        for stop in self._stops.values():
            stop.set()
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_WAIT_SECONDS)

    async def sweep_once(
        self, uow_factory: Callable[[], UnitOfWork], policy: SchedulingPolicy
    ) -> list[UUID]:
        """Take over the jobs whose owner stopped renewing their lease, and run them again."""
        uow = uow_factory()
        async with uow:
            claimed = await uow.plan_jobs.claim_expired(self.owner, now(), now() + LEASE)
            rows = [await uow.plan_jobs.get(job_id) for job_id in claimed]
            await uow.commit()
        for row in rows:
            if row is None:
                continue
            log.info("plan job taken over", extra={"job_id": str(row["job_id"])})
            request = PlanRequest.from_json(row["request"])
            job = _Job(row["job_id"], row["proposal_id"], request, row["created_by"])
            self._launch(uow_factory, job, policy, None)
        return claimed

    async def _sweep(self, uow_factory: Callable[[], UnitOfWork], policy: SchedulingPolicy) -> None:
        while not self._closing:
            try:
                await self.sweep_once(uow_factory, policy)
            except Exception:  # the database may be away for a moment: try again later
                log.exception("plan job sweep failed")
            await asyncio.sleep(SWEEP_SECONDS)

    # -- running a job ---------------------------------------------------------------------

    def _launch(
        self,
        uow_factory: Callable[[], UnitOfWork],
        job: _Job,
        policy: SchedulingPolicy,
        prepared: Prepared | None,
    ) -> None:
        job_id = job.job_id
        self._stops[job_id] = threading.Event()
        task = asyncio.create_task(
            self._run(uow_factory, job, policy, prepared), name=f"plan-job-{job_id}"
        )
        self._tasks[job_id] = task

        def forget(_: asyncio.Task[None]) -> None:
            self._tasks.pop(job_id, None)
            self._stops.pop(job_id, None)

        task.add_done_callback(forget)

    async def _run(
        self,
        uow_factory: Callable[[], UnitOfWork],
        job: _Job,
        policy: SchedulingPolicy,
        prepared: Prepared | None,
    ) -> None:
        job_id, proposal_id, request = job.job_id, job.proposal_id, job.request
        stop = self._stops[job_id]
        found: list[PlanProgress] = []  # appended by the solver's thread, read here
        started = clock.perf_counter()
        try:
            if prepared is None:
                prepared = await prepare(uow_factory(), request, policy)
            worker = asyncio.ensure_future(
                asyncio.to_thread(prepared.run, on_solution=found.append, stop=stop)
            )
            written = 0
            while True:
                done, _ = await asyncio.wait({worker}, timeout=FLUSH_SECONDS)
                if done:
                    break
                values: dict[str, Any] = {
                    "elapsed_seconds": round(clock.perf_counter() - started, 3),
                    "lease_until": now() + LEASE,
                }
                if len(found) > written:
                    written = len(found)
                    best = found[written - 1]
                    values["solutions"] = [step_json(p) for p in found[:written]]
                    values["best"] = {
                        "proposal_id": str(proposal_id),
                        **plan_json(
                            best.rounds, best.objective, best.bound, "RUNNING", prepared, policy
                        ),
                    }
                row = await self._write(uow_factory, job_id, values)
                if row is None or row["stop_requested"]:
                    stop.set()  # lost the lease (another replica runs it) or asked to stop
                    if row is None:
                        worker.cancel()
                        return
            result = worker.result()
        except PlanInfeasible as refused:
            await self._finish(uow_factory, job_id, started, "failed", error=refused.as_json())
            return
        except PlanStopped:
            await self._finish(uow_factory, job_id, started, "stopped")
            return
        except Exception as exc:
            log.exception("plan job failed", extra={"job_id": str(job_id)})
            error: dict[str, Any] = {
                "rule": None,
                "message": "Lỗi hệ thống khi lập kế hoạch; vui lòng thử lại",
                "message_en": f"the planner failed: {type(exc).__name__}",
                "initiative_ids": [],
                "member_ids": [],
            }
            await self._finish(uow_factory, job_id, started, "failed", error=error)
            return
        if self._closing:
            return  # shutting down: the lease expires and another replica plans it again
        body = outcome_json(result, prepared, policy)
        await store_proposal(uow_factory(), proposal_id, request, body, job.created_by)
        stopped = isinstance(result, PlanResult) and result.metrics.solver_status == "STOPPED"
        status = "stopped" if stopped else "done"
        await self._finish(
            uow_factory,
            job_id,
            started,
            status,
            solutions=body.get("solutions") or [_single(body, started)],
            best={"proposal_id": str(proposal_id), **body},
        )

    async def _write(
        self, uow_factory: Callable[[], UnitOfWork], job_id: UUID, values: dict[str, Any]
    ) -> dict[str, Any] | None:
        uow = uow_factory()
        async with uow:
            if not await uow.plan_jobs.update(job_id, self.owner, **values):
                return None
            row = await uow.plan_jobs.get(job_id)
            await uow.commit()
        return row

    async def _finish(
        self,
        uow_factory: Callable[[], UnitOfWork],
        job_id: UUID,
        started: float,
        status: str,
        **values: Any,
    ) -> None:
        if self._closing and status != "done":
            return
        await self._write(
            uow_factory,
            job_id,
            {
                "status": status,
                "elapsed_seconds": round(clock.perf_counter() - started, 3),
                "lease_until": now(),
                **values,
            },
        )


def _single(body: dict[str, Any], started: float) -> dict[str, Any]:
    """A repair's one solution, as a step of the search."""
    return {
        "elapsed_seconds": round(clock.perf_counter() - started, 3),
        "objective": body["objective"],
        "bound": body["bound"],
        "gap": body["gap"],
        "source": "repair",
    }
