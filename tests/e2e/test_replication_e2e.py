"""End to end, the follow-up of replication: the replication and reporting services as separate
OS processes against the real RabbitMQ and PostgreSQL (a fresh database each). Evaluation's
recommendations arrive on ``cchc.events``; the PAR office records the Quyết định, the target
agencies report quarter by quarter (a repeat, an amendment, a refusal); an outside subscriber
must see every new event once, and reporting's follow-up must hold the figures that were sent,
before and after a rebuild from its event log."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import sys
import time
import unicodedata
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import aio_pika
import httpx
import pypdf
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import (
    InboundInitiativeSubmittedV1,
    ReplicationRecommendedV1,
    encode_event,
)
from cchc_shared.contracts.events import EVENTS_EXCHANGE, INBOUND_EXCHANGE, service_source
from cchc_shared.reference import districts, get_agency, wards_of
from cchc_testkit.bus import publish_as_services
from cchc_testkit.decisions import recognise_for_all_districts
from cchc_testkit.infra import fresh_service_databases
from cchc_testkit.processes import ServiceProcesses

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

SECRET = "e2e-replication-secret-" + "x" * 40
STACK = ("replication", "reporting")
NEW_KEYS = ("replication.decided.v1", "adoption.reported.v1")
QUARTERS = ("2024-Q1", "2024-Q2", "2024-Q3", "2024-Q4")


def agency_name(code: str) -> str:
    agency = get_agency(code)
    assert agency is not None
    return agency.name


def _headers(role: str, agency: str | None = None) -> dict[str, str]:
    token = issue_token(AuthSettings(secret=SECRET), role, agency)
    return {"Authorization": f"Bearer {token}"}


STAFF = _headers("secretariat")


def _recommended(title: str, agency: str, scope: str, score: float) -> ReplicationRecommendedV1:
    return ReplicationRecommendedV1(
        initiative_id=uuid.uuid4(),
        agency_code=agency,
        title=title,
        kind="model",
        par_area="procedures",
        final_score=score,
        evaluation_count=4,
        scope=scope,  # type: ignore[arg-type]
        rationale="Hiệu quả rõ rệt, có khả năng nhân rộng.",
        decided_at=datetime(2023, 11, 20, 3, 0, tzinfo=UTC),
        campaign_year=2023,
    )


@pytest.fixture
async def stack(
    amqp_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[ServiceProcesses]:
    async with AsyncExitStack() as exits:
        databases = await exits.enter_async_context(fresh_service_databases(STACK, "cchc_e2e"))
        running = ServiceProcesses(amqp_url, databases, tmp_path / "var", auth_secret=SECRET)
        try:
            await asyncio.to_thread(running.start_all, STACK)
            yield running
        finally:
            running.stop()
            call = getattr(request.node, "rep_call", None)
            if call is None or call.failed:
                print(running.dump_logs(), file=sys.stderr)


async def _until(what: str, check: Callable[[], Awaitable[bool]], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not await check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.3)


async def test_decision_and_adoption_reports_end_to_end(stack: ServiceProcesses) -> None:
    connection = await aio_pika.connect_robust(stack.amqp_url)
    received: list[dict[str, Any]] = []
    try:
        channel = await connection.channel()
        events = await channel.declare_exchange(EVENTS_EXCHANGE, "topic", durable=True)
        queue = await channel.declare_queue(
            "e2e-subscriber.follow-up", durable=True, arguments={"x-queue-type": "quorum"}
        )
        for key in NEW_KEYS:
            await queue.bind(events, routing_key=key)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                received.append(json.loads(message.body))

        await queue.consume(on_message)

        # Evaluation recommended four initiatives (published as evaluation publishes them).
        quan1, quan3 = districts()[0], next(d for d in districts() if d.name == "Quận 3")
        ward_model = _recommended(
            "Mô hình “Phường không hẹn lần hai”", wards_of(quan1.code)[0].code, "commune_level", 91
        )
        district_model = _recommended(
            "Giải pháp “Một cửa số liên thông cấp huyện”", quan1.code, "district_level", 88
        )
        unrecognised = _recommended("Sáng kiến chưa được công nhận", "SNV", "city_wide", 80)
        for data in (ward_model, district_model, unrecognised):
            message = encode_event(data, source=service_source("evaluation"))
            await events.publish(
                aio_pika.Message(
                    message.body,
                    message_id=message.event_id,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=message.routing_key,
            )

        api = stack.url("replication") + "/api/v1"
        reporting = stack.url("reporting") + "/api/v1"
        async with httpx.AsyncClient(timeout=30) as client:

            async def candidates_arrived() -> bool:
                found = await client.get(
                    f"{api}/candidates", params={"campaign_year": 2023}, headers=STAFF
                )
                return found.status_code == 200 and len(found.json()) == 3

            await _until("replication to hold the recommendations", candidates_arrived)

            never_recommended = uuid.uuid4()
            decision_body: dict[str, Any] = {
                "decision_number": "4821/QĐ-UBND",
                "signed_on": "2023-12-20",
                "signer_name": "Phan Văn Mãi",
                "signer_title": "CHỦ TỊCH",
                "campaign_year": 2023,
                "models": [
                    {
                        "initiative_id": str(ward_model.initiative_id),
                        "scope": "commune_level",
                        "targets": {"wards_of": [quan1.code, quan3.code]},
                        "deadline": "2024-12-31",
                    },
                    {
                        "initiative_id": str(district_model.initiative_id),
                        "scope": "district_level",
                        "targets": {"all_districts": True},
                        "deadline": "2024-09-30",
                    },
                ],
            }
            # Refused: a non-recommended initiative, a deadline before the signing date.
            refused = await client.post(
                f"{api}/decisions",
                headers=STAFF,
                json={
                    **decision_body,
                    "models": [
                        *decision_body["models"],
                        {
                            "initiative_id": str(never_recommended),
                            "scope": "city_wide",
                            "targets": {"agency_codes": ["STP"]},
                            "deadline": "2023-12-01",
                        },
                    ],
                },
            )
            assert refused.status_code == 422, refused.text
            fields = {f["field"]: f["message"] for f in refused.json()["detail"]}
            assert "đề xuất" in fields["models[2].initiative_id"]
            assert "sau ngày ký" in fields["models[2].deadline"]
            # An agency may not record it.
            as_agency = await client.post(
                f"{api}/decisions", headers=_headers("agency_submitter", "760"), json=decision_body
            )
            assert as_agency.status_code == 403

            recorded = await client.post(f"{api}/decisions", headers=STAFF, json=decision_body)
            assert recorded.status_code == 201, recorded.text
            decision = recorded.json()
            ward_targets = [t["agency_code"] for t in decision["models"][0]["targets"]]
            district_targets = [t["agency_code"] for t in decision["models"][1]["targets"]]
            expected_wards = [w.code for d in (quan1, quan3) for w in wards_of(d.code)]
            expected_wards.remove(ward_model.agency_code)  # it already applies its model
            assert ward_targets == expected_wards
            assert district_targets == [d.code for d in districts() if d.code != quan1.code]
            again = await client.post(f"{api}/decisions", headers=STAFF, json=decision_body)
            assert again.status_code == 422  # both initiatives are recognised already

            # A year of quarterly reports on the district model: adopters, one not suitable,
            # one still under way; the others never report.
            sent: dict[tuple[str, str], dict[str, Any]] = {}

            async def report(agency: str, quarter: str, **content: Any) -> httpx.Response:
                body = {
                    "initiative_id": str(district_model.initiative_id),
                    "agency_code": agency,
                    "quarter": quarter,
                    **content,
                }
                response = await client.post(
                    f"{api}/adoption-reports",
                    headers=_headers("agency_submitter", agency),
                    json=body,
                )
                if response.status_code == 201:
                    sent[(agency, quarter)] = body
                return response

            adopters = district_targets[:5]
            for n, agency in enumerate(adopters):
                for q, quarter in enumerate(QUARTERS[: 2 + n % 3]):
                    status = "adopted" if q >= 1 else "in_progress"
                    response = await report(
                        agency,
                        quarter,
                        status=status,
                        started_on="2024-02-15",
                        adaptation="Bố trí thêm quầy hướng dẫn hồ sơ trực tuyến.",
                        indicators={
                            "measured_from": f"2024-{3 * q + 1:02d}-01",
                            "measured_to": f"2024-{3 * q + 3:02d}-28",
                            "processing_days_before": 6.0,
                            "processing_days_after": 6.0 - q - n * 0.5,
                            "satisfaction_percent": 85.0 + q + n,
                            "cases_handled": 300 + 50 * q + 10 * n,
                        },
                    )
                    assert response.status_code == 201, response.text
            unsuitable = district_targets[5]
            response = await report(
                unsuitable,
                "2024-Q1",
                status="not_suitable",
                reason="Địa bàn huyện đã triển khai mô hình tương tự của Thành phố.",
            )
            assert response.status_code == 201
            under_way = district_targets[6]
            first = await report(
                under_way, "2024-Q2", status="in_progress", started_on="2024-05-02"
            )
            assert first.status_code == 201

            # Refusals, each naming its field: not a target, an end before a start, over 100 %.
            outsider = await report("SNV", "2024-Q1", status="not_started")
            assert outsider.status_code == 422
            assert outsider.json()["detail"][0]["field"] == "agency_code"
            backwards = await report(
                under_way,
                "2024-Q3",
                status="in_progress",
                started_on="2024-05-02",
                indicators={"measured_from": "2024-09-30", "measured_to": "2024-07-01"},
            )
            assert backwards.status_code == 422
            assert backwards.json()["detail"][0]["field"] == "indicators.measured_to"
            too_satisfied = await report(
                under_way,
                "2024-Q3",
                status="in_progress",
                started_on="2024-05-02",
                indicators={"satisfaction_percent": 104},
            )
            assert too_satisfied.status_code == 422
            assert "100" in too_satisfied.json()["detail"][0]["message"]
            not_own = await client.post(
                f"{api}/adoption-reports",
                headers=_headers("agency_submitter", adopters[0]),
                json={**sent[(under_way, "2024-Q2")]},
            )
            assert not_own.status_code == 403

            # A repeated report changes nothing: same report, no new revision, no event.
            repeat = await report(
                under_way, "2024-Q2", status="in_progress", started_on="2024-05-02"
            )
            assert repeat.status_code == 200
            assert repeat.json()["report_id"] == first.json()["report_id"]
            # An amendment replaces the quarter's figures and keeps the history.
            amended = await report(
                under_way,
                "2024-Q2",
                status="adopted",
                started_on="2024-05-02",
                indicators={"satisfaction_percent": 90, "cases_handled": 120},
            )
            assert amended.status_code == 201 and amended.json()["revision"] == 2
            history = await client.get(
                f"{api}/models/{district_model.initiative_id}/agencies/{under_way}/reports",
                headers=_headers("agency_submitter", under_way),
            )
            assert [(r["quarter"], r["revision"], r["status"]) for r in history.json()] == [
                ("2024-Q2", 1, "in_progress"),
                ("2024-Q2", 2, "adopted"),
            ]
            workspace = await client.get(
                f"{api}/agencies/{under_way}/assignments",
                headers=_headers("agency_submitter", under_way),
            )
            assert [(a["model"]["title"], a["status"]) for a in workspace.json()] == [
                (district_model.title, "adopted")
            ]

            # The outside subscriber saw one decision and one event per new revision, once.
            revisions = len(sent) + 1  # every first report, and the amendment
            await _until(
                "the subscriber to see every new event",
                _count_at_least(received, 1 + revisions),
            )
            await asyncio.sleep(1.0)  # and nothing more arrives
            types = [e["type"].removeprefix("vn.hcmc.cchc.") for e in received]
            assert types.count("replication.decided.v1") == 1
            assert types.count("adoption.reported.v1") == revisions
            assert len({e["id"] for e in received}) == len(received)
            for event in received:
                assert event["source"] == "/cchc/replication"

            expected = _expected_figures(sent, district_targets, adopters, unsuitable, under_way)
            await _assert_reporting(client, reporting, district_model.initiative_id, expected)
            record = await client.get(
                f"{reporting}/follow-up/decisions/{decision['decision_id']}/record.pdf",
                headers=STAFF,
            )
            assert record.status_code == 200, record.text
            assert "Kèm theo Quyết định số 4821/QĐ-UBND" in _pdf_text(record.content)
    finally:
        await connection.close()


def _count_at_least(items: list[Any], count: int) -> Callable[[], Awaitable[bool]]:
    async def check() -> bool:
        return len(items) >= count

    return check


def _expected_figures(
    sent: dict[tuple[str, str], dict[str, Any]],
    targets: list[str],
    adopters: list[str],
    unsuitable: str,
    under_way: str,
) -> dict[str, Any]:
    adopted = [*adopters, under_way]  # the amendment made it adopted
    cases = 0  # the amendment's body replaced its quarter's in ``sent``, as in reporting
    for body in sent.values():
        cases += body.get("indicators", {}).get("cases_handled") or 0
    return {
        "revisions": len(sent) + 1,
        "targets": len(targets),
        "adopted": len(adopted),
        "not_suitable": 1,
        "reporting_agencies": len(adopted) + 1,
        "never_reported": len(targets) - len(adopted) - 1,
        "cases_handled": cases,
        "adopted_codes": sorted(adopted),
        "unsuitable": unsuitable,
    }


async def _assert_reporting(
    client: httpx.AsyncClient, reporting: str, initiative_id: uuid.UUID, expected: dict[str, Any]
) -> None:
    """Reporting's follow-up holds what the agencies sent: publicly (no sign-in), in the
    yearly report's PDF text, and again after a rebuild from its event log."""

    async def figures() -> dict[str, Any]:
        found = await client.get(f"{reporting}/follow-up/models/{initiative_id}")
        assert found.status_code == 200, found.text
        return dict(found.json())

    async def caught_up() -> bool:
        found = await client.get(f"{reporting}/admin/log", headers=STAFF)
        by_type = found.json()["by_type"] if found.status_code == 200 else {}
        return bool(by_type.get("vn.hcmc.cchc.adoption.reported.v1") == expected["revisions"])

    await _until("reporting to hold every report", caught_up)
    live = await figures()
    assert live["targets"] == expected["targets"]
    assert live["adopted"] == expected["adopted"]
    assert live["counts"]["not_suitable"] == expected["not_suitable"]
    assert live["counts"]["no_report"] == expected["never_reported"]
    assert live["adoption_percent"] == round(100 * expected["adopted"] / expected["targets"], 1)
    adopted = sorted(
        t["agency_code"] for t in live["target_agencies"] if t["standing"] == "adopted"
    )
    assert adopted == expected["adopted_codes"]
    assert sum(d["targets"] for d in live["districts"]) == expected["targets"]
    assert sum(d["adopted"] for d in live["districts"]) == expected["adopted"]
    assert live["timeline"][-1]["counts"]["adopted"] == expected["adopted"]
    picture = await client.get(f"{reporting}/follow-up/models/{initiative_id}/map.svg")
    assert picture.headers["content-type"].startswith("image/svg+xml")
    assert picture.text.count("<rect") >= 22

    # The agency sees what it must adopt; the PAR office what is overdue; both signed in.
    unsuitable = expected["unsuitable"]
    own = await client.get(
        f"{reporting}/follow-up/agencies/{unsuitable}",
        headers=_headers("agency_submitter", unsuitable),
    )
    assert [a["target"]["standing"] for a in own.json()] == ["not_suitable"]
    other = await client.get(
        f"{reporting}/follow-up/agencies/{unsuitable}",
        headers=_headers("agency_submitter", expected["adopted_codes"][0]),
    )
    assert other.status_code == 403
    late = await client.get(f"{reporting}/follow-up/overdue", headers=STAFF)
    past = {o["agency_code"] for o in late.json() if o["initiative_id"] == str(initiative_id)}
    assert len(past) == expected["never_reported"]
    assert (await client.get(f"{reporting}/follow-up/overdue")).status_code == 401
    sheet = await client.get(f"{reporting}/follow-up/export.xlsx", headers=STAFF)
    assert sheet.content.startswith(b"PK")

    # The yearly report, read from its PDF's text: the counts and the agencies.
    pdf = await client.get(f"{reporting}/follow-up/reports/2024.pdf", headers=STAFF)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = _pdf_text(pdf.content)
    assert "BÁO CÁO" in text and "triển khai nhân rộng" in text
    assert f"Có {expected['adopted']}/{expected['targets']} cơ quan, đơn vị đã áp dụng" in text
    for code in expected["adopted_codes"]:
        assert agency_name(code) in text, code
    assert f"{agency_name(unsuitable)} báo cáo không phù hợp" in text
    docx_file = await client.get(f"{reporting}/follow-up/reports/2024.docx", headers=STAFF)
    assert docx_file.content.startswith(b"PK")

    # A rebuild from the event log gives the same figures.
    rebuilt = await client.post(f"{reporting}/admin/rebuild", headers=_headers("admin"))
    assert rebuilt.status_code == 200, rebuilt.text
    assert await figures() == live


