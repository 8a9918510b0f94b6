"""Use cases. Each takes a command (or an inbound event), works inside one unit of work and
either commits a change with the events it causes or raises a domain error."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final
from uuid import UUID

from cchc_intake.adapters.storage import SNIFF_BYTES, detect_media_type
from cchc_intake.domain.commands import (
    Actor,
    AmendInitiative,
    ChangeCampaign,
    CreateCampaign,
    SubmitInitiative,
    WithdrawInitiative,
)
from cchc_intake.domain.errors import DuplicateTitle, NotAllowed
from cchc_intake.domain.model import (
    ACCEPTED_MEDIA_TYPES,
    MAX_ATTACHMENTS_PER_INITIATIVE,
    Attachment,
    Campaign,
    Content,
    Initiative,
    Origin,
    clean_filename,
    local_date,
    vn_date,
)
from cchc_intake.ports import AttachmentStorage, UnitOfWork
from cchc_shared.contracts import CloudEvent, InboundInitiativeSubmittedV1, InitiativeRejectedV1
from cchc_shared.errors import (
    Conflict,
    Fault,
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)
from cchc_shared.reference import Agency

INBOUND_CONSUMER: Final = "intake.inbound"
REJECTIONS_CONSUMER: Final = "intake.inbound.rejections"
# Names the InitiativeRejected of one inbound message: a repeat gets the same event id.
REJECTION_NAMESPACE: Final = uuid.UUID("0e4a8d52-6f7b-4c1e-9a43-2b8f3c1d5e70")
# Another platform's clock may run a little ahead of ours.
CLOCK_SKEW: Final = timedelta(minutes=5)


def not_found(initiative_id: UUID) -> NotFound:
    return NotFound(
        Fault(
            "initiative_id",
            f"Không tìm thấy đề xuất {initiative_id}",
            f"initiative {initiative_id} not found",
        )
    )


async def _visible(uow: UnitOfWork, actor: Actor, initiative_id: UUID) -> Initiative:
    """The initiative, if the actor may see it; another agency's answers exactly like an
    absent one, so ids of other agencies' initiatives cannot be probed."""
    initiative = await uow.initiatives.get(initiative_id)
    if initiative is None or not actor.may_access(initiative.agency_code):
        raise not_found(initiative_id)
    return initiative


# --------------------------------------------------------------------------------------
# Submission (HTTP and inbound share the rules)


@dataclass(frozen=True)
class ValidSubmission:
    agency: Agency
    campaign: Campaign
    content: Content


async def validate_submission(
    uow: UnitOfWork,
    *,
    agency_code: str,
    campaign_year: int | None,
    fields: Mapping[str, Any],
    submitted_at: datetime,
    now: datetime,
) -> ValidSubmission:
    """Every rule a new initiative must meet; InvalidInput names every fault found."""
    faults: list[Fault] = []
    today = local_date(now)
    content: Content | None = None
    try:
        content = Content.parse(**fields, today=today)
    except InvalidInput as exc:
        faults += exc.faults
    agency = await uow.agencies.get(agency_code)
    if agency is None:
        faults.append(
            Fault(
                "agency_code",
                f"Mã cơ quan {agency_code} không có trong danh mục cơ quan, đơn vị",
                f"unknown agency code {agency_code}",
            )
        )
    if submitted_at > now + CLOCK_SKEW:
        faults.append(
            Fault(
                "submitted_at",
                "Thời điểm gửi không được ở tương lai",
                "must not be in the future",
            )
        )
    campaign = await _campaign_for(uow, campaign_year, local_date(submitted_at), faults)
    if faults:
        raise InvalidInput(*faults)
    assert agency is not None and campaign is not None and content is not None
    return ValidSubmission(agency, campaign, content)


async def _campaign_for(
    uow: UnitOfWork, year: int | None, day: date, faults: list[Fault]
) -> Campaign | None:
    if year is None:
        campaign = await uow.campaigns.taking_submissions(day)
        if campaign is None:
            faults.append(
                Fault(
                    "campaign_year",
                    f"Ngày {vn_date(day)} không có đợt nào đang nhận đề xuất",
                    f"no campaign takes submissions on {day.isoformat()}",
                )
            )
        return campaign
    campaign = await uow.campaigns.get(year)
    if campaign is None:
        faults.append(
            Fault("campaign_year", f"Không có đợt năm {year}", f"there is no {year} campaign")
        )
        return None
    refusal = campaign.refuse_submission(day)
    if refusal is not None:
        faults += refusal.faults
    return campaign


