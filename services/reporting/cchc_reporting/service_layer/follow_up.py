"""The read side of the follow-up of replication: the views of ``domain.follow_up`` over the
stored facts, and who may read them. The recognised models and their spread are public (the
People's Committee's decisions are published); an agency reads its own assignments; the PAR
office and the People's Committee read everything."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from cchc_reporting.domain.errors import ReadForbidden
from cchc_reporting.domain.facts import FollowUpFacts, RecognitionFact
from cchc_reporting.domain.follow_up import (
    Assignment,
    ModelFollowUp,
    OverdueItem,
    assignments_of,
    follow_up_of,
    follow_ups,
    overdue,
)
from cchc_shared.auth import Principal
from cchc_shared.errors import Fault, NotFound

if TYPE_CHECKING:
    from cchc_reporting.service_layer.services import Services


def today() -> date:
    return datetime.now(UTC).date()


async def _facts(services: Services) -> FollowUpFacts:
    async with services.uow() as uow:
        return await uow.facts.load_follow_up()


async def models(
    services: Services, as_of: date | None = None, year: int | None = None
) -> list[ModelFollowUp]:
    return follow_ups(await _facts(services), as_of or today(), year)


async def model(
    services: Services, initiative_id: UUID, as_of: date | None = None
) -> ModelFollowUp:
    facts = await _facts(services)
    found = next((m for m in facts.recognitions if m.initiative_id == initiative_id), None)
    if found is None:
        raise NotFound(
            Fault(
                "initiative_id",
                "Mô hình chưa được công nhận để nhân rộng",
                f"initiative {initiative_id} is not a recognised model",
            )
        )
    return follow_up_of(found, facts, as_of or today())


async def agency(
    services: Services, principal: Principal, agency_code: str, as_of: date | None = None
) -> list[Assignment]:
    if not (principal.can_read_all or principal.owns_agency(agency_code)):
        raise ReadForbidden(
            f"Tài khoản không thuộc đơn vị {agency_code}",
            f"the caller does not belong to agency {agency_code}",
        )
    return assignments_of(agency_code, await _facts(services), as_of or today())


async def overdue_items(services: Services, as_of: date | None = None) -> list[OverdueItem]:
    return overdue(await _facts(services), as_of or today())


async def decision_models(services: Services, decision_id: UUID) -> list[RecognitionFact]:
    facts = await _facts(services)
    found = [m for m in facts.recognitions if m.decision_id == decision_id]
    if not found:
        raise NotFound(
            Fault("decision_id", "Không có Quyết định này", f"no decision {decision_id}")
        )
    return sorted(found, key=lambda m: m.title)


def year_end(year: int) -> date:
    """Figures of a year's report: as of its last day, or today while it runs."""
    return min(date(year, 12, 31), today())
