"""The HTTP API (``/api/v1``): roster, pool, rounds, plan proposals, visits and notices.

Secretariat and admin write; the People's Committee reads; a survey member reads only the
rounds and visits they are on; an agency sees the confirmed visits to itself and its notice.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, HTTPException, Query, Response, status

from cchc_scheduling.adapters import notices
from cchc_scheduling.domain.errors import Conflict, NotFound
from cchc_scheduling.domain.model import (
    Member,
    PoolStatus,
    Round,
    RoundStatus,
    Seat,
    TeamRole,
    Visit,
)
from cchc_scheduling.entrypoints.context import Scheduling, scheduling
from cchc_scheduling.entrypoints.schemas import (
    CancelIn,
    CheckOut,
    MemberFields,
    MemberIn,
    MemberOut,
    NoticeOut,
    PlanIn,
    PoolOut,
    RoundIn,
    RoundOut,
    RoundUpdate,
    UnavailableIn,
    ViolationOut,
    VisitIn,
    VisitOut,
)
from cchc_scheduling.service_layer import handlers
from cchc_shared.auth import CurrentPrincipal, Principal, Role, require_roles
from cchc_shared.chassis.http import CampaignYearFilter

Staff = Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))]
Readers = Annotated[
    Principal,
    Depends(require_roles(Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER, Role.SURVEYOR)),
]
Context = Annotated[Scheduling, Depends(scheduling)]

roster = APIRouter(prefix="/roster", tags=["roster"])
pool = APIRouter(prefix="/pool", tags=["pool"])
rounds = APIRouter(prefix="/rounds", tags=["rounds"])
plans = APIRouter(prefix="/plans", tags=["plans"])
visits = APIRouter(prefix="/visits", tags=["visits"])


def _forbidden(vi: str, en: str) -> HTTPException:
    return HTTPException(
        status.HTTP_403_FORBIDDEN, [{"field": "Authorization", "message": vi, "message_en": en}]
    )


# --------------------------------------------------------------------------------------
# Roster


@roster.get("", response_model=list[MemberOut], summary="Danh sách thành viên Đoàn khảo sát")
async def list_members(_: Readers, ctx: Context, active: bool | None = None) -> list[MemberOut]:
    async with ctx.uow() as uow:
        found = await uow.members.list(active_only=bool(active))
    return [MemberOut.of(m) for m in found if active is None or m.active == active]


@roster.post("", response_model=MemberOut, status_code=201, summary="Thêm thành viên")
async def add_member(body: MemberIn, _: Staff, ctx: Context) -> MemberOut:
    member = await handlers.add_member(ctx.uow(), body.to_member(body.member_id))
    return MemberOut.of(member)


@roster.get("/{member_id}", response_model=MemberOut)
async def get_member(member_id: str, _: Readers, ctx: Context) -> MemberOut:
    return MemberOut.of(await handlers.get_member(ctx.uow(), member_id))


@roster.put("/{member_id}", response_model=MemberOut, summary="Cập nhật thành viên")
async def update_member(member_id: str, body: MemberFields, _: Staff, ctx: Context) -> MemberOut:
    return MemberOut.of(await handlers.update_member(ctx.uow(), body.to_member(member_id)))


@roster.put(
    "/{member_id}/unavailable",
    response_model=MemberOut,
    summary="Ngày bận của thành viên (thành viên tự khai hoặc Phòng CCHC cập nhật)",
)
async def set_unavailable(
    member_id: str, body: UnavailableIn, principal: CurrentPrincipal, ctx: Context
) -> MemberOut:
    if not (principal.is_staff or principal.is_member(member_id)):
        raise _forbidden(
            "Chỉ thành viên đó hoặc Phòng CCHC được cập nhật ngày bận",
            "only the member or the secretariat may set a member's unavailable dates",
        )
    member = await handlers.get_member(ctx.uow(), member_id)
    updated = Member(**{**member.__dict__, "unavailable": frozenset(body.unavailable)})
    return MemberOut.of(await handlers.update_member(ctx.uow(), updated))


@roster.delete("/{member_id}", response_model=MemberOut, summary="Ngừng tham gia")
async def deactivate_member(member_id: str, _: Staff, ctx: Context) -> MemberOut:
    """Members stay on record (past rounds name them); they are marked inactive."""
    member = await handlers.get_member(ctx.uow(), member_id)
    updated = Member(**{**member.__dict__, "active": False})
    return MemberOut.of(await handlers.update_member(ctx.uow(), updated))


# --------------------------------------------------------------------------------------
# Pool


@pool.get("", response_model=list[PoolOut], summary="Sáng kiến chờ khảo sát")
async def list_pool(
    principal: Annotated[
        Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER))
    ],
    ctx: Context,
    campaign_year: CampaignYearFilter = None,
    status_: Annotated[Literal["in_pool", "withdrawn"] | None, Query(alias="status")] = None,
) -> list[PoolOut]:
    async with ctx.uow() as uow:
        found = await uow.pool.list(
            campaign_year, PoolStatus(status_) if status_ is not None else None
        )
    return [PoolOut(**{**i.__dict__, "status": i.status.value}) for i in found]


# --------------------------------------------------------------------------------------
# Rounds


async def _visits(ctx: Scheduling, body: list[VisitIn]) -> list[Visit]:
    result = []
    async with ctx.uow() as uow:
        for item in body:
            agency = item.agency_code
            if agency is None:
                found = await uow.pool.get(item.initiative_id)
                agency = found.agency_code if found else "SNV"
            result.append(
                Visit(
                    item.visit_id or uuid.uuid4(),
                    item.initiative_id,
                    agency,
                    item.date,
                    item.starts_at,
                    item.place,
                )
            )
    return result


def _team(body: list[Any]) -> list[Seat]:
    return [Seat(s.member_id, TeamRole(s.role)) for s in body]


async def _members(ctx: Scheduling) -> dict[str, Member]:
    async with ctx.uow() as uow:
        return {m.member_id: m for m in await uow.members.list()}


async def _out(ctx: Scheduling, round_: Round, with_check: bool = False) -> RoundOut:
    violations = None
    if with_check and round_.status is not RoundStatus.CANCELLED:
        async with ctx.uow() as uow:
            violations = await handlers.check_round(uow, round_, ctx.policy)
    return RoundOut.of(round_, await _members(ctx), violations)


def _may_read(principal: Principal, round_: Round) -> bool:
    if principal.can_read_all:
        return True
    return principal.is_surveyor and principal.member_id in round_.member_ids()


@rounds.get("", response_model=list[RoundOut], summary="Các đợt khảo sát")
async def list_rounds(
    principal: Readers,
    ctx: Context,
    campaign_year: CampaignYearFilter = None,
    status_: Annotated[
        Literal["draft", "confirmed", "cancelled"] | None, Query(alias="status")
    ] = None,
) -> list[RoundOut]:
    async with ctx.uow() as uow:
        found = await uow.rounds.find(
            campaign_year,
            member_id=principal.member_id if principal.is_surveyor else None,
            statuses=(RoundStatus(status_),) if status_ else (),
        )
    members = await _members(ctx)
    return [RoundOut.of(r, members) for r in found if _may_read(principal, r)]


@rounds.post(
    "",
    response_model=RoundOut,
    status_code=201,
    summary="Lập dự thảo đợt khảo sát (kiểm tra mọi quy tắc)",
    responses={422: {"description": "Each violated rule, named in `rule`"}},
)
async def create_round(body: RoundIn, _: Staff, ctx: Context) -> RoundOut:
    round_ = await handlers.create_round(
        ctx.uow(),
        body.campaign_year,
        _team(body.team),
        await _visits(ctx, body.visits),
        body.title,
        ctx.policy,
    )
    return await _out(ctx, round_)


@rounds.post("/check", response_model=CheckOut, summary="Kiểm tra một phương án (không lưu)")
async def check_round(body: RoundIn, _: Staff, ctx: Context) -> CheckOut:
    candidate = Round(
        uuid.uuid4(), body.campaign_year, _team(body.team), await _visits(ctx, body.visits)
    )
    async with ctx.uow() as uow:
        violations = await handlers.check_round(uow, candidate, ctx.policy)
    return CheckOut(ok=not violations, violations=[ViolationOut.of(v) for v in violations])


@rounds.get("/{round_id}", response_model=RoundOut)
async def get_round(round_id: UUID, principal: Readers, ctx: Context) -> RoundOut:
    round_ = await handlers.get_round(ctx.uow(), round_id)
    if not _may_read(principal, round_):
        raise _not_found(round_id)
    return await _out(ctx, round_, with_check=principal.is_staff)


def _not_found(round_id: UUID) -> NotFound:
    return NotFound(
        f"round {round_id} not found", f"Không tìm thấy đợt khảo sát {round_id}", "round_id"
    )


@rounds.put(
    "/{round_id}",
    response_model=RoundOut,
    summary="Sửa dự thảo, hoặc điều chỉnh lịch đợt đã thông báo (cần lý do)",
)
async def update_round(round_id: UUID, body: RoundUpdate, _: Staff, ctx: Context) -> RoundOut:
    round_ = await handlers.update_round(
        ctx.uow(),
        round_id,
        _team(body.team),
        await _visits(ctx, body.visits),
        body.title,
        body.reason,
        ctx.policy,
    )
    return await _out(ctx, round_)


@rounds.post("/{round_id}/confirm", response_model=RoundOut, summary="Xác nhận và thông báo")
async def confirm_round(round_id: UUID, _: Staff, ctx: Context) -> RoundOut:
    return await _out(ctx, await handlers.confirm_round(ctx.uow(), round_id, ctx.policy))


@rounds.post("/{round_id}/cancel", response_model=RoundOut, summary="Hủy đợt khảo sát")
async def cancel_round(round_id: UUID, body: CancelIn, _: Staff, ctx: Context) -> RoundOut:
    return await _out(ctx, await handlers.cancel_round(ctx.uow(), round_id, body.reason))


# --------------------------------------------------------------------------------------
# Visits


@visits.get("", response_model=list[VisitOut], summary="Lịch khảo sát của tôi")
async def list_visits(
    principal: CurrentPrincipal, ctx: Context, campaign_year: CampaignYearFilter = None
) -> list[VisitOut]:
    """Staff and the Committee see every visit; a member the visits of their rounds; an
    agency the confirmed visits to itself."""
    async with ctx.uow() as uow:
        if principal.is_surveyor:
            found = await uow.rounds.find(
                campaign_year, member_id=principal.member_id, active_only=True
            )
        elif principal.is_agency_submitter:
            found = await uow.rounds.find(
                campaign_year,
                agency_code=principal.agency_code,
                statuses=(RoundStatus.CONFIRMED,),
            )
        else:
            found = await uow.rounds.find(campaign_year, active_only=True)
    result = []
    for round_ in found:
        for v in round_.visits:
            if principal.is_agency_submitter and v.agency_code != principal.agency_code:
                continue
            result.append(
                VisitOut(
                    visit_id=v.visit_id,
                    round_id=round_.round_id,
                    initiative_id=v.initiative_id,
                    agency_code=v.agency_code,
                    date=v.date,
                    starts_at=v.starts_at,
                    place=v.place,
                )
            )
    return sorted(result, key=lambda v: (v.date, v.starts_at))


# --------------------------------------------------------------------------------------
# Notices

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA = {"docx": DOCX, "pdf": "application/pdf"}


async def _notice_data(ctx: Scheduling, round_id: UUID) -> notices.NoticeData:
    round_ = await handlers.get_round(ctx.uow(), round_id)
    if round_.status is RoundStatus.DRAFT:
        raise Conflict(
            "notices are issued once the round is confirmed",
            "Chỉ phát hành giấy mời, thông báo khi đợt khảo sát đã được xác nhận",
            "status",
        )
    async with ctx.uow() as uow:
        members = {m.member_id: m for m in await uow.members.list()}
        initiatives = {i.initiative_id: i for i in await uow.pool.list(round_.campaign_year)}
    return notices.NoticeData(
        round_, members, initiatives, ctx.policy.calendar(round_.campaign_year), ctx.notices
    )


def _file(content: bytes, media: str, name: str) -> Response:
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@rounds.get("/{round_id}/notices", response_model=list[NoticeOut], summary="Giấy mời, thông báo")
async def list_notices(
    round_id: UUID, principal: CurrentPrincipal, ctx: Context
) -> list[NoticeOut]:
    data = await _notice_data(ctx, round_id)
    base = f"/api/v1/rounds/{round_id}"
    result = []
    for seat in data.round.team:
        if principal.can_read_all or principal.is_member(seat.member_id):
            member = data.members.get(seat.member_id)
            result.append(
                NoticeOut(
                    kind="GIẤY MỜI",
                    recipient=member.name if member else seat.member_id,
                    docx=f"{base}/notices/members/{seat.member_id}.docx",
                    pdf=f"{base}/notices/members/{seat.member_id}.pdf",
                    ics=f"{base}/calendar/{seat.member_id}.ics",
                )
            )
    for code in sorted({v.agency_code for v in data.round.visits}):
        if principal.can_read_all or principal.owns_agency(code):
            result.append(
                NoticeOut(
                    kind="THÔNG BÁO",
                    recipient=notices.agency_addressee(code),
                    docx=f"{base}/notices/agencies/{code}.docx",
                    pdf=f"{base}/notices/agencies/{code}.pdf",
                )
            )
    if not result and not principal.can_read_all:
        raise _not_found(round_id)
    return result


@rounds.get(
    "/{round_id}/notices/members/{member_id}.{file_format}",
    summary="Giấy mời thành viên (DOCX/PDF)",
    response_class=Response,
)
async def member_invitation(
    round_id: UUID,
    member_id: str,
    file_format: Literal["docx", "pdf"],
    principal: CurrentPrincipal,
    ctx: Context,
) -> Response:
    if not (principal.can_read_all or principal.is_member(member_id)):
        raise _forbidden(
            "Chỉ thành viên được mời hoặc Phòng CCHC được tải giấy mời",
            "only the invited member or the secretariat may download an invitation",
        )
    data = await _notice_data(ctx, round_id)
    if member_id not in data.round.member_ids():
        raise _not_found(round_id)
    document = notices.invitation(data, member_id)
    name = f"giay-moi-dot-{data.sequence_text}-{member_id}.{file_format}"
    return _file(notices.render(document, file_format), MEDIA[file_format], name)


@rounds.get(
    "/{round_id}/notices/agencies/{agency_code}.{file_format}",
    summary="Thông báo cho đơn vị được khảo sát (DOCX/PDF)",
    response_class=Response,
)
async def agency_notice(
    round_id: UUID,
    agency_code: str,
    file_format: Literal["docx", "pdf"],
    principal: CurrentPrincipal,
    ctx: Context,
) -> Response:
    if not (principal.can_read_all or principal.owns_agency(agency_code)):
        raise _forbidden(
            "Chỉ đơn vị được khảo sát hoặc Phòng CCHC được tải thông báo",
            "only the surveyed agency or the secretariat may download its notice",
        )
    data = await _notice_data(ctx, round_id)
    if agency_code not in {v.agency_code for v in data.round.visits}:
        raise _not_found(round_id)
    document = notices.agency_notice(data, agency_code)
    name = f"thong-bao-dot-{data.sequence_text}-{agency_code}.{file_format}"
    return _file(notices.render(document, file_format), MEDIA[file_format], name)


@rounds.get(
    "/{round_id}/calendar/{member_id}.ics",
    summary="Lịch khảo sát của thành viên (iCalendar)",
    response_class=Response,
)
async def member_calendar(
    round_id: UUID, member_id: str, principal: CurrentPrincipal, ctx: Context
) -> Response:
    if not (principal.can_read_all or principal.is_member(member_id)):
        raise _forbidden(
            "Chỉ thành viên đó hoặc Phòng CCHC được tải lịch",
            "only the member or the secretariat may download the calendar",
        )
    data = await _notice_data(ctx, round_id)
    if member_id not in data.round.member_ids():
        raise _not_found(round_id)
    return _file(
        notices.member_calendar(data, member_id),
        "text/calendar; charset=utf-8",
        f"khao-sat-dot-{data.sequence_text}-{member_id}.ics",
    )


# --------------------------------------------------------------------------------------
# Plan proposals


@plans.post(
    "",
    status_code=201,
    summary="Đề xuất phương án tự động (OR-Tools CP-SAT)",
    responses={422: {"description": "Infeasible: the rule that cannot be met, in `rule`"}},
)
async def propose_plan(body: PlanIn, principal: Staff, ctx: Context) -> dict[str, Any]:
    request = handlers.PlanRequest(
        campaign_year=body.campaign_year,
        initiative_ids=tuple(body.initiative_ids) if body.initiative_ids is not None else None,
        first_day=body.first_day,
        last_day=body.last_day,
        seed=body.seed,
        time_limit=body.time_limit_seconds,
    )
    proposal_id, result = await handlers.propose_plan(
        ctx.uow(), request, ctx.policy, principal.subject
    )
    return {"proposal_id": str(proposal_id), "status": "proposed", **result}


@plans.get("/{proposal_id}")
async def get_plan(proposal_id: UUID, _: Staff, ctx: Context) -> dict[str, Any]:
    found = await handlers.get_proposal(ctx.uow(), proposal_id)
    return {
        "proposal_id": str(found["proposal_id"]),
        "campaign_year": found["campaign_year"],
        "status": found["status"],
        "request": found["request"],
        **found["result"],
    }


@plans.post(
    "/{proposal_id}/accept",
    response_model=list[RoundOut],
    status_code=201,
    summary="Chấp nhận phương án: tạo các dự thảo đợt khảo sát",
)
async def accept_plan(proposal_id: UUID, _: Staff, ctx: Context) -> list[RoundOut]:
    drafts = await handlers.accept_proposal(ctx.uow(), proposal_id, ctx.policy)
    members = await _members(ctx)
    return [RoundOut.of(r, members) for r in drafts]


ROUTERS = (roster, pool, rounds, plans, visits)