async def _refuse_duplicate_title(
    uow: UnitOfWork, campaign_year: int, agency_code: str, content: Content, own_id: UUID | None
) -> None:
    existing = await uow.initiatives.live_with_title(campaign_year, agency_code, content.title_key)
    if existing is not None and existing != own_id:
        raise DuplicateTitle(existing)


def _content_fields(cmd: SubmitInitiative | InboundInitiativeSubmittedV1) -> dict[str, Any]:
    return {
        "kind": cmd.kind,
        "title": cmd.title,
        "summary": cmd.summary,
        "par_area": cmd.par_area,
        "applied_since": cmd.applied_since,
        "results": cmd.results,
        "limitations": cmd.limitations,
    }


async def submit_initiative(cmd: SubmitInitiative, uow: UnitOfWork, now: datetime) -> Initiative:
    if not cmd.actor.may_access(cmd.agency_code):
        raise NotAllowed(cmd.agency_code)
    async with uow:
        valid = await validate_submission(
            uow,
            agency_code=cmd.agency_code,
            campaign_year=cmd.campaign_year,
            fields=_content_fields(cmd),
            submitted_at=now,
            now=now,
        )
        initiative = Initiative.submit(
            initiative_id=uuid.uuid4(),
            campaign=valid.campaign,
            agency_code=cmd.agency_code,
            content=valid.content,
            submitted_at=now,
            submitted_by=cmd.actor.subject,
        )
        await uow.initiatives.add(initiative)
        await uow.commit()
    return initiative


async def amend_initiative(cmd: AmendInitiative, uow: UnitOfWork, now: datetime) -> Initiative:
    async with uow:
        initiative = await _visible(uow, cmd.actor, cmd.initiative_id)
        campaign = await uow.campaigns.get(initiative.campaign_year)
        assert campaign is not None  # a foreign key keeps every initiative's campaign
        initiative.ensure_amendable(campaign, now)
        content = initiative.content.changed(local_date(now), **cmd.changes)
        await _refuse_duplicate_title(
            uow, initiative.campaign_year, initiative.agency_code, content, initiative.id
        )
        if initiative.amend(content, campaign, now):
            await uow.initiatives.save(initiative)
            await uow.commit()
    return initiative


async def withdraw_initiative(
    cmd: WithdrawInitiative, uow: UnitOfWork, now: datetime
) -> Initiative:
    async with uow:
        initiative = await _visible(uow, cmd.actor, cmd.initiative_id)
        initiative.withdraw(cmd.reason, now)
        await uow.initiatives.save(initiative)
        await uow.commit()
    return initiative


async def read_initiative(
    actor: Actor, initiative_id: UUID, uow: UnitOfWork
) -> tuple[Initiative, list[Attachment]]:
    async with uow:
        initiative = await _visible(uow, actor, initiative_id)
        return initiative, await uow.initiatives.attachments_of(initiative_id)


# --------------------------------------------------------------------------------------
# Attachments


async def _sniffed(chunks: AsyncIterable[bytes]) -> tuple[bytes, AsyncIterator[bytes]]:
    """The leading bytes, and an iterator that yields the whole content again."""
    iterator = aiter(chunks)
    head = b""
    async for chunk in iterator:
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break

    async def everything() -> AsyncIterator[bytes]:
        if head:
            yield head
        async for chunk in iterator:
            yield chunk

    return head, everything()


async def _capped(chunks: AsyncIterator[bytes], max_bytes: int) -> AsyncIterator[bytes]:
    size = 0
    async for chunk in chunks:
        size += len(chunk)
        if size > max_bytes:
            raise PayloadTooLarge(
                Fault(
                    "file",
                    f"Tệp vượt quá dung lượng cho phép ({max_bytes // (1024 * 1024)} MB)",
                    f"the file exceeds the limit of {max_bytes} bytes",
                )
            )
        yield chunk


