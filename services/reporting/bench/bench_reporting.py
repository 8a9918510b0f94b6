"""Benchmark (not a test): time to build the dashboard and the documents for a campaign of
1,000 and 10,000 initiatives.

    uv run python services/reporting/bench/bench_reporting.py [--sizes 1000 10000]
        [--database-url postgresql://postgres@127.0.0.1:5432/bench_reporting]

For each size it generates a realistic campaign as events (initiatives from every kind of
agency, rounds of 20 visits with a team of three evaluators and a secretary, evaluations of
most visits, some amendments, withdrawals, cancellations, decisions and recommendations),
writes them to the service's event log, rebuilds the read models from the log, and times:

* live projection of single events through the handler (events/s, one transaction each);
* the rebuild of every read model from the log;
* the dashboard: loading the campaign's facts and building every view (cold), and a repeated
  request (warm: the views are reused while the log has not moved);
* the XLSX export of every initiative;
* each document as DOCX and PDF: the campaign survey report (with its PAR-Index annex), the
  proposal to the Chairman, the PAR-Index annex, one round's report.

Default database: a fresh SQLite file in a temporary directory.
"""

from __future__ import annotations

import argparse
import asyncio
import platform
import random
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import delete, insert

from cchc_reporting.adapters import exports
from cchc_reporting.adapters.documents import DocumentBuilder, render
from cchc_reporting.adapters.orm import event_log, kit_tables
from cchc_reporting.bootstrap import MIGRATIONS
from cchc_reporting.domain.filters import InitiativeFilter
from cchc_reporting.service_layer import handlers
from cchc_reporting.service_layer.queries import CampaignViews
from cchc_reporting.service_layer.unit_of_work import SqlReportingUnitOfWork
from cchc_shared.contracts import decode_message, encode_event, parse_data
from cchc_shared.contracts.envelope import EncodedMessage
from cchc_shared.contracts.events import (
    PAR_AREAS,
    CriterionScore,
    EvaluationRecordedV1,
    EventData,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    ReplicationRecommendedV1,
    RoundCancelledV1,
    RoundScheduledV1,
    SelectionDecidedV1,
    TeamMember,
    Visit,
    event_for_type,
    service_source,
)
from cchc_shared.persistence import create_engine
from cchc_shared.persistence.migrations import upgrade_async
from cchc_shared.reference import AgencyLevel, load_agencies

YEAR = 2023
T = TypeVar("T")