def _pdf_text(content: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(content))
    text = " ".join(page.extract_text() or "" for page in reader.pages)
    return " ".join(unicodedata.normalize("NFC", text).split())


LINEAGE_STACK = ("intake", "replication", "reporting")
PLATFORM = "https://motcua.hochiminhcity.gov.vn"


@pytest.fixture
async def lineage_stack(
    amqp_url: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[ServiceProcesses]:
    async with AsyncExitStack() as exits:
        databases = await exits.enter_async_context(
            fresh_service_databases(LINEAGE_STACK, "cchc_e2e_lineage")
        )
        running = ServiceProcesses(amqp_url, databases, tmp_path / "var", auth_secret=SECRET)
        try:
            await asyncio.to_thread(running.start_all, LINEAGE_STACK)
            yield running
        finally:
            running.stop()
            call = getattr(request.node, "rep_call", None)
            if call is None or call.failed:
                print(running.dump_logs(), file=sys.stderr)


def _inbound(year: int, agency: str, title: str, **more: Any) -> InboundInitiativeSubmittedV1:
    return InboundInitiativeSubmittedV1.model_validate(
        {
            "campaign_year": year,
            "agency_code": agency,
            "kind": "model",
            "title": title,
            "summary": "Tiếp nhận và trả kết quả hồ sơ tại một cửa số.",
            "par_area": "procedures",
            "applied_since": f"{year - 1}-03-01",
            "results": "Thời gian giải quyết hồ sơ giảm 40%.",
            "limitations": "",
            "submitted_at": f"{year}-05-10T02:00:00Z",
            **more,
        }
    )


async def test_a_2024_initiative_builds_on_a_recognised_2023_one(
    lineage_stack: ServiceProcesses,
) -> None:
    """Another platform publishes a 2023 model of Quận 1 and, a year later, Quận 3's adoption
    of it (``builds_on``); evaluation recommends the 2023 one, the Committee recognises it,
    Quận 3 reports it adopted; reporting's history of the 2024 initiative shows the chain with
    each year's outcome, and of the 2023 one the later initiative building on it."""
    stack = lineage_stack
    intake = stack.url("intake") + "/api/v1"
    replication = stack.url("replication") + "/api/v1"
    reporting = stack.url("reporting") + "/api/v1"
    quan1 = districts()[0]
    quan3 = next(d for d in districts() if d.name == "Quận 3")
    connection = await aio_pika.connect_robust(stack.amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        inbound = await channel.declare_exchange(INBOUND_EXCHANGE, "topic", durable=True)
        events = await channel.declare_exchange(EVENTS_EXCHANGE, "topic", durable=True)

        async def publish(exchange: Any, data: Any, source: str) -> None:
            message = encode_event(data, source=source)
            await exchange.publish(
                aio_pika.Message(
                    message.body,
                    message_id=message.event_id,
                    content_type=message.content_type,
                    delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
                ),
                routing_key=message.routing_key,
            )

        async with httpx.AsyncClient(timeout=30) as client:
            admin = _headers("admin")
            opened = await client.post(
                f"{intake}/campaigns",
                headers=admin,
                json={
                    "year": 2024,
                    "submission_opens_on": "2024-03-01",
                    "submission_closes_on": "2024-05-31",
                    "survey_starts_on": "2024-06-01",
                    "survey_ends_on": "2024-10-31",
                },
            )
            assert opened.status_code == 201, opened.text

            async def initiatives_of(year: int) -> list[dict[str, Any]]:
                found = await client.get(
                    f"{intake}/initiatives", params={"campaign_year": year}, headers=STAFF
                )
                assert found.status_code == 200, found.text
                items: list[dict[str, Any]] = found.json()["items"]
                return items

            title_2023 = "Mô hình “Một cửa số” Quận 1"
            await publish(inbound, _inbound(2023, quan1.code, title_2023), PLATFORM)

            async def taken_2023() -> bool:
                return len(await initiatives_of(2023)) == 1

            await _until("intake to take in the 2023 model", taken_2023)
            [model] = await initiatives_of(2023)
            model_id = uuid.UUID(model["initiative_id"])

            # Refused at the edge: an unknown initiative, one of the same year.
            await publish(
                inbound,
                _inbound(
                    2024,
                    quan3.code,
                    "Tham chiếu không tồn tại",
                    builds_on={"initiative_id": str(uuid.uuid4()), "relation": "adoption"},
                ),
                PLATFORM,
            )
            # Taken: Quận 3's adoption of the 2023 model of Quận 1.
            title_2024 = "Áp dụng mô hình “Một cửa số” tại Quận 3"
            await publish(
                inbound,
                _inbound(
                    2024,
                    quan3.code,
                    title_2024,
                    builds_on={"initiative_id": str(model_id), "relation": "adoption"},
                ),
                PLATFORM,
            )

            async def taken_2024() -> bool:
                return len(await initiatives_of(2024)) == 1

            await _until("intake to take in the 2024 initiative", taken_2024)
            [adoption] = await initiatives_of(2024)
            assert adoption["title"] == title_2024
            adoption_id = adoption["initiative_id"]
            detail = await client.get(f"{intake}/initiatives/{adoption_id}", headers=STAFF)
            assert detail.json()["builds_on"] == {
                "initiative_id": str(model_id),
                "relation": "adoption",
            }

            async def refused() -> list[dict[str, Any]]:
                found = await client.get(
                    f"{intake}/inbound/rejections", params={"campaign_year": 2024}, headers=STAFF
                )
                assert found.status_code == 200, found.text
                items: list[dict[str, Any]] = found.json()
                return items

            async def refusal_kept() -> bool:
                return len(await refused()) == 1

            await _until("intake to keep the refused message", refusal_kept)
            [refusal] = await refused()
            assert any(
                e["field"] == "$.data.builds_on.initiative_id"
                and e["message"].startswith("Không tìm thấy đề xuất có mã")
                for e in refusal["errors"]
            ), refusal

            # Evaluation recommends the 2023 model; the Committee recognises it for every
            # district; Quận 3 reports it adopted.
            await publish(
                events,
                ReplicationRecommendedV1(
                    initiative_id=model_id,
                    agency_code=quan1.code,
                    title=title_2023,
                    kind="model",
                    par_area="procedures",
                    final_score=91.5,
                    evaluation_count=4,
                    scope="district_level",
                    rationale="Hiệu quả rõ rệt, có khả năng nhân rộng.",
                    decided_at=datetime(2023, 11, 20, 3, 0, tzinfo=UTC),
                    campaign_year=2023,
                ),
                service_source("evaluation"),
            )

            recorded = await recognise_for_all_districts(client, replication, STAFF, model_id)
            assert recorded.status_code == 201, recorded.text
            reported = await client.post(
                f"{replication}/adoption-reports",
                headers=_headers("agency_submitter", quan3.code),
                json={
                    "initiative_id": str(model_id),
                    "agency_code": quan3.code,
                    "quarter": "2024-Q1",
                    "status": "adopted",
                    "started_on": "2024-02-01",
                    "adaptation": "Áp dụng tại bộ phận một cửa của Quận 3.",
                },
            )
            assert reported.status_code == 201, reported.text

            async def history(initiative_id: Any, headers: dict[str, str]) -> dict[str, Any]:
                found = await client.get(
                    f"{reporting}/initiatives/{initiative_id}/lineage", headers=headers
                )
                assert found.status_code == 200, found.text
                body: dict[str, Any] = found.json()
                return body

            async def adopted_shown() -> bool:
                try:
                    entries = (await history(adoption_id, STAFF))["entries"]
                except AssertionError:
                    return False
                first = entries[0]
                return bool(
                    first.get("recognition")
                    and first["recognition"]["adopted"] == 1
                    and entries[1]["adoption_status"] == "adopted"
                )

            await _until("reporting to show the history", adopted_shown)
            earlier, this = (await history(adoption_id, STAFF))["entries"]
            assert (earlier["place"], earlier["campaign_year"]) == ("earlier", 2023)
            assert (earlier["title"], earlier["agency_code"]) == (title_2023, quan1.code)
            assert earlier["status"] == "recommended" and earlier["score"] == 91.5
            assert earlier["decision_name"] == "Đề xuất công nhận, nhân rộng"
            recognition = earlier["recognition"]
            assert recognition["decision_number"] == "4821/QĐ-UBND"
            assert recognition["targets"] == len(districts()) - 1  # every district but Quận 1
            assert (this["place"], this["campaign_year"]) == ("this", 2024)
            assert this["relation"] == "adoption"
            assert this["relation_name"] == "Áp dụng mô hình đã được công nhận"
            assert this["builds_on_id"] == str(model_id)
            assert this["adoption_status_name"] == "Đã áp dụng"

            # Quận 3's own staff read it: the 2023 model of another district shows its public
            # recognition, not its score; the model's page lists the later initiative.
            as_quan3 = await history(adoption_id, _headers("agency_submitter", quan3.code))
            seen = as_quan3["entries"][0]
            assert seen["score"] is None and seen["recognition"] is not None
            forward = (await history(model_id, STAFF))["entries"]
            assert [e["place"] for e in forward] == ["this", "later"]
            assert forward[1]["initiative_id"] == adoption_id
            # Another district may not read Quận 3's initiative.
            other = await client.get(
                f"{reporting}/initiatives/{adoption_id}/lineage",
                headers=_headers("agency_submitter", "771"),
            )
            assert other.status_code == 404
    finally:
        await connection.close()


PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"Bien ban kiem tra. " * 200
PNG = bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


async def test_evidence_attachments_of_adoption_reports(stack: ServiceProcesses) -> None:
    """An agency uploads evidence for its report (stored and typed by replication), attaches
    it to a report, sees it on every revision; the event describes it; it downloads only for
    who may read the report; a file of a refused type or from a non-target is refused."""
    connection = await aio_pika.connect_robust(stack.amqp_url)
    received: list[dict[str, Any]] = []
    try:
        channel = await connection.channel()
        events = await channel.declare_exchange(EVENTS_EXCHANGE, "topic", durable=True)
        queue = await channel.declare_queue(
            "e2e-subscriber.evidence", durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(events, routing_key="adoption.reported.v1")

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            async with message.process():
                received.append(json.loads(message.body))

        await queue.consume(on_message)
        quan1 = districts()[0]
        quan3 = next(d for d in districts() if d.name == "Quận 3")
        model = _recommended("Mô hình “Một cửa số”", quan1.code, "district_level", 90)
        await publish_as_services(stack.amqp_url, model, publisher="evaluation")
        api = stack.url("replication") + "/api/v1"
        agency = _headers("agency_submitter", quan3.code)
        base = f"{api}/models/{model.initiative_id}/agencies/{quan3.code}"
        async with httpx.AsyncClient(timeout=30) as client:
            recorded = await recognise_for_all_districts(client, api, STAFF, model.initiative_id)
            assert recorded.status_code == 201, recorded.text

            async def upload(name: str, content: bytes, headers: dict[str, str], url: str = base):
                return await client.post(
                    f"{url}/evidence",
                    headers=headers,
                    files={"file": (name, content, "application/pdf")},
                )

            minutes = await upload("Biên bản kiểm tra Quý 1.pdf", PDF, agency)
            assert minutes.status_code == 201, minutes.text
            pdf = minutes.json()
            assert pdf["media_type"] == "application/pdf" and pdf["size"] == len(PDF)
            assert pdf["sha256"] == hashlib.sha256(PDF).hexdigest()
            assert unicodedata.is_normalized("NFC", pdf["filename"])
            photo = await upload("anh-hien-truong.pdf", PNG, agency)  # named .pdf, is a PNG
            assert photo.status_code == 201 and photo.json()["media_type"] == "image/png"
            assert photo.json()["filename"] == "anh-hien-truong.pdf.png"

            # Refused: a program under a document's name, a non-target, another district.
            program = await upload("bao-cao.pdf", b"MZ\x90\x00" + b"\x00" * 64, agency)
            assert program.status_code == 415
            [fault] = program.json()["detail"]
            assert fault["field"] == "file" and fault["message"].startswith("Chỉ nhận tệp")
            own_agency = f"{api}/models/{model.initiative_id}/agencies/{quan1.code}"
            not_target = await upload(
                "x.pdf", PDF, _headers("agency_submitter", quan1.code), own_agency
            )
            assert not_target.status_code == 422
            assert not_target.json()["detail"][0]["field"] == "agency_code"
            assert (
                await upload("x.pdf", PDF, _headers("agency_submitter", "771"))
            ).status_code == 403

            body = {
                "initiative_id": str(model.initiative_id),
                "agency_code": quan3.code,
                "quarter": "2024-Q1",
                "status": "adopted",
                "started_on": "2024-02-01",
                "evidence_ids": [pdf["evidence_id"]],
            }
            first = await client.post(f"{api}/adoption-reports", headers=agency, json=body)
            assert first.status_code == 201, first.text
            assert [e["evidence_id"] for e in first.json()["evidence"]] == [pdf["evidence_id"]]
            again = await client.post(f"{api}/adoption-reports", headers=agency, json=body)
            assert again.status_code == 200  # the same report, the same evidence: a repeat
            amended = await client.post(
                f"{api}/adoption-reports",
                headers=agency,
                json={**body, "evidence_ids": [pdf["evidence_id"], photo.json()["evidence_id"]]},
            )
            assert amended.status_code == 201 and amended.json()["revision"] == 2
            # Another district's evidence, or an unknown id, is not this report's to attach.
            other = await upload(
                "y.pdf",
                PDF + b"Quan 4",
                _headers("agency_submitter", districts()[3].code),
                f"{api}/models/{model.initiative_id}/agencies/{districts()[3].code}",
            )
            assert other.status_code == 201, other.text
            foreign = await client.post(
                f"{api}/adoption-reports",
                headers=agency,
                json={**body, "evidence_ids": [other.json()["evidence_id"]]},
            )
            assert foreign.status_code == 422
            assert foreign.json()["detail"][0]["field"] == "evidence_ids[0]"

            # Listed on every revision of the history.
            history = await client.get(f"{base}/reports", headers=agency)
            assert [len(r["evidence"]) for r in history.json()] == [1, 2]

            # The event describes each file; its download path works for who may read it.
            async def two_reported() -> bool:
                return len(received) == 2

            await _until("the subscriber to see both revisions", two_reported)
            described = received[-1]["data"]["evidence"]
            assert [e["sha256"] for e in described] == [
                hashlib.sha256(PDF).hexdigest(),
                hashlib.sha256(PNG).hexdigest(),
            ]
            path = described[0]["download_path"]
            url = stack.url("replication") + path
            for reader in (agency, STAFF, _headers("committee_viewer")):
                got = await client.get(url, headers=reader)
                assert got.status_code == 200 and got.content == PDF
                assert got.headers["content-type"] == "application/pdf"
            assert (
                await client.get(url, headers=_headers("agency_submitter", "771"))
            ).status_code == 403
            assert (await client.get(url)).status_code == 401
            wrong_agency = path.replace(f"/agencies/{quan3.code}/", f"/agencies/{quan1.code}/")
            got = await client.get(stack.url("replication") + wrong_agency, headers=STAFF)
            assert got.status_code == 404
    finally:
        await connection.close()
