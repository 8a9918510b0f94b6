"""The demo's run: the phases in order, and the ``cchc demo`` entry point."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

import httpx

from cchc_tools.demo.client import Api, _until, wait_ready
from cchc_tools.demo.decisions import decide
from cchc_tools.demo.evaluation import evaluate
from cchc_tools.demo.follow_up import follow_up
from cchc_tools.demo.intake import (
    intake_ids,
    publish_inbound,
    set_survey_plan,
    submit_http,
    wait_for_pool,
)
from cchc_tools.demo.mail import mail_report
from cchc_tools.demo.planning import plan_rounds
from cchc_tools.demo.progress import Progress
from cchc_tools.demo.reporting import download, wait_for_reporting
from cchc_tools.demo.scenario import generate
from cchc_tools.demo.settings import (
    DECISIONS_AT,
    PLANNING_AT,
    REPORTING_AT,
    SUBMISSIONS_AT,
    YEAR,
    DemoError,
    DemoSettings,
    DemoSummary,
)


async def run_demo(settings: DemoSettings) -> DemoSummary:
    started = time.monotonic()
    progress = Progress(settings.progress)
    summary = DemoSummary()
    proposals = generate(settings.seed, settings.initiatives)
    inbound = proposals[: settings.inbound]
    http = proposals[settings.inbound :]
    by_title = {p.title: p for p in proposals}
    async with httpx.AsyncClient(timeout=60) as client:
        api = Api(settings, client)
        await wait_ready(api, settings.wait_timeout)
        settings.set_clock(SUBMISSIONS_AT)
        await set_survey_plan(api)
        await submit_http(api, http, summary, progress)
        await publish_inbound(settings, inbound, summary, progress)
        await wait_for_pool(api, set(by_title), progress, settings.wait_timeout)
        pool = await api.get("scheduling", "/api/v1/pool", params={"campaign_year": YEAR})
        by_id = {
            item["initiative_id"]: by_title[item["title"]]
            for item in pool
            if item["title"] in by_title
        }
        settings.set_clock(PLANNING_AT)
        rounds = await plan_rounds(api, progress)
        summary.rounds = len(rounds)
        summary.visits = sum(len(r["visits"]) for r in rounds)
        await evaluate(api, rounds, by_id, progress, settings.wait_timeout)
        settings.set_clock(DECISIONS_AT)
        ranking = await decide(api, progress)
        summary.initiatives = len(await intake_ids(api))
        summary.evaluations = sum(i["aggregate"]["count"] for i in ranking["items"])
        decided = [i for i in ranking["items"] if i["decision"] is not None]
        summary.decided = len(decided)
        summary.recommended_ids = sorted(
            i["initiative_id"] for i in decided if i["decision"]["decision"] == "replicate"
        )
        summary.recommended = len(summary.recommended_ids)
        await wait_for_reporting(
            api,
            {
                "initiatives_active": summary.initiatives,
                "rounds_confirmed": summary.rounds,
                "visits_planned": summary.visits,
                "evaluations": summary.evaluations,
                "recommended": summary.recommended,
            },
            progress,
            settings.wait_timeout,
        )
        # Reporting counts a rejected inbound message in the campaign it named, or, when it
        # named none (not JSON), in the year it arrived, and serves only years with campaign
        # data: best effort, a short wait, and the summary says what reporting shows.
        try:
            await _until(
                "reporting to count the rejected inbound messages",
                lambda: _rejected_at_least(api, summary),
                min(20.0, settings.wait_timeout),
            )
        except DemoError:
            progress.note(
                f"reporting shows {summary.rejected} rejected inbound message(s) "
                f"of the {summary.invalid_inbound} invalid ones sent"
            )
        mail = await mail_report(api, rounds, progress, settings.wait_timeout, settings.out)
        summary.mail_lines = mail.lines()
        settings.set_clock(REPORTING_AT)
        if settings.out is not None:
            await download(api, settings.out, rounds, summary, progress)
        await follow_up(api, settings, summary, progress)
    summary.seconds = time.monotonic() - started
    return summary


async def _rejected_at_least(api: Api, summary: DemoSummary) -> bool:
    for year in sorted({YEAR, api.settings.now().year}):
        response = await api.call(
            "GET", "reporting", f"/api/v1/campaigns/{year}/dashboard", ok=(200, 404)
        )
        if response.status_code == 200:
            summary.rejected = max(summary.rejected, int(response.json()["inbound_rejected"]))
    return summary.rejected >= summary.invalid_inbound


def main(out: str | None = None, seed: int = 2023, count: int = 150, inbound: int = 24) -> int:
    settings = DemoSettings(
        out=Path(out) if out else None, seed=seed, initiatives=count, inbound=inbound
    )
    try:
        summary = asyncio.run(run_demo(settings))
    except DemoError as exc:
        print(f"\ndemo failed: {exc}", file=sys.stderr)
        return 1
    print("\n".join(summary.lines()))
    if summary.files:
        print(f"  văn bản trong {settings.out}")
    return 0
