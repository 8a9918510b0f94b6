"""The read side of the write model: what the PAR office and the agencies need to record
decisions and reports. The follow-up views (targets against adopters, the map, overdue, the
yearly report) are reporting's, built from this service's events."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from cchc_replication.domain.model import AdoptionReport, Candidate, Decision, RecognisedModel
from cchc_replication.service_layer.access import require_reader_of, require_staff
from cchc_replication.service_layer.services import Services
from cchc_shared.auth import Principal
from cchc_shared.errors import Fault, NotFound


@dataclass(frozen=True)
class CandidateState:
    candidate: Candidate
    decision_id: UUID | None  # the decision that recognised it, if any


@dataclass(frozen=True)
class Assignment:
    """A model an agency must adopt, with the latest revision of each quarter it reported."""

    model: RecognisedModel
    decision_number: str
    reports: tuple[AdoptionReport, ...]

    @property
    def current(self) -> AdoptionReport | None:
        return self.reports[-1] if self.reports else None


async def candidates(
    services: Services, principal: Principal, campaign_year: int | None
) -> list[CandidateState]:
    require_staff(principal)
    async with services.uow() as uow:
        found = await uow.candidates.find(campaign_year)
        states = []
        for candidate in found:
            model = await uow.decisions.model(candidate.initiative_id)
            states.append(CandidateState(candidate, model.decision_id if model else None))
        return states


async def decisions(services: Services, campaign_year: int | None) -> list[Decision]:
    async with services.uow() as uow:
        return await uow.decisions.find(campaign_year)


async def decision(services: Services, decision_id: UUID) -> Decision:
    async with services.uow() as uow:
        found = await uow.decisions.get(decision_id)
    if found is None:
        raise NotFound(
            Fault("decision_id", "Không có Quyết định này", f"no decision {decision_id}")
        )
    return found


def latest_of_each_quarter(reports: list[AdoptionReport]) -> tuple[AdoptionReport, ...]:
    """``reports`` in history order (quarter, revision): the last revision of each quarter."""
    latest: dict[str, AdoptionReport] = {}
    for report in reports:
        latest[str(report.quarter)] = report
    return tuple(latest[q] for q in sorted(latest))


async def assignments(
    services: Services, principal: Principal, agency_code: str
) -> list[Assignment]:
    require_reader_of(principal, agency_code)
    async with services.uow() as uow:
        models = await uow.decisions.models_of_agency(agency_code)
        reports = await uow.reports.of_agency(agency_code)
        numbers = {
            d.decision_id: d.decision_number
            for d in await uow.decisions.find()
            if any(m.decision_id == d.decision_id for m in models)
        }
    return [
        Assignment(
            model,
            numbers[model.decision_id],
            latest_of_each_quarter([r for r in reports if r.initiative_id == model.initiative_id]),
        )
        for model in models
    ]


async def history(
    services: Services, principal: Principal, initiative_id: UUID, agency_code: str
) -> list[AdoptionReport]:
    """Every revision of every quarter, oldest first: the record."""
    require_reader_of(principal, agency_code)
    async with services.uow() as uow:
        return await uow.reports.history(initiative_id, agency_code)
