"""In-memory fakes of the unit of work and repositories, for driving handlers in unit tests."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any
from uuid import UUID

from cchc_evaluation.domain.evaluations import Evaluation, KeyedRequest
from cchc_evaluation.domain.knowledge import InitiativeInfo, Round
from cchc_evaluation.domain.par_index import AdoptionState, IndexUnit, ParContribution
from cchc_evaluation.domain.rubric import Rubric
from cchc_evaluation.domain.selection import Decision, SectorOpinion
from cchc_evaluation.service_layer import handlers
from cchc_evaluation.service_layer.services import Services
from cchc_testkit.fakes import FakeAuditLog, FakeCampaignSettings
from cchc_testkit.fakes import FakeUnitOfWork as BaseFakeUnitOfWork


class FakeInitiatives:
    def __init__(self) -> None:
        self.rows: dict[UUID, InitiativeInfo] = {}

    async def get(self, initiative_id: UUID) -> InitiativeInfo | None:
        return copy.deepcopy(self.rows.get(initiative_id))

    async def add(self, info: InitiativeInfo) -> None:
        assert info.id not in self.rows
        self.rows[info.id] = copy.deepcopy(info)

    async def update(self, info: InitiativeInfo) -> None:
        self.rows[info.id] = copy.deepcopy(info)

    async def of_campaign(self, year: int) -> list[InitiativeInfo]:
        return [copy.deepcopy(i) for i in self.rows.values() if i.campaign_year == year]

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, InitiativeInfo]:
        return {i: copy.deepcopy(self.rows[i]) for i in set(ids) if i in self.rows}

    async def of_agencies(self, year: int, agency_codes: Iterable[str]) -> list[InitiativeInfo]:
        codes = set(agency_codes)
        return [
            copy.deepcopy(i)
            for i in self.rows.values()
            if i.campaign_year == year and i.agency_code in codes
        ]


class FakeRounds:
    def __init__(self) -> None:
        self.rows: dict[UUID, Round] = {}

    async def get(self, round_id: UUID) -> Round | None:
        return copy.deepcopy(self.rows.get(round_id))

    async def containing_visit(self, visit_id: UUID) -> Round | None:
        return next(
            (copy.deepcopy(r) for r in self.rows.values() if r.visit(visit_id) is not None), None
        )

    async def visiting(self, initiative_ids: Iterable[UUID]) -> list[Round]:
        wanted = set(initiative_ids)
        return [
            copy.deepcopy(r)
            for r in self.rows.values()
            if any(v.initiative_id in wanted for v in r.visits)
        ]

    async def with_member(self, member_id: str) -> list[Round]:
        return [copy.deepcopy(r) for r in self.rows.values() if r.member(member_id)]

    async def add(self, round_: Round) -> None:
        assert round_.id not in self.rows
        self.rows[round_.id] = copy.deepcopy(round_)

    async def update(self, round_: Round) -> None:
        self.rows[round_.id] = copy.deepcopy(round_)


class FakeRubrics:
    def __init__(self) -> None:
        self.rows: dict[int, Rubric] = {}

    async def get(self, year: int) -> Rubric | None:
        return self.rows.get(year)

    async def save(self, rubric: Rubric, actor: str, at: datetime) -> None:
        self.rows[rubric.campaign_year] = rubric


class FakeEvaluations:
    def __init__(self) -> None:
        self.rows: dict[UUID, Evaluation] = {}

    async def get(self, evaluation_id: UUID) -> Evaluation | None:
        return copy.deepcopy(self.rows.get(evaluation_id))

    async def by_member(self, initiative_id: UUID, evaluator_id: str) -> Evaluation | None:
        return next(
            (
                copy.deepcopy(e)
                for e in self.rows.values()
                if e.initiative_id == initiative_id and e.evaluator_id == evaluator_id
            ),
            None,
        )

    async def of_initiative(self, initiative_id: UUID) -> list[Evaluation]:
        return [copy.deepcopy(e) for e in self.rows.values() if e.initiative_id == initiative_id]

    async def of_campaign(self, year: int) -> list[Evaluation]:
        return [copy.deepcopy(e) for e in self.rows.values() if e.campaign_year == year]

    async def of_member(self, evaluator_id: str) -> list[Evaluation]:
        return [copy.deepcopy(e) for e in self.rows.values() if e.evaluator_id == evaluator_id]

    async def of_initiatives(self, initiative_ids: Iterable[UUID]) -> list[Evaluation]:
        wanted = set(initiative_ids)
        return [copy.deepcopy(e) for e in self.rows.values() if e.initiative_id in wanted]

    async def count_of_campaign(self, year: int) -> int:
        return len(await self.of_campaign(year))

    async def add(self, e: Evaluation) -> None:
        self.rows[e.id] = copy.deepcopy(e)

    async def update(self, e: Evaluation) -> None:
        self.rows[e.id] = copy.deepcopy(e)


class FakeKeyedRequests:
    def __init__(self) -> None:
        self.rows: dict[tuple[str, str], KeyedRequest] = {}

    async def get(self, evaluator_id: str, key: str) -> KeyedRequest | None:
        return self.rows.get((evaluator_id, key))

    async def add(self, request: KeyedRequest) -> None:
        assert (request.evaluator_id, request.key) not in self.rows
        self.rows[(request.evaluator_id, request.key)] = request


class FakeOpinions:
    def __init__(self) -> None:
        self.rows: dict[UUID, SectorOpinion] = {}

    async def get(self, initiative_id: UUID) -> SectorOpinion | None:
        return self.rows.get(initiative_id)

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, SectorOpinion]:
        return {i: self.rows[i] for i in set(ids) if i in self.rows}

    async def save(self, opinion: SectorOpinion) -> None:
        self.rows[opinion.initiative_id] = opinion


class FakeDecisions:
    def __init__(self) -> None:
        self.rows: dict[UUID, Decision] = {}

    async def get(self, initiative_id: UUID) -> Decision | None:
        return self.rows.get(initiative_id)

    async def of_campaign(self, year: int) -> list[Decision]:
        return [d for d in self.rows.values() if d.campaign_year == year]

    async def many(self, ids: Iterable[UUID]) -> dict[UUID, Decision]:
        return {i: self.rows[i] for i in set(ids) if i in self.rows}

    async def add(self, d: Decision) -> None:
        assert d.initiative_id not in self.rows
        self.rows[d.initiative_id] = d


class FakeParContributions:
    def __init__(self) -> None:
        self.rows: dict[tuple[int, str], ParContribution] = {}

    async def get(self, year: int, unit: IndexUnit) -> ParContribution | None:
        return self.rows.get((year, unit.code))

    async def many(self, year: int, units: Iterable[IndexUnit]) -> dict[str, ParContribution]:
        return {u.code: c for u in units if (c := self.rows.get((year, u.code))) is not None}

    async def save(self, c: ParContribution) -> None:
        previous = self.rows.get((c.campaign_year, c.row.agency_code))
        assert c.version == (previous.version + 1 if previous else 1)
        self.rows[(c.campaign_year, c.row.agency_code)] = c


class FakeParStale:
    def __init__(self) -> None:
        self.rows: list[tuple[datetime, UUID, int, str]] = []

    async def mark(self, targets: Iterable[tuple[int, str]], at: datetime) -> None:
        self.rows += [(at, uuid.uuid4(), year, code) for year, code in targets]

    async def take(self, limit: int) -> list[tuple[int, str]]:
        self.rows.sort()
        taken, self.rows = self.rows[:limit], self.rows[limit:]
        return [(year, code) for _, _, year, code in taken]


class FakeAdoptions:
    def __init__(self) -> None:
        self.models: dict[UUID, int] = {}
        self.rows: dict[tuple[UUID, str], AdoptionState] = {}

    async def add_models(self, campaign_year: int, initiative_ids: Iterable[UUID]) -> None:
        for i in initiative_ids:
            self.models.setdefault(i, campaign_year)

    async def model_year(self, initiative_id: UUID) -> int | None:
        return self.models.get(initiative_id)

    async def get(self, initiative_id: UUID, agency_code: str) -> AdoptionState | None:
        return self.rows.get((initiative_id, agency_code))

    async def of_models(self, initiative_ids: Iterable[UUID]) -> list[AdoptionState]:
        ids = set(initiative_ids)
        return [s for s in self.rows.values() if s.initiative_id in ids]

    async def save(self, state: AdoptionState, *, new: bool) -> None:
        assert new == ((state.initiative_id, state.agency_code) not in self.rows)
        self.rows[(state.initiative_id, state.agency_code)] = state

    async def adopters(self, campaign_year: int, agencies: Iterable[str]) -> list[str]:
        codes = set(agencies)
        return sorted(
            s.agency_code
            for s in self.rows.values()
            if s.status == "adopted"
            and s.agency_code in codes
            and self.models.get(s.initiative_id) == campaign_year
        )


class FakeUnitOfWork(BaseFakeUnitOfWork):
    """Keeps state across uses (like a database); ``published`` holds committed events only."""

    source = "/cchc/evaluation"

    def __init__(self) -> None:
        super().__init__()
        self.initiatives = FakeInitiatives()
        self.rounds = FakeRounds()
        self.rubrics = FakeRubrics()
        self.evaluations = FakeEvaluations()
        self.keyed_requests = FakeKeyedRequests()
        self.opinions = FakeOpinions()
        self.decisions = FakeDecisions()
        self.par_contributions = FakeParContributions()
        self.par_stale = FakeParStale()
        self.adoptions = FakeAdoptions()
        self.audit = FakeAuditLog()
        self.campaign_settings = FakeCampaignSettings()

    def _state(self) -> tuple[Any, ...]:
        return (
            self.initiatives.rows,
            self.rounds.rows,
            self.rubrics.rows,
            self.evaluations.rows,
            self.keyed_requests.rows,
            self.opinions.rows,
            self.decisions.rows,
            self.par_contributions.rows,
            self.par_stale.rows,
            self.adoptions.models,
            self.adoptions.rows,
            self.audit.entries,
            self.campaign_settings.rows,
        )

    def _restore(self, state: Any) -> None:
        (
            self.initiatives.rows,
            self.rounds.rows,
            self.rubrics.rows,
            self.evaluations.rows,
            self.keyed_requests.rows,
            self.opinions.rows,
            self.decisions.rows,
            self.par_contributions.rows,
            self.par_stale.rows,
            self.adoptions.models,
            self.adoptions.rows,
            self.audit.entries,
            self.campaign_settings.rows,
        ) = state

    async def lock(self, key: UUID) -> None:
        return None


async def recompute(uow: FakeUnitOfWork, template: Services) -> None:
    """What the recomputer does after a commit that marked units: compute them, announce."""
    await handlers.recompute_all_stale(over(uow, template))


def over(uow: FakeUnitOfWork, template: Services) -> Services:
    """``template``'s rules over one fake unit of work, which keeps its state across uses."""
    return replace(template, uow=lambda: uow)
