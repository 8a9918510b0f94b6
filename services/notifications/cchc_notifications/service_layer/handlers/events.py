"""What the events tell: each one through the inbox, in the same transaction as the
notifications it causes, so a redelivered event adds nothing (and the notification ids are
stable besides: the same cause and recipient give the same id)."""

from __future__ import annotations

from collections.abc import Mapping
from uuid import UUID

from cchc_notifications.domain import messages
from cchc_notifications.domain.model import (
    Category,
    DeliveryMode,
    Recipient,
    RecipientKind,
    new_notification,
)
from cchc_notifications.domain.rounds import (
    RoundContext,
    agency_addressee,
    round_cancelled,
    round_confirmed_or_changed,
)
from cchc_notifications.service_layer.services import Services
from cchc_notifications.service_layer.unit_of_work import SqlNotificationsUnitOfWork
from cchc_shared.clock import VIETNAM
from cchc_shared.contracts import CloudEvent
from cchc_shared.contracts.events import (
    CampaignSettingsChangedV1,
    DraftReminderDueV1,
    EvaluationRecordedV1,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
    SelectionDecidedV1,
)
from cchc_shared.persistence.campaign_settings import keep_campaign_settings

CONSUMER = "notifications"
CONFIRMED, CANCELLED = "confirmed", "cancelled"


def cause_of(event: CloudEvent) -> str:
    return f"{event.source}/{event.id}"


async def agency_recipient(uow: SqlNotificationsUnitOfWork, agency_code: str) -> Recipient:
    """The agency as a recipient: its name from the reference data, its address as the
    events last carried it."""
    contacts = await uow.directory.contacts([agency_code])
    return Recipient(
        RecipientKind.AGENCY, agency_code, agency_addressee(agency_code), contacts.get(agency_code)
    )


async def initiative_known(
    services: Services, event: CloudEvent, data: InitiativeSubmittedV1 | InitiativeAmendedV1
) -> None:
    """An initiative's title (for the calendars) and its agency's contact address."""
    now = services.clock()
    async with services.uow() as uow:
        if not await uow.accept_once(CONSUMER, event):
            return
        await uow.directory.save_initiative(
            data.initiative_id, data.campaign_year, data.agency_code, data.title, now
        )
        if data.agency_email:
            await uow.directory.save_contact(data.agency_code, data.agency_email, now)
        await uow.commit()


async def campaign_settings_changed(
    services: Services, event: CloudEvent, data: CampaignSettingsChangedV1
) -> None:
    """Whether the campaign's secretary scores (and so is reminded of a missing evaluation)."""
    await keep_campaign_settings(services.uow(), CONSUMER, event, data)


async def evaluation_recorded(
    services: Services, event: CloudEvent, data: EvaluationRecordedV1
) -> None:
    async with services.uow() as uow:
        if not await uow.accept_once(CONSUMER, event):
            return
        await uow.directory.record_evaluation(data.visit_id, data.evaluator_id, data.recorded_at)
        await uow.commit()


def _context(
    services: Services,
    titles: Mapping[UUID, str],
    contacts: Mapping[str, str],
    held: bool,
    cause: str,
) -> RoundContext:
    policy = services.policy
    return RoundContext(
        titles=titles,
        contacts=contacts,
        signature=policy.signature,
        organizer=policy.organizer,
        domain=policy.domain,
        visit_minutes=policy.visit_minutes,
        held=held,
        now=services.clock(),
        cause=cause,
    )


async def round_state(
    services: Services, event: CloudEvent, data: RoundScheduledV1 | RoundRescheduledV1
) -> None:
    """A round was confirmed or changed: its invitations and notices, new or updated."""
    async with services.uow() as uow:
        if not await uow.accept_once(CONSUMER, event):
            return
        stored = await uow.directory.round(data.round_id)
        if stored is not None and stored.status == CANCELLED:
            await uow.commit()  # a cancelled round stays cancelled; a late state changes nothing
            return
        version = data.version or (stored.version + 1 if stored is not None else 1)
        if stored is not None and stored.version >= version:
            await uow.commit()  # an older state than the one already told
            return
        previous = RoundScheduledV1.model_validate(stored.data) if stored is not None else None
        codes = {v.agency_code for v in data.visits}
        if previous is not None:
            codes |= {v.agency_code for v in previous.visits}
        ids = {v.initiative_id for v in data.visits}
        if previous is not None:
            ids |= {v.initiative_id for v in previous.visits}
        ctx = _context(
            services,
            await uow.directory.titles(sorted(ids)),
            await uow.directory.contacts(sorted(codes)),
            await uow.choices.review_before_release(data.campaign_year),
            cause_of(event),
        )
        reason = data.reason if isinstance(data, RoundRescheduledV1) else ""
        await uow.notifications.supersede_held(data.round_id, ctx.cause)
        await uow.notifications.add(
            round_confirmed_or_changed(data, previous, sequence=version, reason=reason, ctx=ctx)
        )
        snapshot = RoundScheduledV1.model_validate(data.model_dump()).model_dump(mode="json")
        await uow.directory.save_round(
            data.round_id,
            campaign_year=data.campaign_year,
            sequence=data.sequence,
            version=version,
            status=CONFIRMED,
            data=snapshot,
            now=ctx.now,
        )
        await uow.commit()
    services.mail_waiting.set()


