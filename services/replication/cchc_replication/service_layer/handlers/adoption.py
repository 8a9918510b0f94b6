"""An agency's quarterly report on a model it must adopt. The first report of a quarter is
revision 1; a report whose content differs from the quarter's latest revision is an amendment
(revision + 1: it replaces the quarter's figures, the earlier revisions stay); one whose
content is the same changes nothing and publishes nothing. Each new revision is announced by
AdoptionReported in the same transaction."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass, replace
from datetime import date
from typing import Final
from uuid import UUID

from cchc_replication.domain.model import (
    AdoptionReport,
    AttachedEvidence,
    EvidenceFile,
    RecognisedModel,
    ReportContent,
    evidence_path,
)
from cchc_replication.domain.rules import evidence_faults, report_faults, target_faults
from cchc_replication.ports import UnitOfWork
from cchc_replication.service_layer.access import require_agency_or_staff, require_reader_of
from cchc_replication.service_layer.services import Services
from cchc_shared.auth import Principal
from cchc_shared.contracts.events import (
    AdoptionIndicatorsData,
    AdoptionReportedV1,
    EvidenceFileData,
)
from cchc_shared.contracts.quarters import Quarter
from cchc_shared.errors import Conflict, Fault, InvalidInput, NotFound
from cchc_shared.files import clean_filename, receive_file
from cchc_shared.persistence.audit import AuditEntry

# The evidence files one agency may upload for its reports on one model.
MAX_EVIDENCE_PER_TARGET: Final = 50


@dataclass(frozen=True)
class SubmitReport:
    initiative_id: UUID
    agency_code: str
    quarter: str
    content: ReportContent
    # The day a report sent on paper reached the Department, when the PAR office enters it.
    received_on: date | None = None
    # The evidence files (uploaded before, for this model and agency) the report attaches.
    evidence_ids: tuple[UUID, ...] = ()


async def _recognised(uow: UnitOfWork, initiative_id: UUID) -> RecognisedModel:
    model = await uow.decisions.model(initiative_id)
    if model is None:
        raise NotFound(
            Fault(
                "initiative_id",
                "Mô hình chưa được Chủ tịch Ủy ban nhân dân Thành phố công nhận",
                f"initiative {initiative_id} is not a recognised model",
            )
        )
    return model


async def upload_evidence(
    services: Services,
    principal: Principal,
    *,
    initiative_id: UUID,
    agency_code: str,
    filename: str,
    chunks: AsyncIterable[bytes],
) -> EvidenceFile:
    """An evidence file for the agency's reports on a model: checked by its content (type,
    size; as intake's attachments), stored outside any transaction, then recorded. A report
    attaches it by its id."""
    require_agency_or_staff(principal, agency_code)
    async with services.uow() as uow:
        model = await _recognised(uow, initiative_id)
        faults = target_faults(model, agency_code)
        if faults:
            raise InvalidInput(*faults)
        if await uow.evidence.count(initiative_id, agency_code) >= MAX_EVIDENCE_PER_TARGET:
            raise Conflict(
                Fault(
                    "file",
                    f"Mỗi đơn vị tải lên tối đa {MAX_EVIDENCE_PER_TARGET} tệp minh chứng cho "
                    "một mô hình",
                    f"an agency uploads at most {MAX_EVIDENCE_PER_TARGET} evidence files per model",
                )
            )
    received = await receive_file(chunks, services.storage, max_bytes=services.evidence_max_bytes)
    now = services.clock()
    file = EvidenceFile(
        evidence_id=uuid.uuid4(),
        initiative_id=initiative_id,
        agency_code=agency_code,
        filename=clean_filename(filename, received.media_type),
        media_type=received.media_type,
        size=received.stored.size,
        sha256=received.stored.sha256,
        storage_key=received.stored.key,
        uploaded_at=now,
        uploaded_by=principal.subject,
    )
    async with services.uow() as uow:
        await uow.evidence.add(file)
        await uow.audit.record(
            AuditEntry(
                "adoption_evidence",
                f"{initiative_id}/{agency_code}",
                "uploaded",
                principal.subject,
                now,
                {**AttachedEvidence.of(file).as_dict(), "download_path": file.download_path},
                actor_name=principal.display_name,
            )
        )
        await uow.commit()
    return file


async def evidence_file(
    services: Services,
    principal: Principal,
    initiative_id: UUID,
    agency_code: str,
    evidence_id: UUID,
) -> tuple[EvidenceFile, AsyncIterator[bytes]]:
    """An evidence file and its bytes, for who may read the agency's reports."""
    require_reader_of(principal, agency_code)
    async with services.uow() as uow:
        file = await uow.evidence.get(evidence_id)
    if file is None or (file.initiative_id, file.agency_code) != (initiative_id, agency_code):
        raise NotFound(
            Fault("evidence_id", "Không có tệp minh chứng này", f"no evidence {evidence_id}")
        )
    return file, services.storage.open(file.storage_key)


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
        model = await _recognised(uow, command.initiative_id)
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
        files = {}
        for evidence_id in command.evidence_ids:
            found = await uow.evidence.get(evidence_id)
            if found is not None:
                files[evidence_id] = found
        faults += evidence_faults(
            command.evidence_ids, files, command.initiative_id, command.agency_code
        )
        if faults:
            raise InvalidInput(*faults)
        assert quarter is not None  # no fault, so it parsed
        attached = tuple(AttachedEvidence.of(files[e]) for e in command.evidence_ids)
        command = replace(command, content=replace(command.content, evidence=attached))
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
        evidence=[
            EvidenceFileData(
                evidence_id=e.evidence_id,
                filename=e.filename,
                media_type=e.media_type,
                size=e.size,
                sha256=e.sha256,
                download_path=evidence_path(
                    report.initiative_id, report.agency_code, e.evidence_id
                ),
            )
            for e in content.evidence
        ],
    )
