"""Who is told what when a round is confirmed, changed or cancelled.

- Confirmed: each team member gets the Giấy mời (PDF) and a calendar (one event per visit,
  ``METHOD:REQUEST``); each surveyed agency its Thông báo (PDF) and the calendar of its visits.
- Changed: the same people get both again, the calendar with the same ``UID``s and the round's
  new ``SEQUENCE``, and a ``METHOD:CANCEL`` calendar for the visits they no longer have; those
  who left the round (a member off the team, an agency no longer visited) get the cancellation.
- Cancelled: everyone of the round's last state gets the ``METHOD:CANCEL`` calendar.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from cchc_notifications.domain import messages
from cchc_notifications.domain.calendar import CalendarVisit, Method, invitation
from cchc_notifications.domain.messages import Signature
from cchc_notifications.domain.model import (
    Category,
    Content,
    Notification,
    Recipient,
    RecipientKind,
    new_notification,
)
from cchc_shared.contracts.events import RoundScheduledV1, Visit
from cchc_shared.reference import get_agency


@dataclass(frozen=True)
class RoundContext:
    """What composing a round's mail needs besides the round: names, addresses, settings."""

    titles: Mapping[UUID, str]
    contacts: Mapping[str, str]  # agency code -> address
    signature: Signature
    organizer: tuple[str, str]
    domain: str
    visit_minutes: int
    held: bool
    now: datetime
    cause: str


def agency_name(code: str) -> str:
    agency = get_agency(code)
    return agency.name if agency else code


def agency_addressee(code: str) -> str:
    """The agency as its mail is addressed ("Kính gửi: Ủy ban nhân dân phường Bến Nghé,
    Quận 1,"), as the notice in the attachment addresses it."""
    agency = get_agency(code)
    return agency.addressee if agency else code


def calendar_visit(visit: Visit, titles: Mapping[UUID, str]) -> CalendarVisit:
    name = agency_name(visit.agency_code)
    return CalendarVisit(
        visit_id=visit.visit_id,
        day=visit.date,
        starts_at=visit.starts_at,
        place=visit.place or f"Trụ sở {name}",
        agency_name=name,
        initiative_title=titles.get(visit.initiative_id, "Mô hình, giải pháp, sáng kiến CCHC"),
    )


def _ics(
    ctx: RoundContext,
    visits: Sequence[Visit],
    method: Method,
    sequence: int,
    label: str,
    who: Recipient,
) -> str:
    return invitation(
        [calendar_visit(v, ctx.titles) for v in visits],
        method=method,
        sequence=sequence,
        round_label=label,
        organizer=ctx.organizer,
        attendee=(who.name, who.email or ""),
        minutes=ctx.visit_minutes,
        stamp=ctx.now,
        domain=ctx.domain,
    )


def _notification(
    ctx: RoundContext,
    round_id: UUID,
    year: int,
    category: Category,
    who: Recipient,
    content: Content,
) -> Notification:
    return new_notification(
        cause=ctx.cause,
        category=category,
        recipient=who,
        content=content,
        now=ctx.now,
        campaign_year=year,
        round_id=round_id,
        held=ctx.held,
    )


def _members(round_: RoundScheduledV1) -> dict[str, Recipient]:
    return {
        m.member_id: Recipient(RecipientKind.MEMBER, m.member_id, m.name, m.email)
        for m in round_.team
    }


def _agencies(round_: RoundScheduledV1, contacts: Mapping[str, str]) -> dict[str, Recipient]:
    return {
        v.agency_code: Recipient(
            RecipientKind.AGENCY,
            v.agency_code,
            agency_addressee(v.agency_code),
            contacts.get(v.agency_code),
        )
        for v in round_.visits
    }


