"""FastAPI routers of the notifications API (prefix ``/api/v1``): the PAR office sees every
message (and why one was refused), reviews and releases a round's mail, sends a refused one
again; members and agencies see their own mail and choose a digest or nothing for what is
not mandatory."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Depends, Path, Query, Request

from cchc_notifications.domain.model import Category, RecipientKind, Status
from cchc_notifications.entrypoints.schemas import (
    CampaignSettingsIn,
    CampaignSettingsOut,
    CountsOut,
    NotificationDetail,
    NotificationOut,
    PreferenceIn,
    PreferencesOut,
    ReleaseOut,
    SendAgainIn,
)
from cchc_notifications.service_layer import queries
from cchc_notifications.service_layer.handlers import choices
from cchc_notifications.service_layer.services import Services
from cchc_shared.auth import Principal, Role, require_roles
from cchc_shared.auth.principal import PERSON_ROLE_SET
from cchc_shared.chassis.http import CampaignYearFilter
from cchc_shared.errors import Fault, Forbidden


def services(request: Request) -> Services:
    found = request.app.state.services
    assert isinstance(found, Services)
    return found


Staff = Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))]
Person = Annotated[Principal, Depends(require_roles(*PERSON_ROLE_SET))]
Context = Annotated[Services, Depends(services)]
CampaignYear = Annotated[int, Path(ge=2000, le=2100, description="Năm khảo sát")]

notifications_api = APIRouter(prefix="/notifications", tags=["notifications"])
rounds_api = APIRouter(prefix="/rounds", tags=["review"])
campaigns_api = APIRouter(prefix="/campaigns", tags=["review"])
preferences_api = APIRouter(prefix="/preferences", tags=["preferences"])


def _own(principal: Principal) -> tuple[RecipientKind, str] | None:
    """The recipient a person is: a member, an agency; None for staff (every recipient)."""
    if principal.is_staff:
        return None
    if principal.is_surveyor and principal.member_id:
        return RecipientKind.MEMBER, principal.member_id
    if principal.is_agency_submitter and principal.agency_code:
        return RecipientKind.AGENCY, principal.agency_code
    raise Forbidden(
        Fault(
            "Authorization",
            "Chỉ Phòng CCHC, thành viên Đoàn khảo sát và đơn vị xem được thư của mình",
            "only the PAR office, team members and agencies see their mail",
        )
    )


@notifications_api.get("", response_model=list[NotificationOut], summary="Thư đã và sẽ gửi")
async def list_notifications(
    principal: Person,
    ctx: Context,
    status: Status | None = None,
    round_id: UUID | None = None,
    campaign_year: CampaignYearFilter = None,
    recipient_kind: RecipientKind | None = None,
    limit: Annotated[int, Query(ge=1, le=10000)] = 1000,
) -> list[NotificationOut]:
    """Staff see every message, a member or an agency their own. ``status=failed`` lists the
    refused ones with the server's reason (``last_error``); ``recipient_kind`` (``member``,
    ``agency``) only the team members' or the agencies' mail."""
    found = await queries.list_notifications(
        ctx,
        status=status,
        round_id=round_id,
        campaign_year=campaign_year,
        recipient=_own(principal),
        recipient_kind=recipient_kind,
        limit=limit,
    )
    return [NotificationOut.of(n) for n in found]


@notifications_api.get("/counts", response_model=CountsOut, summary="Số thư theo trạng thái")
async def notification_counts(
    _: Staff, ctx: Context, campaign_year: CampaignYearFilter = None
) -> CountsOut:
    return CountsOut(
        campaign_year=campaign_year, by_status=await queries.counts(ctx, campaign_year)
    )


@notifications_api.get(
    "/{notification_id}", response_model=NotificationDetail, summary="Nội dung một thư"
)
async def get_notification(
    notification_id: UUID, principal: Person, ctx: Context
) -> NotificationDetail:
    own = _own(principal)
    found = await queries.get_notification(ctx, notification_id)
    if own is not None and own != (found.recipient.kind, found.recipient.id):
        raise Forbidden(
            Fault("notification_id", "Thư này không gửi cho quý vị", "not your message")
        )
    return NotificationDetail.detail(found)


@notifications_api.post(
    "/{notification_id}/resend", response_model=NotificationOut, summary="Gửi lại thư bị từ chối"
)
async def send_again(
    notification_id: UUID, body: SendAgainIn, principal: Staff, ctx: Context
) -> NotificationOut:
    await choices.send_again(ctx, notification_id, body.email, principal.subject)
    return NotificationOut.of(await queries.get_notification(ctx, notification_id))


@rounds_api.post(
    "/{round_id}/release", response_model=ReleaseOut, summary="Phát hành thư của một đợt"
)
async def release_round(round_id: UUID, principal: Staff, ctx: Context) -> ReleaseOut:
    released = await choices.release_round(ctx, round_id, principal.subject)
    return ReleaseOut(round_id=round_id, released=released)


@campaigns_api.get(
    "/{campaign_year}/settings", response_model=CampaignSettingsOut, summary="Cài đặt gửi thư"
)
async def campaign_settings(
    campaign_year: CampaignYear, _: Staff, ctx: Context
) -> CampaignSettingsOut:
    return CampaignSettingsOut(
        campaign_year=campaign_year,
        review_before_release=await queries.review_before_release(ctx, campaign_year),
    )


@campaigns_api.put(
    "/{campaign_year}/settings", response_model=CampaignSettingsOut, summary="Cài đặt gửi thư"
)
async def set_campaign_settings(
    campaign_year: CampaignYear, body: CampaignSettingsIn, principal: Staff, ctx: Context
) -> CampaignSettingsOut:
    """With ``review_before_release``, the mail of the campaign's rounds waits for the PAR
    office to release it (``POST /rounds/{round_id}/release``)."""
    await choices.set_review(ctx, campaign_year, body.review_before_release, principal.subject)
    return CampaignSettingsOut(
        campaign_year=campaign_year, review_before_release=body.review_before_release
    )


def _recipient(principal: Principal) -> tuple[RecipientKind, str]:
    own = _own(principal)
    if own is None:
        raise Forbidden(
            Fault(
                "Authorization",
                "Chỉ thành viên Đoàn khảo sát và đơn vị chọn cách nhận thư của mình",
                "only members and agencies choose how they receive their mail",
            )
        )
    return own


@preferences_api.get("", response_model=PreferencesOut, summary="Cách nhận thư của tôi")
async def my_preferences(principal: Person, ctx: Context) -> PreferencesOut:
    kind, recipient_id = _recipient(principal)
    modes = await queries.preferences(ctx, kind, recipient_id)
    return PreferencesOut(
        recipient_kind=kind.value,
        recipient_id=recipient_id,
        modes={c.value: m for c, m in modes.items()},
    )


@preferences_api.put("", response_model=PreferencesOut, summary="Chọn cách nhận thư")
async def set_my_preference(body: PreferenceIn, principal: Person, ctx: Context) -> PreferencesOut:
    """``mode``: ``immediate``, ``digest`` (one message per day) or ``off``, for what is not
    mandatory (decisions, reminders)."""
    kind, recipient_id = _recipient(principal)
    await choices.set_preference(ctx, kind, recipient_id, Category(body.category), body.mode)
    return await my_preferences(principal, ctx)


ROUTERS = (notifications_api, rounds_api, campaigns_api, preferences_api)
