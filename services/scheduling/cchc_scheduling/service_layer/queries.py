"""The read side of the scheduling service: the roster, the pool, rounds and visits as each
reader may see them, the check of a round against the rules, plan proposals and the data of a
round's notices. Nothing here writes.

Functions named ``..._in`` read inside a unit of work the caller has opened (the write side
uses them too); the others open their own."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from cchc_scheduling.adapters.notices import NoticeData, NoticeSettings
from cchc_scheduling.domain.errors import member_not_found, proposal_not_found, round_not_found
from cchc_scheduling.domain.model import (
    Member,
    PoolInitiative,
    PoolStatus,
    Round,
    RoundStatus,
    Visit,
)
from cchc_scheduling.domain.rules import PlanContext, Violation, check_rounds
from cchc_scheduling.ports import UnitOfWork
from cchc_scheduling.service_layer.services import SchedulingPolicy
from cchc_shared.auth import Principal
from cchc_shared.errors import Conflict, Fault

# --------------------------------------------------------------------------------------
# Inside an open unit of work


async def members_in(uow: UnitOfWork) -> dict[str, Member]:
    return {m.member_id: m for m in await uow.members.list()}


async def round_in(uow: UnitOfWork, round_id: UUID) -> Round:
    round_ = await uow.rounds.get(round_id)
    if round_ is None:
        raise round_not_found(round_id)
    return round_


async def violations_in(
    uow: UnitOfWork, rounds: list[Round], policy: SchedulingPolicy
) -> list[Violation]:
    """Violations of ``rounds`` against the rules and the campaign's other active rounds."""
    year = rounds[0].campaign_year
    context = PlanContext(
        await members_in(uow),
        {i.initiative_id: i for i in await uow.pool.list(year)},
        policy.calendar(year),
        policy.window(year),
        policy.parent_district,
        policy.rule_settings(),
    )
    return check_rounds(rounds, await uow.rounds.find(year, active_only=True), context)


# --------------------------------------------------------------------------------------
# The roster and the pool


async def list_members(uow: UnitOfWork, active: bool | None = None) -> list[Member]:
    async with uow:
        found = await uow.members.list(active_only=bool(active))
    return [m for m in found if active is None or m.active == active]


async def members(uow: UnitOfWork) -> dict[str, Member]:
    async with uow:
        return await members_in(uow)


async def is_member(uow: UnitOfWork, member_id: str) -> bool:
    """Whether the roster has this member (active or not): a token's member_id must name one."""
    async with uow:
        return await uow.members.get(member_id) is not None


async def get_member(uow: UnitOfWork, member_id: str) -> Member:
    async with uow:
        member = await uow.members.get(member_id)
    if member is None:
        raise member_not_found(member_id)
    return member


async def list_pool(
    uow: UnitOfWork, campaign_year: int | None, status: PoolStatus | None
) -> list[PoolInitiative]:
    async with uow:
        return await uow.pool.list(campaign_year, status)


async def agencies_of(uow: UnitOfWork, initiative_ids: list[UUID]) -> dict[UUID, str]:
    """The agency of each initiative the pool holds (a visit's agency when the plan omits it)."""
    found: dict[UUID, str] = {}
    async with uow:
        for initiative_id in initiative_ids:
            initiative = await uow.pool.get(initiative_id)
            if initiative is not None:
                found[initiative_id] = initiative.agency_code
    return found


# --------------------------------------------------------------------------------------
# Rounds and visits


def may_read(principal: Principal, round_: Round) -> bool:
    if principal.can_read_all:
        return True
    return principal.is_surveyor and principal.member_id in round_.member_ids()


async def list_rounds(
    uow: UnitOfWork,
    principal: Principal,
    campaign_year: int | None,
    status: RoundStatus | None,
) -> list[Round]:
    async with uow:
        found = await uow.rounds.find(
            campaign_year,
            member_id=principal.member_id if principal.is_surveyor else None,
            statuses=(status,) if status else (),
        )
    return [r for r in found if may_read(principal, r)]


async def get_round(uow: UnitOfWork, round_id: UUID) -> Round:
    async with uow:
        return await round_in(uow, round_id)


async def readable_round(uow: UnitOfWork, principal: Principal, round_id: UUID) -> Round:
    """The round, or NotFound when the reader may not see it (as if it did not exist)."""
    round_ = await get_round(uow, round_id)
    if not may_read(principal, round_):
        raise round_not_found(round_id)
    return round_


async def check_round(uow: UnitOfWork, round_: Round, policy: SchedulingPolicy) -> list[Violation]:
    """Violations of a round against the campaign's other active rounds (read only)."""
    async with uow:
        return await violations_in(uow, [round_], policy)


async def list_visits(
    uow: UnitOfWork, principal: Principal, campaign_year: int | None
) -> list[tuple[UUID, Visit]]:
    """Each visit with its round, by time. Staff and the Committee see every visit; a member
    the visits of their rounds; an agency the confirmed visits to itself."""
    async with uow:
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
    visits = [
        (round_.round_id, v)
        for round_ in found
        for v in round_.visits
        if not principal.is_agency_submitter or v.agency_code == principal.agency_code
    ]
    return sorted(visits, key=lambda item: (item[1].date, item[1].starts_at))


async def notice_data(
    uow: UnitOfWork, round_id: UUID, policy: SchedulingPolicy, settings: NoticeSettings
) -> NoticeData:
    """What a confirmed (or cancelled) round's notices need; a draft has none yet."""
    async with uow:
        round_ = await round_in(uow, round_id)
        if round_.status is RoundStatus.DRAFT:
            raise Conflict(
                Fault(
                    "status",
                    "Chỉ phát hành giấy mời, thông báo khi đợt khảo sát đã được xác nhận",
                    "notices are issued once the round is confirmed",
                )
            )
        members = await members_in(uow)
        initiatives = {i.initiative_id: i for i in await uow.pool.list(round_.campaign_year)}
        campaign = await uow.campaign_settings.get(round_.campaign_year)
    calendar = policy.calendar(round_.campaign_year)
    return NoticeData(round_, members, initiatives, calendar, settings, campaign)


# --------------------------------------------------------------------------------------
# Plan proposals


async def get_proposal(uow: UnitOfWork, proposal_id: UUID) -> dict[str, Any]:
    async with uow:
        found = await uow.proposals.get(proposal_id)
    if found is None:
        raise proposal_not_found(proposal_id)
    return found


async def round_history(uow: UnitOfWork, round_id: UUID) -> list[dict[str, Any]]:
    """Who changed the round and how, oldest first (NotFound for an unknown round)."""
    async with uow:
        await round_in(uow, round_id)
        return await uow.audit.history("round", str(round_id))


async def member_history(uow: UnitOfWork, member_id: str) -> list[dict[str, Any]]:
    """Who changed the member's roster entry and how, oldest first (NotFound if unknown)."""
    async with uow:
        if await uow.members.get(member_id) is None:
            raise member_not_found(member_id)
        return await uow.audit.history("member", member_id)