async def add_attachment(
    *,
    actor: Actor,
    initiative_id: UUID,
    filename: str,
    chunks: AsyncIterable[bytes],
    uow: UnitOfWork,
    storage: AttachmentStorage,
    max_bytes: int,
    now: datetime,
) -> Attachment:
    async with uow:
        initiative = await _visible(uow, actor, initiative_id)
        initiative.ensure_active()
        if await uow.initiatives.count_attachments(initiative_id) >= MAX_ATTACHMENTS_PER_INITIATIVE:
            raise Conflict(
                Fault(
                    "file",
                    f"Mỗi đề xuất có tối đa {MAX_ATTACHMENTS_PER_INITIATIVE} tệp đính kèm",
                    f"an initiative has at most {MAX_ATTACHMENTS_PER_INITIATIVE} attachments",
                )
            )
    # The upload is stored outside any transaction: a slow client must not hold a lock.
    head, content = await _sniffed(chunks)
    if not head:
        raise InvalidInput(Fault("file", "Tệp rỗng", "the file is empty"))
    media_type = detect_media_type(head)
    if media_type not in ACCEPTED_MEDIA_TYPES:
        raise UnsupportedMediaType(
            Fault(
                "file",
                "Chỉ nhận tệp PDF, DOCX hoặc ảnh (PNG, JPEG, WebP), nhận biết theo nội dung tệp",
                "only PDF, DOCX and image (PNG, JPEG, WebP) files are accepted, recognised by "
                f"their content (this one is {media_type or 'unrecognised'})",
            )
        )
    stored = await storage.put(_capped(content, max_bytes))
    attachment = Attachment(
        id=uuid.uuid4(),
        initiative_id=initiative_id,
        filename=clean_filename(filename, media_type),
        media_type=media_type,
        size=stored.size,
        sha256=stored.sha256,
        storage_key=stored.key,
        uploaded_at=now,
        uploaded_by=actor.subject,
    )
    async with uow:
        initiative = await _visible(uow, actor, initiative_id)
        initiative.ensure_active()
        await uow.initiatives.add_attachment(attachment)
        await uow.commit()
    return attachment


async def find_attachment(
    actor: Actor, initiative_id: UUID, attachment_id: UUID, uow: UnitOfWork
) -> Attachment:
    _, attachments = await read_initiative(actor, initiative_id, uow)
    for attachment in attachments:
        if attachment.id == attachment_id:
            return attachment
    raise NotFound(
        Fault(
            "attachment_id",
            f"Không tìm thấy tệp đính kèm {attachment_id}",
            f"attachment {attachment_id} not found",
        )
    )


# --------------------------------------------------------------------------------------
# Campaigns and reference data


async def create_campaign(cmd: CreateCampaign, uow: UnitOfWork) -> Campaign:
    campaign = Campaign(
        year=cmd.year,
        title=cmd.title or Campaign.default_title(cmd.year),
        submission_opens_on=cmd.submission_opens_on,
        submission_closes_on=cmd.submission_closes_on,
        survey_starts_on=cmd.survey_starts_on,
        survey_ends_on=cmd.survey_ends_on,
    )
    async with uow:
        if await uow.campaigns.get(cmd.year) is not None:
            raise Conflict(
                Fault("year", f"Đợt năm {cmd.year} đã có", f"the {cmd.year} campaign exists")
            )
        await uow.campaigns.add(campaign)
        await uow.commit()
    return campaign


def campaign_not_found(year: int) -> NotFound:
    return NotFound(Fault("year", f"Không có đợt năm {year}", f"there is no {year} campaign"))


async def change_campaign(cmd: ChangeCampaign, uow: UnitOfWork) -> Campaign:
    async with uow:
        campaign = await uow.campaigns.get(cmd.year)
        if campaign is None:
            raise campaign_not_found(cmd.year)
        changed = campaign.change(
            title=cmd.title,
            submission_opens_on=cmd.submission_opens_on,
            submission_closes_on=cmd.submission_closes_on,
            survey_starts_on=cmd.survey_starts_on,
            survey_ends_on=cmd.survey_ends_on,
        )
        await uow.campaigns.save(changed)
        await uow.commit()
    return changed


def plan_2023_campaign() -> Campaign:
    """The 2023 campaign of the Department's plan: surveys from 1 June to 31 October 2023."""
    return Campaign(
        year=2023,
        title=Campaign.default_title(2023),
        submission_opens_on=date(2023, 1, 1),
        submission_closes_on=date(2023, 10, 31),
        survey_starts_on=date(2023, 6, 1),
        survey_ends_on=date(2023, 10, 31),
    )