def round_confirmed_or_changed(
    current: RoundScheduledV1,
    previous: RoundScheduledV1 | None,
    *,
    sequence: int,
    reason: str,
    ctx: RoundContext,
) -> list[Notification]:
    label = messages.round_label(current.sequence, current.campaign_year)
    update = previous is not None
    old_visits = {v.visit_id: v for v in previous.visits} if previous else {}
    result: list[Notification] = []

    def withdrawn(kept: Sequence[Visit], before: Sequence[Visit], who: Recipient) -> str | None:
        ids = {v.visit_id for v in kept}
        gone = [v for v in before if v.visit_id not in ids]
        return _ics(ctx, gone, "CANCEL", sequence, label, who) if gone else None

    before_team = {m.member_id for m in previous.team} if previous else set()
    roles = {m.member_id: m.role for m in current.team}
    for member_id, who in _members(current).items():
        content = messages.invitation(
            name=who.name,
            role=roles[member_id],
            label=label,
            visits=[calendar_visit(v, ctx.titles) for v in current.visits],
            update=update and member_id in before_team,
            reason=reason,
            document=f"/api/v1/rounds/{current.round_id}/notices/members/{member_id}.pdf",
            calendar=_ics(ctx, current.visits, "REQUEST", sequence, label, who),
            withdrawn=(
                withdrawn(current.visits, list(old_visits.values()), who)
                if member_id in before_team
                else None
            ),
            signature=ctx.signature,
        )
        result.append(
            _notification(
                ctx, current.round_id, current.campaign_year, Category.INVITATION, who, content
            )
        )
    agencies = _agencies(current, ctx.contacts)
    before_agencies = {v.agency_code for v in previous.visits} if previous else set()
    for code, who in agencies.items():
        own = [v for v in current.visits if v.agency_code == code]
        own_before = [v for v in old_visits.values() if v.agency_code == code]
        content = messages.agency_notice(
            agency_name=who.name,
            label=label,
            visits=[calendar_visit(v, ctx.titles) for v in own],
            update=update and code in before_agencies,
            reason=reason,
            document=f"/api/v1/rounds/{current.round_id}/notices/agencies/{code}.pdf",
            calendar=_ics(ctx, own, "REQUEST", sequence, label, who),
            withdrawn=withdrawn(own, own_before, who),
            signature=ctx.signature,
        )
        result.append(
            _notification(
                ctx,
                current.round_id,
                current.campaign_year,
                Category.AGENCY_NOTICE,
                who,
                content,
            )
        )
    if previous is not None:  # those who left the round are told their visits are off
        gone_members = [who for mid, who in _members(previous).items() if mid not in roles]
        gone_agencies = [
            who for code, who in _agencies(previous, ctx.contacts).items() if code not in agencies
        ]
        result += [
            _cancellation(ctx, previous, who, sequence=sequence, reason=reason, left=True)
            for who in [*gone_members, *gone_agencies]
        ]
    return result


def _cancellation(
    ctx: RoundContext,
    round_: RoundScheduledV1,
    who: Recipient,
    *,
    sequence: int,
    reason: str,
    left: bool,
) -> Notification:
    """``METHOD:CANCEL`` of the recipient's visits of ``round_`` (a member's: all of them)."""
    label = messages.round_label(round_.sequence, round_.campaign_year)
    visits = (
        round_.visits
        if who.kind is RecipientKind.MEMBER
        else [v for v in round_.visits if v.agency_code == who.id]
    )
    content = messages.cancellation(
        name=who.name,
        label=label,
        reason=reason,
        calendar=_ics(ctx, visits, "CANCEL", sequence, label, who),
        signature=ctx.signature,
        left=left,
    )
    return _notification(
        ctx, round_.round_id, round_.campaign_year, Category.ROUND_CANCELLED, who, content
    )


def round_cancelled(
    last: RoundScheduledV1, *, sequence: int, reason: str, ctx: RoundContext
) -> list[Notification]:
    recipients = [*_members(last).values(), *_agencies(last, ctx.contacts).values()]
    return [
        _cancellation(ctx, last, who, sequence=sequence, reason=reason, left=False)
        for who in recipients
    ]
