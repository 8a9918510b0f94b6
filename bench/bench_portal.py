"""The portal's main pages under load, beside the same API calls made directly, in one run.

The four APIs and the portal run as OS processes (``cchc_testkit.processes``) over a fresh
vhost and fresh databases. Each page is loaded by ``--users`` concurrent signed-in people (one
session cookie each, from the development sign-in); the same people then make the API calls
that page makes, in the same order, directly with their development tokens. The two runs of a
page alternate (API, portal, API, portal) so that both meet the machine in the same state, and
each reports p50, p95 and pages (or call sets) per second. The portal's share is its p95 over
the APIs' p95: the target is under 1.20.

    uv run python bench/bench_portal.py                 # about 2 minutes
    uv run python bench/bench_portal.py --quick         # smoke run
    uv run python bench/bench_portal.py --json var/bench-portal.json
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import httpx
from pipeline_common import percentile
from pipeline_machine import machine_info

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import InitiativeSubmittedV1, RoundScheduledV1
from cchc_shared.contracts.events import TeamMember, Visit
from cchc_testkit.bus import publish_as_services
from cchc_testkit.infra import fresh_service_databases, fresh_vhost
from cchc_testkit.nodes import free_port
from cchc_testkit.processes import ServiceProcesses
from cchc_tools.cli import PAGES, SERVICES

SECRET = "bench-portal-secret-" + "x" * 40
# Every API service the portal calls (its readiness checks them all).
APIS = tuple(s for s in SERVICES if s not in PAGES)
P95_TARGET = 1.20  # the portal's p95 over the APIs' own, per page
AGENCY = "760"
MEMBER = "snv.tran-quoc-hung"  # on the default roster: scheduling shows them their visits


def vn_today() -> date:
    return (datetime.now(UTC) + timedelta(hours=7)).date()


@dataclass(frozen=True)
class Person:
    role: str
    binding: dict[str, str]

    def token(self) -> str:
        return issue_token(AuthSettings(secret=SECRET), self.role, **self.binding)

    def sign_in_params(self) -> dict[str, str]:
        return {"role": self.role, **self.binding}


ApiCall = tuple[str, str]  # (service, path with query)
# The calls of a page as the portal makes them: steps one after the other, the calls of a step
# at once (the portal gathers the calls that do not depend on each other).
Steps = tuple[tuple[ApiCall, ...], ...]


@dataclass(frozen=True)
class Page:
    name: str
    path: str
    person: Person
    steps: Steps

    def calls_by_service(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for step in self.steps:
            for service, _ in step:
                counts[service] = counts.get(service, 0) + 1
        return counts


def pages(initiative_id: str, visit_id: str, round_id: str, year: int) -> list[Page]:
    agency = Person("agency_submitter", {"agency": AGENCY})
    surveyor = Person("surveyor", {"member": MEMBER})
    office = Person("secretariat", {})
    my_visits = (("evaluation", "/api/v1/my/visits"), ("scheduling", "/api/v1/visits"))
    return [
        Page(
            "agency: initiatives",
            "/agency",
            agency,
            # the drafts, the rest and the schedule; then the notices of its one round
            (
                (
                    ("intake", "/api/v1/initiatives?page_size=100&status=draft"),
                    ("intake", "/api/v1/initiatives?page_size=100"),
                    ("scheduling", "/api/v1/visits"),
                ),
                (("scheduling", f"/api/v1/rounds/{round_id}/notices"),),
            ),
        ),
        Page(
            "agency: one initiative",
            f"/agency/initiatives/{initiative_id}",
            agency,
            (
                (("intake", f"/api/v1/initiatives/{initiative_id}"),),
                # its timeline and its history across the years, at once
                (
                    ("reporting", f"/api/v1/campaigns/{year}/initiatives/{initiative_id}"),
                    ("reporting", f"/api/v1/initiatives/{initiative_id}/lineage"),
                ),
            ),
        ),
        Page("surveyor: visits", "/surveyor", surveyor, (my_visits,)),
        Page(
            "surveyor: evaluation sheet",
            f"/surveyor/visits/{visit_id}",
            surveyor,
            (my_visits, (("evaluation", f"/api/v1/rubrics/{year}"),)),
        ),
        Page(
            "office: planner",
            "/office/planner",
            office,
            (
                (("reporting", "/api/v1/campaigns"),),
                (("scheduling", f"/api/v1/rounds?campaign_year={year}&status=draft"),),
            ),
        ),
    ]


async def timed_load(
    users: int, count: int, one: Callable[[int], Awaitable[None]]
) -> dict[str, float]:
    """``count`` loads by ``users`` concurrent people; latencies in ms, loads per second."""
    latencies: list[float] = []
    indexes = iter(range(count))

    async def person(user: int) -> None:
        for _ in indexes:
            started = time.perf_counter()
            await one(user)
            latencies.append(1000 * (time.perf_counter() - started))

    started = time.perf_counter()
    await asyncio.gather(*(person(u) for u in range(users)))
    elapsed = time.perf_counter() - started
    return {
        "p50_ms": percentile(latencies, 50),
        "p95_ms": percentile(latencies, 95),
        "per_s": count / elapsed,
        "count": count,
    }


def _limits(users: int) -> httpx.Limits:
    return httpx.Limits(max_connections=users, max_keepalive_connections=users)


async def api_run(
    running: ServiceProcesses, page: Page, users: int, count: int
) -> dict[str, float]:
    headers = {"Authorization": f"Bearer {page.person.token()}", "Accept": "application/json"}
    clients = {
        s: httpx.AsyncClient(base_url=running.url(s), headers=headers, limits=_limits(users))
        for s in page.calls_by_service()
    }
    try:

        async def call(service: str, path: str) -> None:
            response = await clients[service].get(path)
            # 404: reporting has not heard of the seeded initiative; the portal asks all the same
            if response.status_code not in (200, 404):
                raise RuntimeError(f"{service} {path}: {response.status_code}")

        async def one(_: int) -> None:
            for step in page.steps:
                await asyncio.gather(*(call(service, path) for service, path in step))

        return await timed_load(users, count, one)
    finally:
        for client in clients.values():
            await client.aclose()


async def portal_run(
    running: ServiceProcesses, page: Page, users: int, count: int
) -> dict[str, float]:
    sessions = []
    for _ in range(users):  # one signed-in session per person
        client = httpx.AsyncClient(base_url=running.url("portal"), limits=_limits(1))
        signed = await client.get("/dev/sign-in", params=page.person.sign_in_params())
        if signed.status_code != 303:
            raise RuntimeError(f"sign-in: {signed.status_code}")
        sessions.append(client)
    try:

        async def one(user: int) -> None:
            response = await sessions[user].get(page.path)
            if response.status_code != 200:
                # the portal's error page names the service and why (a timeout, a 5xx)
                said = " ".join(response.text.split())[-600:]
                raise RuntimeError(f"portal {page.path}: {response.status_code}: {said}")

        return await timed_load(users, count, one)
    finally:
        for client in sessions:
            await client.aclose()


async def api_requests(running: ServiceProcesses) -> dict[tuple[str, str], float]:
    """Each API's count of requests answered so far by (service, labels), from its
    ``cchc_http_requests_total``, without its health and metrics routes."""
    counts: dict[tuple[str, str], float] = {}
    async with httpx.AsyncClient() as client:
        for service in APIS:
            text = (await client.get(running.url(service) + "/metrics")).text
            for line in text.splitlines():
                if (
                    line.startswith("cchc_http_requests_total{")
                    and 'route="/metrics"' not in line
                    and 'route="/health' not in line
                ):
                    labels, value = line.rsplit(" ", 1)
                    counts[(service, labels)] = float(value)
    return counts


async def check_calls(running: ServiceProcesses, page: Page) -> None:
    """One load of the page through the portal must make exactly the API calls the direct run
    makes (by service), or the comparison would be of different work."""
    before = await api_requests(running)
    await portal_run(running, page, 1, 1)
    after = await api_requests(running)
    new = {key: after[key] - before.get(key, 0.0) for key in after if after[key] != before.get(key)}
    made: dict[str, int] = {}
    for (service, _), count in new.items():
        made[service] = made.get(service, 0) + int(count)
    if made != page.calls_by_service():
        raise RuntimeError(
            f"{page.name}: the portal made {made} ({new}), the direct run {page.calls_by_service()}"
        )


def merged(runs: list[dict[str, float]]) -> dict[str, float]:
    """Two runs of the same kind as one: the mean of their figures."""
    return {key: sum(r[key] for r in runs) / len(runs) for key in runs[0]}


async def seed(running: ServiceProcesses, amqp_url: str, initiatives: int) -> tuple[str, str, str]:
    """An agency with ``initiatives`` initiatives (through intake's API), and a round that
    visits one of them today with the surveyor on its team (announced as scheduling would:
    today is outside the campaign's survey window): (an initiative id, the visit id)."""
    agency = Person("agency_submitter", {"agency": AGENCY})
    headers = {"Authorization": f"Bearer {agency.token()}"}
    created: list[str] = []
    async with httpx.AsyncClient(base_url=running.url("intake"), headers=headers) as client:
        for index in range(initiatives):
            response = await client.post(
                "/api/v1/initiatives",
                json={
                    "kind": "model",
                    "title": f"Mô hình đo tải cổng thông tin số {index} ({uuid.uuid4().hex[:6]})",
                    "summary": "Tiếp nhận và trả kết quả thủ tục hành chính trong ngày.",
                    "par_area": "procedures",
                    "applied_since": "2022-03-01",
                    "results": "98% hồ sơ giải quyết đúng hạn.",
                },
            )
            if response.status_code != 201:
                raise RuntimeError(f"seed: {response.status_code} {response.text[:200]}")
            created.append(str(response.json()["initiative_id"]))
    today = vn_today()
    visited = InitiativeSubmittedV1(
        initiative_id=uuid.uuid4(),
        campaign_year=today.year,
        agency_code=AGENCY,
        kind="model",
        title="Mô hình “Một cửa không hẹn lần hai”",
        summary="Tiếp nhận và trả kết quả thủ tục hành chính trong ngày tại bộ phận một cửa.",
        par_area="procedures",
        applied_since=date(2022, 3, 1),
        results="98% hồ sơ giải quyết đúng hạn.",
        limitations="",
        submitted_at=datetime.now(UTC) - timedelta(days=30),
    )
    round_id = uuid.uuid4()
    visit = Visit(
        visit_id=uuid.uuid4(),
        initiative_id=visited.initiative_id,
        agency_code=AGENCY,
        date=today,
        starts_at=clock(8, 30),
    )
    team = [TeamMember(member_id=MEMBER, name="Nguyễn Văn An", role="head", agency_code="SNV")]
    await publish_as_services(
        amqp_url,
        visited,
        RoundScheduledV1(
            round_id=round_id,
            campaign_year=today.year,
            sequence=1,
            starts_on=today,
            ends_on=today,
            team=team,
            visits=[visit],
        ),
    )
    surveyor = Person("surveyor", {"member": MEMBER})
    async with httpx.AsyncClient(
        base_url=running.url("evaluation"),
        headers={"Authorization": f"Bearer {surveyor.token()}"},
    ) as client:
        for _ in range(600):
            found = (await client.get("/api/v1/my/visits")).json()
            if any(
                v["visit"]["visit_id"] == str(visit.visit_id) and v["initiative"] for v in found
            ):
                break
            await asyncio.sleep(0.1)
        else:
            raise RuntimeError("the evaluation service did not take in the round")
    return created[0], str(visit.visit_id), str(round_id)


async def run(args: argparse.Namespace) -> dict[str, Any]:
    async with (
        fresh_vhost("cchc-bench-portal") as amqp_url,
        fresh_service_databases(APIS, "cchc_bench_portal") as databases,
    ):
        directory = Path(tempfile.mkdtemp(prefix="cchc-bench-portal-"))
        portal_port = free_port()
        running = ServiceProcesses(
            amqp_url,
            {**databases, "portal": ""},
            directory,
            auth_secret=SECRET,
            extra_env={"CCHC_PORTAL_DEVELOPMENT_SIGN_IN": "true", "CCHC_LOG_LEVEL": "WARNING"},
        )
        running.ports["portal"] = portal_port
        try:
            for service in APIS:
                running.start(service)
            running.env.update(
                {f"CCHC_PORTAL_{s.upper()}_URL": running.url(s) for s in APIS}
                | {"CCHC_PORTAL_PUBLIC_URL": f"http://127.0.0.1:{portal_port}"}
            )
            running.start("portal")
            await asyncio.to_thread(running.wait_ready, *APIS, "portal")
            initiative_id, visit_id, round_id = await seed(running, amqp_url, args.initiatives)
            results = []
            for page in pages(initiative_id, visit_id, round_id, vn_today().year):
                await check_calls(running, page)
                # warm both paths (connection pools, first template renders)
                await api_run(running, page, args.users, args.users * 2)
                await portal_run(running, page, args.users, args.users * 2)
                api, portal = [], []
                for _ in range(2):
                    api.append(await api_run(running, page, args.users, args.requests))
                    portal.append(await portal_run(running, page, args.users, args.requests))
                a, p = merged(api), merged(portal)
                ratio = p["p95_ms"] / a["p95_ms"]
                results.append(
                    {
                        "page": page.name,
                        "path": page.path,
                        "api_calls": sum(page.calls_by_service().values()),
                        "api": a,
                        "portal": p,
                        "p95_ratio": ratio,
                    }
                )
                print(
                    f"{page.name:28} API p50 {a['p50_ms']:6.1f} p95 {a['p95_ms']:6.1f} ms "
                    f"{a['per_s']:6.1f}/s | portal p50 {p['p50_ms']:6.1f} "
                    f"p95 {p['p95_ms']:6.1f} ms {p['per_s']:6.1f}/s | p95 ×{ratio:.2f}",
                    flush=True,
                )
            return {
                "machine": await machine_info(amqp_url),
                "users": args.users,
                "requests": args.requests,
                "initiatives": args.initiatives,
                "pages": results,
                "target_p95_ratio": P95_TARGET,
            }
        except BaseException:
            print(running.dump_logs(), file=sys.stderr)
            raise
        finally:
            running.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--users", type=int, default=16, help="concurrent signed-in people")
    parser.add_argument("--requests", type=int, default=400, help="loads per run and path")
    parser.add_argument("--initiatives", type=int, default=30, help="the agency's initiatives")
    parser.add_argument("--quick", action="store_true", help="8 people, 80 loads per run")
    parser.add_argument("--json", type=Path, help="also write every figure as JSON")
    args = parser.parse_args()
    if args.quick:
        args.users, args.requests, args.initiatives = 8, 80, 10
    report = asyncio.run(run(args))
    print(json.dumps(report["machine"], ensure_ascii=False))
    met = all(r["p95_ratio"] < P95_TARGET for r in report["pages"])
    print(
        f"target (portal p95 < {P95_TARGET:.2f} × the APIs' p95 on every page): "
        f"{'met' if met else 'NOT met'}"
    )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(report, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
