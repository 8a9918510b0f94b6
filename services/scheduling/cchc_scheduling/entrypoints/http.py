"""The HTTP API (``/api/v1``): roster, pool, rounds, plan jobs and proposals, visits and
notices.

Secretariat and admin write; the People's Committee reads; a survey member reads only the
rounds and visits they are on; an agency sees the confirmed visits to itself and its notice.
Each route decodes the request, calls a handler (write) or a query (read), and encodes the
answer; the kit's chassis answers every domain error in the API's one error body.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Depends, Query, Request, Response

from cchc_scheduling.adapters import notices
from cchc_scheduling.domain.errors import round_not_found
from cchc_scheduling.domain.model import PoolStatus, Round, RoundStatus, Seat, TeamRole, Visit
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
    SeatIn,
    UnavailableIn,
    ViolationOut,
    VisitIn,
    VisitOut,
)
from cchc_scheduling.service_layer import queries
from cchc_scheduling.service_layer.handlers import plans, roster, rounds
from cchc_scheduling.service_layer.handlers.plan_jobs import PlanJobs
from cchc_scheduling.service_layer.services import Services
from cchc_shared.auth import Principal, Role, require_roles
from cchc_shared.auth.principal import PERSON_ROLE_SET
from cchc_shared.chassis.audit import AuditEntryOut
from cchc_shared.chassis.http import CampaignYearFilter
from cchc_shared.errors import Fault, Forbidden


def services(request: Request) -> Services:
    found = request.app.state.services
    assert isinstance(found, Services)
    return found


Staff = Annotated[Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN))]
# Every role but ``platform``: what only a person does or sees (their visits, notices,
# evaluations); another platform's client is refused at the door.
Person = Annotated[Principal, Depends(require_roles(*PERSON_ROLE_SET))]
Readers = Annotated[
    Principal,
    Depends(require_roles(Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER, Role.SURVEYOR)),
]
Context = Annotated[Services, Depends(services)]

roster_api = APIRouter(prefix="/roster", tags=["roster"])
pool_api = APIRouter(prefix="/pool", tags=["pool"])
rounds_api = APIRouter(prefix="/rounds", tags=["rounds"])
plans_api = APIRouter(prefix="/plans", tags=["plans"])
plan_jobs_api = APIRouter(prefix="/plan-jobs", tags=["plans"])
visits_api = APIRouter(prefix="/visits", tags=["visits"])


def _forbidden(vi: str, en: str) -> Forbidden:
    return Forbidden(Fault("Authorization", vi, en))


# --------------------------------------------------------------------------------------
# Roster


@roster_api.get("", response_model=list[MemberOut], summary="Danh sách thành viên Đoàn khảo sát")
async def list_members(_: Readers, ctx: Context, active: bool | None = None) -> list[MemberOut]:
    return [MemberOut.of(m) for m in await queries.list_members(ctx.uow(), active)]


@roster_api.post("", response_model=MemberOut, status_code=201, summary="Thêm thành viên")
async def add_member(body: MemberIn, staff: Staff, ctx: Context) -> MemberOut:
    member = body.to_member(body.member_id)
    return MemberOut.of(await roster.add_member(ctx.uow(), member, staff))


@roster_api.get("/{member_id}", response_model=MemberOut)
async def get_member(member_id: str, _: Readers, ctx: Context) -> MemberOut:
    return MemberOut.of(await queries.get_member(ctx.uow(), member_id))


@roster_api.put("/{member_id}", response_model=MemberOut, summary="Cập nhật thành viên")
async def update_member(
    member_id: str, body: MemberFields, staff: Staff, ctx: Context
) -> MemberOut:
    member = body.to_member(member_id)
    return MemberOut.of(await roster.update_member(ctx.uow(), member, staff))


@roster_api.put(
    "/{member_id}/unavailable",
    response_model=MemberOut,
    summary="Ngày bận của thành viên (thành viên tự khai hoặc Phòng CCHC cập nhật)",
)
async def set_unavailable(
    member_id: str, body: UnavailableIn, principal: Person, ctx: Context
) -> MemberOut:
    if not (principal.is_staff or principal.is_member(member_id)):
        raise _forbidden(
            "Chỉ thành viên đó hoặc Phòng CCHC được cập nhật ngày bận",
            "only the member or the secretariat may set a member's unavailable dates",
        )
    days = frozenset(body.unavailable)
    return MemberOut.of(await roster.set_unavailable(ctx.uow(), member_id, days, principal))


@roster_api.delete("/{member_id}", response_model=MemberOut, summary="Ngừng tham gia")
async def deactivate_member(member_id: str, staff: Staff, ctx: Context) -> MemberOut:
    """Members stay on record (past rounds name them); they are marked inactive."""
    return MemberOut.of(await roster.deactivate_member(ctx.uow(), member_id, staff))


@roster_api.get(
    "/{member_id}/history",
    response_model=list[AuditEntryOut],
    summary="Lịch sử thay đổi của thành viên (ai, khi nào)",
)
async def member_history(member_id: str, _: Staff, ctx: Context) -> list[AuditEntryOut]:
    """Who added the member, changed their entry or unavailable dates, oldest first."""
    found = await queries.member_history(ctx.uow(), member_id)
    return [AuditEntryOut(**entry) for entry in found]


# --------------------------------------------------------------------------------------
# Pool


@pool_api.get("", response_model=list[PoolOut], summary="Sáng kiến chờ khảo sát")
async def list_pool(
    principal: Annotated[
        Principal, Depends(require_roles(Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER))
    ],
    ctx: Context,
    campaign_year: CampaignYearFilter = None,
    status_: Annotated[Literal["in_pool", "withdrawn"] | None, Query(alias="status")] = None,
) -> list[PoolOut]:
    status = PoolStatus(status_) if status_ is not None else None
    return [PoolOut.of(i) for i in await queries.list_pool(ctx.uow(), campaign_year, status)]


# --------------------------------------------------------------------------------------
# Rounds


async def _visits(ctx: Services, body: list[VisitIn]) -> list[Visit]:
    """The request's visits; a visit without an agency takes its initiative's (SNV when the
    pool does not hold it: the rules then name the initiative as not in the pool)."""
    missing = [item.initiative_id for item in body if item.agency_code is None]
    agencies = await queries.agencies_of(ctx.uow(), missing) if missing else {}
    return [
        Visit(
            item.visit_id or uuid.uuid4(),
            item.initiative_id,
            item.agency_code or agencies.get(item.initiative_id, "SNV"),
            item.date,
            item.starts_at,
            item.place,
        )
        for item in body
    ]


def _team(body: list[SeatIn]) -> list[Seat]:
    return [Seat(s.member_id, TeamRole(s.role)) for s in body]


async def _out(ctx: Services, round_: Round, with_check: bool = False) -> RoundOut:
    violations = None
    if with_check and round_.status is not RoundStatus.CANCELLED:
        violations = await queries.check_round(ctx.uow(), round_, ctx.policy)
    return RoundOut.of(round_, await queries.members(ctx.uow()), violations)


@rounds_api.get("", response_model=list[RoundOut], summary="Các đợt khảo sát")
async def list_rounds(
    principal: Readers,
    ctx: Context,
    campaign_year: CampaignYearFilter = None,
    status_: Annotated[
        Literal["draft", "confirmed", "cancelled"] | None, Query(alias="status")
    ] = None,
) -> list[RoundOut]:
    status = RoundStatus(status_) if status_ else None
    found = await queries.list_rounds(ctx.uow(), principal, campaign_year, status)
    members = await queries.members(ctx.uow())
    return [RoundOut.of(r, members) for r in found]


@rounds_api.post(
    "",
    response_model=RoundOut,
    status_code=201,
    summary="Lập dự thảo đợt khảo sát (kiểm tra mọi quy tắc)",
    responses={422: {"description": "Each violated rule, named in `rule`"}},
)
async def create_round(body: RoundIn, staff: Staff, ctx: Context) -> RoundOut:
    round_ = await rounds.create_round(
        ctx.uow(),
        body.campaign_year,
        _team(body.team),
        await _visits(ctx, body.visits),
        body.title,
        ctx.policy,
        staff,
    )
    return await _out(ctx, round_)


@rounds_api.post("/check", response_model=CheckOut, summary="Kiểm tra một phương án (không lưu)")
async def check_round(body: RoundIn, _: Staff, ctx: Context) -> CheckOut:
    candidate = Round(
        uuid.uuid4(), body.campaign_year, _team(body.team), await _visits(ctx, body.visits)
    )
    violations = await queries.check_round(ctx.uow(), candidate, ctx.policy)
    return CheckOut(ok=not violations, violations=[ViolationOut.of(v) for v in violations])


@rounds_api.get("/{round_id}", response_model=RoundOut)
async def get_round(round_id: UUID, principal: Readers, ctx: Context) -> RoundOut:
    round_ = await queries.readable_round(ctx.uow(), principal, round_id)
    return await _out(ctx, round_, with_check=principal.is_staff)


@rounds_api.put(
    "/{round_id}",
    response_model=RoundOut,
    summary="Sửa dự thảo, hoặc điều chỉnh lịch đợt đã thông báo (cần lý do)",
)
async def update_round(round_id: UUID, body: RoundUpdate, staff: Staff, ctx: Context) -> RoundOut:
    round_ = await rounds.update_round(
        ctx.uow(),
        round_id,
        _team(body.team),
        await _visits(ctx, body.visits),
        body.title,
        body.reason,
        ctx.policy,
        staff,
    )
    return await _out(ctx, round_)


@rounds_api.post("/{round_id}/confirm", response_model=RoundOut, summary="Xác nhận và thông báo")
async def confirm_round(round_id: UUID, staff: Staff, ctx: Context) -> RoundOut:
    return await _out(ctx, await rounds.confirm_round(ctx.uow(), round_id, ctx.policy, staff))


@rounds_api.post("/{round_id}/cancel", response_model=RoundOut, summary="Hủy đợt khảo sát")
async def cancel_round(round_id: UUID, body: CancelIn, staff: Staff, ctx: Context) -> RoundOut:
    return await _out(ctx, await rounds.cancel_round(ctx.uow(), round_id, body.reason, staff))


@rounds_api.get(
    "/{round_id}/history",
    response_model=list[AuditEntryOut],
    summary="Lịch sử thay đổi của đợt khảo sát (ai, khi nào, lý do)",
)
async def round_history(round_id: UUID, _: Staff, ctx: Context) -> list[AuditEntryOut]:
    """Who drafted, edited, rescheduled, confirmed or cancelled the round, oldest first."""
    return [AuditEntryOut(**entry) for entry in await queries.round_history(ctx.uow(), round_id)]


# --------------------------------------------------------------------------------------
# Visits


@visits_api.get("", response_model=list[VisitOut], summary="Lịch khảo sát của tôi")
async def list_visits(
    principal: Person, ctx: Context, campaign_year: CampaignYearFilter = None
) -> list[VisitOut]:
    """Staff and the Committee see every visit; a member the visits of their rounds; an
    agency the confirmed visits to itself."""
    found = await queries.list_visits(ctx.uow(), principal, campaign_year)
    return [VisitOut.of(round_id, visit) for round_id, visit in found]


# --------------------------------------------------------------------------------------
# Notices

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
MEDIA = {"docx": DOCX, "pdf": "application/pdf"}


async def _notice_data(ctx: Services, round_id: UUID) -> notices.NoticeData:
    return await queries.notice_data(ctx.uow(), round_id, ctx.policy, ctx.notices)


def _file(content: bytes, media: str, name: str) -> Response:
    return Response(
        content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@rounds_api.get(
    "/{round_id}/notices", response_model=list[NoticeOut], summary="Giấy mời, thông báo"
)
async def list_notices(round_id: UUID, principal: Person, ctx: Context) -> list[NoticeOut]:
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
        raise round_not_found(round_id)
    return result


@rounds_api.get(
    "/{round_id}/notices/members/{member_id}.{file_format}",
    summary="Giấy mời thành viên (DOCX/PDF)",
    response_class=Response,
)
async def member_invitation(
    round_id: UUID,
    member_id: str,
    file_format: Literal["docx", "pdf"],
    principal: Person,
    ctx: Context,
) -> Response:
    if not (principal.can_read_all or principal.is_member(member_id)):
        raise _forbidden(
            "Chỉ thành viên được mời hoặc Phòng CCHC được tải giấy mời",
            "only the invited member or the secretariat may download an invitation",
        )
    data = await _notice_data(ctx, round_id)
    if member_id not in data.round.member_ids():
        raise round_not_found(round_id)
    document = notices.invitation(data, member_id)
    name = f"giay-moi-dot-{data.sequence_text}-{member_id}.{file_format}"
    return _file(notices.render(document, file_format), MEDIA[file_format], name)


@rounds_api.get(
    "/{round_id}/notices/agencies/{agency_code}.{file_format}",
    summary="Thông báo cho đơn vị được khảo sát (DOCX/PDF)",
    response_class=Response,
)
async def agency_notice(
    round_id: UUID,
    agency_code: str,
    file_format: Literal["docx", "pdf"],
    principal: Person,
    ctx: Context,
) -> Response:
    if not (principal.can_read_all or principal.owns_agency(agency_code)):
        raise _forbidden(
            "Chỉ đơn vị được khảo sát hoặc Phòng CCHC được tải thông báo",
            "only the surveyed agency or the secretariat may download its notice",
        )
    data = await _notice_data(ctx, round_id)
    if agency_code not in {v.agency_code for v in data.round.visits}:
        raise round_not_found(round_id)
    document = notices.agency_notice(data, agency_code)
    name = f"thong-bao-dot-{data.sequence_text}-{agency_code}.{file_format}"
    return _file(notices.render(document, file_format), MEDIA[file_format], name)


@rounds_api.get(
    "/{round_id}/calendar/{member_id}.ics",
    summary="Lịch khảo sát của thành viên (iCalendar)",
    response_class=Response,
)
async def member_calendar(
    round_id: UUID, member_id: str, principal: Person, ctx: Context
) -> Response:
    if not (principal.can_read_all or principal.is_member(member_id)):
        raise _forbidden(
            "Chỉ thành viên đó hoặc Phòng CCHC được tải lịch",
            "only the member or the secretariat may download the calendar",
        )
    data = await _notice_data(ctx, round_id)
    if member_id not in data.round.member_ids():
        raise round_not_found(round_id)
    return _file(
        notices.member_calendar(data, member_id),
        "text/calendar; charset=utf-8",
        f"khao-sat-dot-{data.sequence_text}-{member_id}.ics",
    )


# --------------------------------------------------------------------------------------
# Plan proposals


@plans_api.post(
    "",
    status_code=201,
    summary="Đề xuất phương án tự động (OR-Tools CP-SAT)",
    responses={422: {"description": "Infeasible: the rule that cannot be met, in `rule`"}},
)
async def propose_plan(body: PlanIn, principal: Staff, ctx: Context) -> dict[str, Any]:
    proposal_id, result = await plans.propose_plan(
        ctx.uow(), _plan_request(body), ctx.policy, principal.subject
    )
    return {"proposal_id": str(proposal_id), "status": "proposed", **result}


def plan_jobs_of(request: Request) -> PlanJobs:
    found = request.app.state.plan_jobs
    assert isinstance(found, PlanJobs)
    return found


Jobs = Annotated[PlanJobs, Depends(plan_jobs_of)]


def _plan_request(body: PlanIn) -> plans.PlanRequest:
    return plans.PlanRequest(
        campaign_year=body.campaign_year,
        initiative_ids=tuple(body.initiative_ids) if body.initiative_ids is not None else None,
        first_day=body.first_day,
        last_day=body.last_day,
        seed=body.seed,
        time_limit=body.time_limit_seconds,
        repair_of=tuple(body.repair_of) if body.repair_of is not None else None,
        cancelled_days=tuple(body.changes.cancelled_days) if body.changes else (),
        reason=body.changes.reason if body.changes else "",
    )


@plan_jobs_api.post(
    "",
    status_code=202,
    summary="Lập kế hoạch tự động trong nền: phương án đầu tiên ngay, tốt dần theo thời gian",
    responses={
        404: {"description": "An initiative of the selection is not in the pool"},
        409: {"description": "An initiative of the selection is already scheduled"},
    },
)
async def start_plan_job(
    body: PlanIn, principal: Staff, ctx: Context, jobs: Jobs
) -> dict[str, Any]:
    return await jobs.start(ctx.uow, _plan_request(body), ctx.policy, principal.subject)


@plan_jobs_api.get("/{job_id}", summary="Tiến trình lập kế hoạch: các phương án đã tìm được")
async def get_plan_job(job_id: UUID, _: Staff, ctx: Context, jobs: Jobs) -> dict[str, Any]:
    return await jobs.get(ctx.uow(), job_id)


@plan_jobs_api.post(
    "/{job_id}/stop",
    summary="Dừng tìm kiếm và giữ phương án tốt nhất hiện có",
)
async def stop_plan_job(job_id: UUID, _: Staff, ctx: Context, jobs: Jobs) -> dict[str, Any]:
    return await jobs.stop(ctx.uow, job_id)


@plans_api.get("/{proposal_id}")
async def get_plan(proposal_id: UUID, _: Staff, ctx: Context) -> dict[str, Any]:
    found = await queries.get_proposal(ctx.uow(), proposal_id)
    return {
        "proposal_id": str(found["proposal_id"]),
        "campaign_year": found["campaign_year"],
        "status": found["status"],
        "request": found["request"],
        **found["result"],
    }


@plans_api.post(
    "/{proposal_id}/accept",
    response_model=list[RoundOut],
    status_code=201,
    summary="Chấp nhận phương án: tạo các dự thảo đợt khảo sát",
)
async def accept_plan(proposal_id: UUID, staff: Staff, ctx: Context) -> list[RoundOut]:
    drafts = await plans.accept_proposal(ctx.uow(), proposal_id, ctx.policy, staff)
    members = await queries.members(ctx.uow())
    return [RoundOut.of(r, members) for r in drafts]


ROUTERS = (roster_api, pool_api, rounds_api, plans_api, plan_jobs_api, visits_api)
