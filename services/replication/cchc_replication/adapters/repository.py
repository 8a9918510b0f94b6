"""SQL repositories over the connection of the unit of work."""

from __future__ import annotations

from collections import defaultdict
from typing import Any
from uuid import UUID

from sqlalchemy import func, insert, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection

from cchc_replication.adapters.orm import (
    adoption_evidence,
    adoption_reports,
    candidates,
    decisions,
    model_targets,
    recognised_models,
)
from cchc_replication.domain.model import (
    AdoptionReport,
    AttachedEvidence,
    Candidate,
    Decision,
    EvidenceFile,
    Indicators,
    RecognisedModel,
    ReportContent,
)
from cchc_shared.contracts.quarters import Quarter
from cchc_shared.persistence.inserts import insert_rows


class SqlCandidateRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def get(self, initiative_id: UUID) -> Candidate | None:
        row = (
            (
                await self.connection.execute(
                    select(candidates).where(candidates.c.initiative_id == initiative_id)
                )
            )
            .mappings()
            .one_or_none()
        )
        return Candidate(**row) if row else None

    async def put(self, candidate: Candidate) -> None:
        """Keep the newest recommendation of an initiative (a re-decision replaces it)."""
        values = candidate.__dict__
        current = await self.get(candidate.initiative_id)
        if current is None:
            await self.connection.execute(insert(candidates), values)
        elif current.recommended_at < candidate.recommended_at:
            await self.connection.execute(
                candidates.update()
                .where(candidates.c.initiative_id == candidate.initiative_id)
                .values(values)
            )

    async def find(self, campaign_year: int | None = None) -> list[Candidate]:
        query = select(candidates).order_by(candidates.c.final_score.desc(), candidates.c.title)
        if campaign_year is not None:
            query = query.where(candidates.c.campaign_year == campaign_year)
        rows = (await self.connection.execute(query)).mappings().all()
        return [Candidate(**row) for row in rows]


def _model(row: RowMapping, targets: tuple[str, ...]) -> RecognisedModel:
    return RecognisedModel(
        initiative_id=row["initiative_id"],
        decision_id=row["decision_id"],
        campaign_year=row["campaign_year"],
        agency_code=row["agency_code"],
        title=row["title"],
        kind=row["kind"],
        par_area=row["par_area"],
        scope=row["scope"],
        targets=targets,
        deadline=row["deadline"],
    )


class SqlDecisionRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, decision: Decision) -> None:
        await self.connection.execute(
            insert(decisions),
            {
                "decision_id": decision.decision_id,
                "decision_number": decision.decision_number,
                "signed_on": decision.signed_on,
                "signer_name": decision.signer_name,
                "signer_title": decision.signer_title,
                "campaign_year": decision.campaign_year,
                "recorded_at": decision.recorded_at,
                "recorded_by": decision.recorded_by,
            },
        )
        await insert_rows(
            self.connection,
            recognised_models,
            [
                {
                    "initiative_id": m.initiative_id,
                    "decision_id": m.decision_id,
                    "campaign_year": m.campaign_year,
                    "agency_code": m.agency_code,
                    "title": m.title,
                    "kind": m.kind,
                    "par_area": m.par_area,
                    "scope": m.scope,
                    "deadline": m.deadline,
                    "position": i,
                }
                for i, m in enumerate(decision.models)
            ],
        )
        await insert_rows(
            self.connection,
            model_targets,
            [
                {"initiative_id": m.initiative_id, "agency_code": code, "position": i}
                for m in decision.models
                for i, code in enumerate(m.targets)
            ],
        )

    async def _models(self, *where: Any) -> list[RecognisedModel]:
        rows = (
            (
                await self.connection.execute(
                    select(recognised_models)
                    .where(*where)
                    .order_by(recognised_models.c.decision_id, recognised_models.c.position)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return []
        ids = [row["initiative_id"] for row in rows]
        targets: dict[UUID, list[str]] = defaultdict(list)
        found = await self.connection.execute(
            select(model_targets.c.initiative_id, model_targets.c.agency_code)
            .where(model_targets.c.initiative_id.in_(ids))
            .order_by(model_targets.c.initiative_id, model_targets.c.position)
        )
        for initiative_id, code in found.all():
            targets[initiative_id].append(code)
        return [_model(row, tuple(targets[row["initiative_id"]])) for row in rows]

    async def _decisions(self, *where: Any) -> list[Decision]:
        rows = (
            (
                await self.connection.execute(
                    select(decisions)
                    .where(*where)
                    .order_by(decisions.c.signed_on, decisions.c.decision_number)
                )
            )
            .mappings()
            .all()
        )
        if not rows:
            return []
        models = await self._models(
            recognised_models.c.decision_id.in_([row["decision_id"] for row in rows])
        )
        by_decision: dict[UUID, list[RecognisedModel]] = defaultdict(list)
        for model in models:
            by_decision[model.decision_id].append(model)
        return [Decision(**row, models=tuple(by_decision[row["decision_id"]])) for row in rows]

    async def get(self, decision_id: UUID) -> Decision | None:
        found = await self._decisions(decisions.c.decision_id == decision_id)
        return found[0] if found else None

    async def by_number(self, decision_number: str) -> Decision | None:
        found = await self._decisions(decisions.c.decision_number == decision_number)
        return found[0] if found else None

    async def find(self, campaign_year: int | None = None) -> list[Decision]:
        where = () if campaign_year is None else (decisions.c.campaign_year == campaign_year,)
        return await self._decisions(*where)

    async def model(self, initiative_id: UUID) -> RecognisedModel | None:
        found = await self._models(recognised_models.c.initiative_id == initiative_id)
        return found[0] if found else None

    async def models_of_agency(self, agency_code: str) -> list[RecognisedModel]:
        assigned = select(model_targets.c.initiative_id).where(
            model_targets.c.agency_code == agency_code
        )
        return await self._models(recognised_models.c.initiative_id.in_(assigned))


def _report(row: RowMapping) -> AdoptionReport:
    quarter = Quarter.parse(row["quarter"])
    assert quarter is not None  # stored only once checked
    return AdoptionReport(
        report_id=row["report_id"],
        decision_id=row["decision_id"],
        initiative_id=row["initiative_id"],
        agency_code=row["agency_code"],
        quarter=quarter,
        revision=row["revision"],
        content=ReportContent(
            status=row["status"],
            reason=row["reason"],
            started_on=row["started_on"],
            adaptation=row["adaptation"],
            indicators=Indicators.from_dict(row["indicators"]),
            evidence=tuple(AttachedEvidence.from_dict(e) for e in row["evidence"] or ()),
        ),
        late=row["late"],
        reported_at=row["reported_at"],
        reported_by=row["reported_by"],
    )


_REPORT_ORDER = (
    adoption_reports.c.initiative_id,
    adoption_reports.c.quarter,
    adoption_reports.c.revision,
)


class SqlReportRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, report: AdoptionReport) -> None:
        content = report.content
        await self.connection.execute(
            insert(adoption_reports),
            {
                "report_id": report.report_id,
                "decision_id": report.decision_id,
                "initiative_id": report.initiative_id,
                "agency_code": report.agency_code,
                "quarter": str(report.quarter),
                "revision": report.revision,
                "status": content.status,
                "reason": content.reason,
                "started_on": content.started_on,
                "adaptation": content.adaptation,
                "indicators": content.indicators.as_dict(),
                "evidence": [e.as_dict() for e in content.evidence],
                "late": report.late,
                "reported_at": report.reported_at,
                "reported_by": report.reported_by,
            },
        )

    async def history(self, initiative_id: UUID, agency_code: str) -> list[AdoptionReport]:
        rows = await self.connection.execute(
            select(adoption_reports)
            .where(
                adoption_reports.c.initiative_id == initiative_id,
                adoption_reports.c.agency_code == agency_code,
            )
            .order_by(*_REPORT_ORDER)
        )
        return [_report(row) for row in rows.mappings().all()]

    async def of_agency(self, agency_code: str) -> list[AdoptionReport]:
        rows = await self.connection.execute(
            select(adoption_reports)
            .where(adoption_reports.c.agency_code == agency_code)
            .order_by(*_REPORT_ORDER)
        )
        return [_report(row) for row in rows.mappings().all()]


class SqlEvidenceRepository:
    def __init__(self, connection: AsyncConnection) -> None:
        self.connection = connection

    async def add(self, file: EvidenceFile) -> None:
        await self.connection.execute(insert(adoption_evidence), vars(file))

    async def get(self, evidence_id: UUID) -> EvidenceFile | None:
        rows = await self.connection.execute(
            select(adoption_evidence).where(adoption_evidence.c.evidence_id == evidence_id)
        )
        row = rows.mappings().first()
        return EvidenceFile(**row) if row is not None else None

    async def count(self, initiative_id: UUID, agency_code: str) -> int:
        found = await self.connection.scalar(
            select(func.count()).where(
                adoption_evidence.c.initiative_id == initiative_id,
                adoption_evidence.c.agency_code == agency_code,
            )
        )
        return int(found or 0)
