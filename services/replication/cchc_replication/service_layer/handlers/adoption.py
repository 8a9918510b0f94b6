"""An agency's quarterly report on a model it must adopt. The first report of a quarter is
revision 1; a report whose content differs from the quarter's latest revision is an amendment
(revision + 1: it replaces the quarter's figures, the earlier revisions stay); one whose
content is the same changes nothing and publishes nothing. Each new revision is announced by
AdoptionReported in the same transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from uuid import UUID

from cchc_replication.domain.model import AdoptionReport, ReportContent
from cchc_replication.domain.rules import report_faults
from cchc_replication.service_layer.access import require_agency_or_staff
from cchc_replication.service_layer.services import Services
from cchc_shared.auth import Principal
from cchc_shared.contracts.events import AdoptionIndicatorsData, AdoptionReportedV1
from cchc_shared.contracts.quarters import Quarter
from cchc_shared.errors import Fault, InvalidInput, NotFound
from cchc_shared.persistence.audit import AuditEntry


@dataclass(frozen=True)
class SubmitReport:
    initiative_id: UUID
    agency_code: str
    quarter: str
    content: ReportContent
    # The day a report sent on paper reached the Department, when the PAR office enters it.
    received_on: date | None = None


@dataclass(frozen=True)
class ReportOutcome:
    report: AdoptionReport
    created: bool  # False: the same content as the quarter's latest revision (a repeat)


async def submit_report(
    services: Services, principal: Principal, command: SubmitReport
) -> ReportOutcome:
    require_agency_or_staff(principal, command.agency_code)
    reported_at = services.clock()
    async with services.uow() as uow:
        await uow.lock(f"adoption:{command.initiative_id}:{command.agency_code}")
        model = await uow.decisions.model(command.initiative_id)
        if model is None:
            raise NotFound(
                Fault(
                    "initiative_id",
                    "Mô hình chưa được Chủ tịch Ủy ban nhân dân Thành phố công nhận",
                    f"initiative {command.initiative_id} is not a recognised model",
                )
            )
        decision = await uow.decisions.get(model.decision_id)
        assert decision is not None  # a model belongs to its decision (foreign key)
        quarter, faults = report_faults(
            model=model,
            agency_code=command.agency_code,
            quarter_text=command.quarter,
            content=command.content,
            decided_on=decision.signed_on,
            today=reported_at.date(),
        )
        faults += received_faults(principal, command.received_on, quarter, reported_at.date())
        if faults:
            raise InvalidInput(*faults)
        assert quarter is not None  # no fault, so it parsed
        of_quarter = [
            r
            for r in await uow.reports.history(command.initiative_id, command.agency_code)
            if r.quarter == quarter
        ]
        latest = of_quarter[-1] if of_quarter else None
        if latest is not None and latest.content == command.content:
            return ReportOutcome(latest, created=False)
        report = AdoptionReport(
            report_id=uuid.uuid4(),
            decision_id=model.decision_id,
            initiative_id=model.initiative_id,
            agency_code=command.agency_code,
            quarter=quarter,
            revision=(latest.revision + 1) if latest else 1,
            content=command.content,
            # Whether the quarter was reported on time is decided by its first report.
            late=latest.late
            if latest
            else is_late(quarter, command.received_on or reported_at.date(), services),
            reported_at=reported_at,
            reported_by=principal.subject,
        )
        await uow.reports.add(report)
        event = reported_event(report)
        await uow.audit.record(
            AuditEntry(
                "adoption_report",
                f"{report.initiative_id}/{report.agency_code}",
                "reported" if report.revision == 1 else "amended",
                principal.subject,
                reported_at,
                event.model_dump(mode="json"),
                actor_name=principal.display_name,
            )
        )
        uow.publish(event)
        await uow.commit()
    return ReportOutcome(report, created=True)


def received_faults(
    principal: Principal, received_on: date | None, quarter: Quarter | None, today: date
) -> list[Fault]:
    if received_on is None:
        return []
    if not principal.is_staff:
        return [
            Fault(
                "received_on",
                "Chỉ Phòng Cải cách hành chính ghi ngày nhận báo cáo gửi bằng văn bản giấy",
                "only the secretariat records the day a paper report was received",
            )
        ]
    if received_on > today or (quarter is not None and received_on < quarter.starts_on):
        return [
            Fault(
                "received_on",
                f"Ngày nhận báo cáo {received_on:%d/%m/%Y} phải từ đầu kỳ báo cáo đến hôm nay",
                f"the day received {received_on} must be within the quarter's start and today",
            )
        ]
    return []


def is_late(quarter: Quarter, reported_on: date, services: Services) -> bool:
    return reported_on > quarter.due_on(services.report_due_days)


def reported_event(report: AdoptionReport) -> AdoptionReportedV1:
    content = report.content
    values = content.indicators
    return AdoptionReportedV1(
        report_id=report.report_id,
        decision_id=report.decision_id,
        initiative_id=report.initiative_id,
        agency_code=report.agency_code,
        quarter=str(report.quarter),
        revision=report.revision,
        status=content.status,
        reason=content.reason,
        started_on=content.started_on,
        adaptation=content.adaptation,
        indicators=AdoptionIndicatorsData(
            measured_from=values.measured_from,
            measured_to=values.measured_to,
            processing_days_before=values.processing_days_before,
            processing_days_after=values.processing_days_after,
            satisfaction_percent=values.satisfaction_percent,
            cases_handled=values.cases_handled,
        ),
        late=report.late,
        reported_at=report.reported_at,
    )