def open_campaign(year: int) -> Campaign:
    """A campaign taking submissions all year, surveyed on the plan's June-October pattern."""
    return Campaign(
        year=year,
        title=Campaign.default_title(year),
        submission_opens_on=date(year, 1, 1),
        submission_closes_on=date(year, 12, 31),
        survey_starts_on=date(year, 6, 1),
        survey_ends_on=date(year, 10, 31),
    )


async def seed_reference_data(uow: UnitOfWork, catalogue: Iterable[Agency], today: date) -> None:
    """Idempotent: the agency registry follows the reference data; the 2023 campaign and an
    open campaign for the current year exist (an admin's later changes are kept)."""
    async with uow:
        await uow.agencies.seed(catalogue)
        for campaign in (plan_2023_campaign(), open_campaign(today.year)):
            if await uow.campaigns.get(campaign.year) is None:
                await uow.campaigns.add(campaign)
        await uow.commit()


# --------------------------------------------------------------------------------------
# Inbound events from other platforms


async def accept_inbound(
    event: CloudEvent, data: InboundInitiativeSubmittedV1, uow: UnitOfWork, now: datetime
) -> Initiative | None:
    """Take in another platform's initiative once per (source, id); None for a repeat.
    A data fault raises InvalidInput or DuplicateTitle (the caller refuses the message)."""
    async with uow:
        if not await uow.accept_once(INBOUND_CONSUMER, event):
            return None
        valid = await validate_submission(
            uow,
            agency_code=data.agency_code,
            campaign_year=data.campaign_year,
            fields=_content_fields(data),
            submitted_at=data.submitted_at,
            now=now,
        )
        initiative = Initiative.submit(
            initiative_id=uuid.uuid4(),
            campaign=valid.campaign,
            agency_code=data.agency_code,
            content=valid.content,
            submitted_at=data.submitted_at,
            submitted_by=f"platform:{event.source}"[:200],
            origin=Origin(event.source, event.id),
        )
        await uow.initiatives.add(initiative)
        await uow.commit()
    return initiative


@dataclass(frozen=True)
class RejectedMessage:
    origin_source: str
    origin_id: str
    errors: list[tuple[str, str]]  # (JSON path, message)
    campaign_year: int | None = None  # the campaign the message named, when readable


async def reject_inbound(message: RejectedMessage, uow: UnitOfWork) -> bool:
    """Publish one InitiativeRejected per inbound message, however often it is delivered;
    False when this message was already answered."""
    marker = CloudEvent(
        specversion="1.0",
        id=message.origin_id,
        source=message.origin_source,
        type=InitiativeRejectedV1.event_type(),
    )
    async with uow:
        if not await uow.accept_once(REJECTIONS_CONSUMER, marker):
            return False
        rejection = InitiativeRejectedV1(
            origin_source=message.origin_source,
            origin_id=message.origin_id,
            campaign_year=message.campaign_year,
            errors=[
                {"field": path[:500], "message": text[:2000] or "invalid"}
                for path, text in message.errors
            ],
        )
        event_id = uuid.uuid5(REJECTION_NAMESPACE, f"{message.origin_source}\n{message.origin_id}")
        uow.publish(rejection, event_id=str(event_id))
        await uow.commit()
    return True


async def faults_beyond_schema(
    uow: UnitOfWork, data: Mapping[str, Any], already: set[str], now: datetime
) -> list[Fault]:
    """The registry and date faults of an inbound ``data`` that failed schema validation,
    for the fields the schema accepted, so one rejection names every fault."""
    faults: list[Fault] = []
    code = data.get("agency_code")
    if "agency_code" not in already and isinstance(code, str):
        async with uow:
            if await uow.agencies.get(code) is None:
                faults.append(
                    Fault(
                        "agency_code",
                        f"Mã cơ quan {code} không có trong danh mục cơ quan, đơn vị",
                        f"unknown agency code {code}",
                    )
                )
    since = data.get("applied_since")
    if "applied_since" not in already and isinstance(since, str):
        try:
            day = date.fromisoformat(since)
        except ValueError:
            day = None
        if day is not None and day > local_date(now):
            faults.append(
                Fault(
                    "applied_since",
                    "Ngày bắt đầu áp dụng không được ở tương lai",
                    "must not be in the future",
                )
            )
    return faults