def campaign(size: int, seed: int = 2023) -> list[EncodedMessage]:
    rng = random.Random(seed)
    agencies = list(load_agencies().values())
    communes = [a.code for a in agencies if a.level is AgencyLevel.COMMUNE]
    others = [a.code for a in agencies if a.level is not AgencyLevel.COMMUNE]
    start = datetime(YEAR, 3, 1, 8, tzinfo=UTC)
    events: list[EncodedMessage] = []

    def emit(data: EventData, at: datetime) -> None:
        source = service_source(type(data).publisher)
        events.append(encode_event(data, source=source, occurred_at=at))

    initiatives: list[tuple[uuid.UUID, str, str]] = []
    for n in range(size):
        agency = rng.choice(communes) if rng.random() < 0.6 else rng.choice(others)
        area = rng.choice(PAR_AREAS)
        initiative_id = uuid.uuid4()
        submitted_at = start + timedelta(minutes=n)
        data = InitiativeSubmittedV1(
            initiative_id=initiative_id,
            campaign_year=YEAR,
            agency_code=agency,
            kind=rng.choice(("model", "solution", "initiative")),
            title=f"Mô hình cải cách hành chính số {n + 1}: một cửa liên thông hiện đại",
            summary="Tiếp nhận, giải quyết và trả kết quả thủ tục hành chính trên môi trường số.",
            par_area=area,  # type: ignore[arg-type]
            applied_since=date(2022, 1, 1) + timedelta(days=rng.randrange(365)),
            results="Rút ngắn 40% thời gian giải quyết hồ sơ; người dân hài lòng 95%.",
            limitations="Hạ tầng công nghệ thông tin chưa đồng bộ.",
            submitted_at=submitted_at,
        )
        emit(data, submitted_at)
        if rng.random() < 0.1:
            amended = InitiativeAmendedV1(
                **{**data.model_dump(), "title": data.title + " (bổ sung)"},
                amended_at=submitted_at + timedelta(days=5),
            )
            emit(amended, submitted_at + timedelta(days=5))
        initiatives.append((initiative_id, agency, area))

    surveyed = initiatives[: int(size * 0.6)]
    members = [f"m{i}" for i in range(1, 31)]
    for sequence, offset in enumerate(range(0, len(surveyed), 20), start=1):
        batch = surveyed[offset : offset + 20]
        round_id = uuid.uuid4()
        first_day = date(YEAR, 6, 1) + timedelta(days=(sequence * 3) % 140)
        team_ids = rng.sample(members, 3)
        team = [
            TeamMember(
                member_id=team_ids[0], name="Ngô Thị Hoàng Các", role="head", agency_code="SNV"
            ),
            TeamMember(member_id=team_ids[1], name="Trần Văn Ơn", role="member", agency_code="STP"),
            TeamMember(member_id=team_ids[2], name="Lê Thị Ưng", role="member", agency_code="VPUB"),
            TeamMember(member_id="s1", name="Phạm Đức Thư", role="secretary", agency_code="SNV"),
        ]
        visits = [
            Visit(
                visit_id=uuid.uuid4(),
                initiative_id=initiative_id,
                agency_code=agency,
                date=first_day + timedelta(days=i // 4),
                starts_at=clock(8 + 2 * (i % 4), 0),
            )
            for i, (initiative_id, agency, _) in enumerate(batch)
        ]
        scheduled_at = datetime.combine(first_day, clock(8), UTC) - timedelta(days=10)
        emit(
            RoundScheduledV1(
                round_id=round_id,
                campaign_year=YEAR,
                sequence=sequence,
                starts_on=first_day,
                ends_on=first_day + timedelta(days=5),
                team=team,
                visits=visits,
            ),
            scheduled_at,
        )
        if rng.random() < 0.03:
            emit(
                RoundCancelledV1(
                    round_id=round_id,
                    campaign_year=YEAR,
                    sequence=sequence,
                    reason="Thay đổi kế hoạch",
                    cancelled_at=scheduled_at + timedelta(days=2),
                ),
                scheduled_at + timedelta(days=2),
            )
            continue
        for visit in visits:
            if rng.random() < 0.1:
                continue  # not evaluated yet
            totals = []
            recorded = datetime.combine(visit.date, clock(17), UTC)
            for evaluator in team_ids[: rng.choice((2, 3, 3))]:
                total = round(rng.uniform(45, 98), 1)
                totals.append(total)
                emit(
                    EvaluationRecordedV1(
                        evaluation_id=uuid.uuid4(),
                        initiative_id=visit.initiative_id,
                        round_id=round_id,
                        visit_id=visit.visit_id,
                        evaluator_id=evaluator,
                        scores=[
                            CriterionScore(criterion="Tính mới", score=total * 0.3, max_score=30),
                            CriterionScore(criterion="Hiệu quả", score=total * 0.7, max_score=70),
                        ],
                        total=total,
                        strengths=rng.choice(
                            (
                                "Người dân, doanh nghiệp hài lòng.",
                                "Giảm thời gian giải quyết hồ sơ.",
                                "Dễ nhân rộng ở đơn vị khác.",
                            )
                        ),
                        limitations="Hạ tầng công nghệ thông tin chưa đồng bộ.",
                        difficulties=rng.choice(
                            ("Thiếu nhân lực có chuyên môn.", "Kinh phí duy trì còn hạn chế.")
                        ),
                        recommendation="replicate" if total >= 80 else "improve",
                        recorded_at=recorded,
                    ),
                    recorded,
                )
            final = round(sum(totals) / len(totals), 2)
            info = next(i for i in batch if i[0] == visit.initiative_id)
            decided_at = datetime(YEAR, 10, 20, 9, tzinfo=UTC)
            decision = (
                "replicate" if final >= 88 else "improve" if final >= 70 else "not_recommended"
            )
            common: dict[str, Any] = {
                "initiative_id": visit.initiative_id,
                "campaign_year": YEAR,
                "agency_code": info[1],
                "title": "Mô hình được đề xuất",
                "kind": "model",
                "par_area": info[2],
                "final_score": final,
                "evaluation_count": len(totals),
                "rationale": "Hiệu quả rõ rệt, dễ áp dụng ở đơn vị khác.",
                "decided_at": decided_at,
            }
            emit(
                SelectionDecidedV1(
                    decision=decision,
                    scope="city_wide" if decision == "replicate" else None,
                    **common,
                ),
                decided_at,
            )  # type: ignore[arg-type]
            if decision == "replicate":
                emit(ReplicationRecommendedV1(scope="city_wide", **common), decided_at)
    for initiative_id, agency, _ in rng.sample(initiatives, size // 30):
        at = datetime(YEAR, 10, 25, tzinfo=UTC)
        emit(
            InitiativeWithdrawnV1(
                initiative_id=initiative_id,
                campaign_year=YEAR,
                agency_code=agency,
                reason="Đơn vị rút để hoàn thiện",
                withdrawn_at=at,
            ),
            at,
        )
    return events


async def timed(action: Callable[[], Awaitable[T]]) -> tuple[float, T]:
    started = time.perf_counter()
    result = await action()
    return time.perf_counter() - started, result


def timed_sync(action: Callable[[], T]) -> tuple[float, T]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


async def run(size: int, database_url: str) -> dict[str, Any]:
    await upgrade_async(database_url, MIGRATIONS)
    engine = create_engine(database_url)

    def uow() -> SqlReportingUnitOfWork:
        return SqlReportingUnitOfWork(engine, kit_tables, source="/cchc/reporting")

    figures: dict[str, Any] = {"initiatives": size}
    try:
        messages = campaign(size)
        figures["events"] = len(messages)
        decoded = [decode_message(m.body) for m in messages]

        # Live projection, one event per transaction (a sample of the campaign).
        sample = decoded[:2_000]

        async def live() -> None:
            for event in sample:
                model = event_for_type(event.type)
                assert model is not None
                await handlers.record_event(uow(), event, parse_data(event, model))

        seconds, _ = await timed(live)
        figures["live events/s"] = round(len(sample) / seconds)

        # The whole log, then a rebuild of every read model from it.
        async with engine.begin() as connection:
            await connection.execute(delete(event_log))
            rows = [
                {
                    "event_source": e.source,
                    "event_id": e.id,
                    "event_type": e.type,
                    "subject": e.subject,
                    "occurred_at": e.time,
                    "data": e.data,
                    "received_at": datetime.now(UTC),
                }
                for e in decoded
            ]
            for start in range(0, len(rows), 1_000):
                await connection.execute(insert(event_log), rows[start : start + 1_000])
        figures["rebuild s"], report = await timed(lambda: handlers.rebuild(uow()))
        assert report.projected == len(decoded), report

        views = CampaignViews(uow)
        figures["dashboard cold s"], view = await timed(lambda: views.view(YEAR))
        figures["dashboard warm ms"] = round((await timed(lambda: views.view(YEAR)))[0] * 1000, 2)
        figures["surveyed"] = view.dashboard.surveyed
        figures["recommended"] = view.dashboard.recommended
        figures["rounds"] = len(view.rounds)
        sheet = exports.table(view, "initiatives", InitiativeFilter())
        figures["xlsx all initiatives s"], _ = timed_sync(lambda: exports.to_xlsx(sheet))

        builder = DocumentBuilder()
        documents = {
            "survey report": builder.campaign_report(view),
            "proposal": builder.proposal(view),
            "PAR annex": builder.par_index_annex(view),
            "round report": builder.round_report(view, view.rounds[0]),
        }
        for name, document in documents.items():
            for fmt in ("docx", "pdf"):
                seconds, content = timed_sync(lambda d=document, f=fmt: render(d, f))
                figures[f"{name} {fmt} s"] = seconds
                if fmt == "pdf":
                    figures[f"{name} pdf KiB"] = len(content) // 1024
    finally:
        await engine.dispose()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--database-url", help="default: a fresh SQLite file per size")
    args = parser.parse_args()
    print(f"machine: {platform.machine()}, Python {platform.python_version()}, {platform.system()}")
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            url = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / f'bench-{size}.db'}"
            results.append(asyncio.run(run(size, url)))
    keys = list(results[0])
    width = max(len(k) for k in keys)
    print(f"{'':<{width}}  " + "  ".join(f"{r['initiatives']:>10,}" for r in results))
    for key in keys[1:]:
        values = []
        for r in results:
            value = r[key]
            values.append(f"{value:>10.3f}" if isinstance(value, float) else f"{value:>10,}")
        print(f"{key:<{width}}  " + "  ".join(values))


if __name__ == "__main__":
    main()