async def round_cancelled_event(
    services: Services, event: CloudEvent, data: RoundCancelledV1
) -> None:
    async with services.uow() as uow:
        if not await uow.accept_once(CONSUMER, event):
            return
        stored = await uow.directory.round(data.round_id)
        if stored is None or stored.status == CANCELLED:
            # Never told (nobody to un-invite) or already cancelled.
            await uow.commit()
            return
        last = RoundScheduledV1.model_validate(stored.data)
        version = max(data.version or 0, stored.version + 1)
        ctx = _context(
            services,
            await uow.directory.titles(sorted({v.initiative_id for v in last.visits})),
            await uow.directory.contacts(sorted({v.agency_code for v in last.visits})),
            await uow.choices.review_before_release(data.campaign_year),
            cause_of(event),
        )
        await uow.notifications.supersede_held(data.round_id, ctx.cause)
        await uow.notifications.add(
            round_cancelled(last, sequence=version, reason=data.reason, ctx=ctx)
        )
        await uow.directory.save_round(
            data.round_id,
            campaign_year=data.campaign_year,
            sequence=data.sequence,
            version=version,
            status=CANCELLED,
            data=stored.data,
            now=ctx.now,
        )
        await uow.commit()
    services.mail_waiting.set()


async def selection_decided(
    services: Services, event: CloudEvent, data: SelectionDecidedV1
) -> None:
    """The submitting agency is told the outcome and its reason."""
    now = services.clock()
    async with services.uow() as uow:
        if not await uow.accept_once(CONSUMER, event):
            return
        who = await agency_recipient(uow, data.agency_code)
        modes = await uow.choices.modes(who.kind, who.id)
        content = messages.decision(
            agency_name=who.name,
            title=data.title,
            year=data.campaign_year,
            outcome=data.decision,
            scope=data.scope,
            final_score=data.final_score,
            rationale=data.rationale,
            signature=services.policy.signature,
        )
        await uow.notifications.add(
            [
                new_notification(
                    cause=cause_of(event),
                    category=Category.DECISION,
                    recipient=who,
                    content=content,
                    now=now,
                    campaign_year=data.campaign_year,
                    mode=modes.get(Category.DECISION, DeliveryMode.IMMEDIATE),
                )
            ]
        )
        await uow.commit()
    services.mail_waiting.set()


async def draft_reminder_due(
    services: Services, event: CloudEvent, data: DraftReminderDueV1
) -> None:
    """An agency's draft is still unsubmitted as the deadline nears: a reminder, which the
    agency may take in a digest or turn off. Its cause is the draft and the deadline, so
    neither a redelivery nor a second event of the same reminder adds a message; a draft
    whose submission arrived first (the initiative keeps the draft's id) is not reminded."""
    now = services.clock()
    async with services.uow() as uow:
        if not await uow.accept_once(CONSUMER, event):
            return
        if data.agency_email:
            await uow.directory.save_contact(data.agency_code, data.agency_email, now)
        if await uow.directory.titles([data.draft_id]):
            await uow.commit()  # submitted meanwhile: nothing to remind
            return
        who = await agency_recipient(uow, data.agency_code)
        modes = await uow.choices.modes(who.kind, who.id)
        content = messages.draft_reminder(
            agency_name=who.name,
            title=data.title,
            year=data.campaign_year,
            closes_on=data.submission_closes_on,
            today=data.reminded_at.astimezone(VIETNAM).date(),
            missing=data.missing_fields,
            signature=services.policy.signature,
        )
        await uow.notifications.add(
            [
                new_notification(
                    cause=f"draft-reminder/{data.draft_id}/{data.submission_closes_on}",
                    category=Category.DRAFT_REMINDER,
                    recipient=who,
                    content=content,
                    now=now,
                    campaign_year=data.campaign_year,
                    mode=modes.get(Category.DRAFT_REMINDER, DeliveryMode.IMMEDIATE),
                )
            ]
        )
        await uow.commit()
    services.mail_waiting.set()
