"""The roster of the survey team: seeded once, then managed by the secretariat (and each
member's own unavailable dates)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from cchc_scheduling.domain.errors import member_exists, member_not_found
from cchc_scheduling.domain.model import Member
from cchc_scheduling.ports import UnitOfWork
from cchc_scheduling.service_layer.services import now
from cchc_shared.auth import Principal
from cchc_shared.persistence.audit import AuditEntry


async def _audit(uow: UnitOfWork, member: Member, action: str, actor: Principal) -> None:
    """Record who changed the member's entry on the roster, with the entry after it."""
    snapshot = {
        "member_id": member.member_id,
        "name": member.name,
        "active": member.active,
        "unavailable": sorted(d.isoformat() for d in member.unavailable),
    }
    await uow.audit.record(
        AuditEntry(
            "member",
            member.member_id,
            action,
            actor.subject,
            now(),
            snapshot,
            actor_name=actor.display_name,
        )
    )


async def seed_roster(uow: UnitOfWork, roster: Sequence[Member]) -> int:
    """Seed the default roster into an empty roster (never over a managed one)."""
    async with uow:
        if await uow.members.count():
            return 0
        for member in roster:
            await uow.members.add(member)
        await uow.commit()
        return len(roster)


async def add_member(uow: UnitOfWork, member: Member, actor: Principal) -> Member:
    async with uow:
        if await uow.members.get(member.member_id) is not None:
            raise member_exists(member.member_id)
        await uow.members.add(member)
        await _audit(uow, member, "added", actor)
        await uow.commit()
        return member


async def update_member(uow: UnitOfWork, member: Member, actor: Principal) -> Member:
    async with uow:
        if await uow.members.get(member.member_id) is None:
            raise member_not_found(member.member_id)
        await uow.members.save(member)
        await _audit(uow, member, "updated", actor)
        await uow.commit()
        return member


async def set_unavailable(
    uow: UnitOfWork, member_id: str, days: frozenset[date], actor: Principal
) -> Member:
    return await _change(uow, member_id, "unavailable_set", actor, unavailable=days)


async def deactivate_member(uow: UnitOfWork, member_id: str, actor: Principal) -> Member:
    """Members stay on record (past rounds name them); they are marked inactive."""
    return await _change(uow, member_id, "deactivated", actor, active=False)


async def _change(
    uow: UnitOfWork, member_id: str, action: str, actor: Principal, **changes: Any
) -> Member:
    async with uow:
        member = await uow.members.get(member_id)
        if member is None:
            raise member_not_found(member_id)
        updated = replace(member, **changes)
        await uow.members.save(updated)
        await _audit(uow, updated, action, actor)
        await uow.commit()
        return updated
