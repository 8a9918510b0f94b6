"""Intake phase: HTTP submissions, messages on cchc.inbound, waiting for the pool."""

from __future__ import annotations

from datetime import date
from functools import partial
from typing import Any

import aio_pika

from cchc_shared.contracts.envelope import encode_event
from cchc_shared.contracts.events import INBOUND_EXCHANGE, InboundInitiativeSubmittedV1
from cchc_shared.messaging.trust import broker_user
from cchc_shared.reference import load_agencies
from cchc_tools.demo.client import Api, _gather, _until
from cchc_tools.demo.progress import Progress
from cchc_tools.demo.scenario import Proposal, _inbound_id, invalid_messages
from cchc_tools.demo.settings import (
    PLATFORM_SOURCE,
    SURVEY_PLAN_NUMBER,
    SURVEY_PLAN_SIGNED_ON,
    VN,
    YEAR,
    DemoSettings,
    DemoSummary,
)


def _vn_today(settings: DemoSettings) -> date:
    return (settings.now() + VN).date()


async def set_survey_plan(api: Api) -> dict[str, Any]:
    """The campaign cites the Department's plan by its number and date (every notice, report
    and Tờ trình does), and its secretaries keep the record without scoring."""
    response = await api.call(
        "PATCH",
        "intake",
        f"/api/v1/campaigns/{YEAR}",
        role="admin",
        json={
            "plan_number": SURVEY_PLAN_NUMBER,
            "plan_signed_on": SURVEY_PLAN_SIGNED_ON.isoformat(),
            "secretary_scores": False,
        },
    )
    campaign: dict[str, Any] = response.json()
    return campaign


async def submit_http(
    api: Api, proposals: list[Proposal], summary: DemoSummary, progress: Progress
) -> None:
    campaign = await api.get("intake", f"/api/v1/campaigns/{YEAR}")
    original_close = campaign["submission_closes_on"]
    reopened = False
    if not campaign["accepting_submissions"]:
        await api.call(
            "PATCH",
            "intake",
            f"/api/v1/campaigns/{YEAR}",
            role="admin",
            json={"submission_closes_on": _vn_today(api.settings).isoformat()},
        )
        reopened = True
    progress.start("Gửi sáng kiến qua HTTP", len(proposals))
    try:

        async def submit(proposal: Proposal) -> None:
            response = await api.call(
                "POST",
                "intake",
                "/api/v1/initiatives",
                json=proposal.body(),
                ok=(201, 409),
            )
            if response.status_code == 201:
                summary.submitted_http += 1
            else:
                summary.submitted_http_existing += 1
            progress.advance()

        await _gather(api.settings.concurrency, (partial(submit, p) for p in proposals))
    finally:
        if reopened:
            await api.call(
                "PATCH",
                "intake",
                f"/api/v1/campaigns/{YEAR}",
                role="admin",
                json={"submission_closes_on": original_close},
            )
    progress.finish()


async def publish_inbound(
    settings: DemoSettings, proposals: list[Proposal], summary: DemoSummary, progress: Progress
) -> None:
    messages: list[tuple[str, bytes]] = []
    for index, p in enumerate(proposals):
        data = InboundInitiativeSubmittedV1(
            campaign_year=YEAR,
            agency_code=p.agency.code,
            kind=p.kind,
            title=p.title,
            summary=p.summary,
            par_area=p.par_area,
            applied_since=p.applied_since,
            results=p.results,
            limitations=p.limitations,
            submitted_at=p.submitted_at,
        )
        encoded = encode_event(
            data, source=PLATFORM_SOURCE, event_id=_inbound_id(settings.seed, index)
        )
        messages.append((encoded.event_id, encoded.body))
    invalid = invalid_messages(
        settings.seed, proposals[0].agency if proposals else next(iter(load_agencies().values()))
    )
    progress.start("Gửi qua cchc.inbound (nền tảng khác)", len(messages) + len(invalid))
    connection = await aio_pika.connect_robust(settings.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.declare_exchange(
            INBOUND_EXCHANGE, aio_pika.ExchangeType.TOPIC, durable=True
        )
        for message_id, body in [*messages, *invalid]:
            await exchange.publish(
                aio_pika.Message(
                    body,
                    message_id=message_id,
                    content_type="application/cloudevents+json",
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                    app_id="cchc-demo",
                    user_id=broker_user(settings.amqp_url),  # the broker checks who publishes
                ),
                routing_key="initiative.submitted.v1",
            )
            progress.advance()
    finally:
        await connection.close()
    summary.submitted_inbound = len(messages)
    summary.invalid_inbound = len(invalid)
    progress.finish()


async def intake_ids(api: Api) -> set[str]:
    ids: set[str] = set()
    page = 1
    while True:
        found = await api.get(
            "intake",
            "/api/v1/initiatives",
            params={"campaign_year": YEAR, "status": "submitted", "page": page, "page_size": 100},
        )
        ids.update(item["initiative_id"] for item in found["items"])
        if page * found["page_size"] >= found["total"]:
            return ids
        page += 1


async def wait_for_pool(
    api: Api, expected_titles: set[str], progress: Progress, timeout: float
) -> set[str]:
    """Wait until intake holds every expected initiative and scheduling's pool has them all."""
    progress.start("Chờ phân hệ lịch nhận sáng kiến", len(expected_titles))
    state: dict[str, Any] = {"ids": set()}

    async def complete() -> bool:
        pool = await api.get(
            "scheduling", "/api/v1/pool", params={"campaign_year": YEAR, "status": "in_pool"}
        )
        titles = {item["title"] for item in pool}
        have = len(expected_titles & titles)
        progress.advance(have - progress._done)
        if have < len(expected_titles):
            return False
        ids = await intake_ids(api)
        pool_ids = {item["initiative_id"] for item in pool}
        state["ids"] = ids
        return ids <= pool_ids

    await _until("scheduling's pool to hold every initiative", complete, timeout)
    progress.finish()
    ids: set[str] = state["ids"]
    return ids
