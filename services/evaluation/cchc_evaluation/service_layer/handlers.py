"""Use cases. Each works inside one unit of work and either commits a change with the events
it causes or raises a domain error; the queries read inside one unit of work too."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy.exc import IntegrityError

from cchc_evaluation.adapters.repository import scores_json
from cchc_evaluation.domain.commands import (
    Actor,
    AmendEvaluation,
    Decide,
    RecordEvaluation,
    RecordSectorOpinion,
    SetRubric,
)
from cchc_evaluation.domain.evaluations import Evaluation, check_may_evaluate, vietnam_today
from cchc_evaluation.domain.knowledge import RESCHEDULED_RANK as RESCHEDULED
from cchc_evaluation.domain.knowledge import SCHEDULED_RANK as SCHEDULED
from cchc_evaluation.domain.knowledge import (
    InitiativeInfo,
    InitiativeStatus,
    Round,
    RoundStatus,
    TeamMember,
    Visit,
)
from cchc_evaluation.domain.par_index import (
    IndexRow,
    IndexUnit,
    InitiativeOutcome,
    ParContribution,
    ParIndexRule,
    next_contribution,
    par_index,
    par_unit_of,
)
from cchc_evaluation.domain.rubric import Rubric, default_rubric, rubric_to_dict
from cchc_evaluation.domain.selection import (
    Aggregate,
    Decision,
    SectorOpinion,
    SelectionPolicy,
    aggregate,
    decide,
    eligible_evaluators,
    final_score,
)
from cchc_evaluation.service_layer.unit_of_work import UnitOfWork
from cchc_shared.contracts import (
    CloudEvent,
    EvaluationRecordedV1,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
    ParIndexContributionUpdatedV1,
    ReplicationRecommendedV1,
    RoundCancelledV1,
    RoundRescheduledV1,
    RoundScheduledV1,
)
from cchc_shared.contracts.events import CriterionScore as CriterionScoreData
from cchc_shared.contracts.events import ParIndexRuleData, SelectionDecidedV1
from cchc_shared.contracts.vocabulary import Role
from cchc_shared.errors import Conflict, Fault, Forbidden, InvalidInput, NotFound
from cchc_shared.reference import AgencyLevel, district_of, get_agency, load_agencies, wards_of


@dataclass(frozen=True)
class EvaluationConfig:
    """The configurable rules, built from the settings in the composition root."""

    policy: SelectionPolicy = field(default_factory=SelectionPolicy)
    par_rule: ParIndexRule = field(default_factory=ParIndexRule)
    evaluator_roles: tuple[str, ...] = ("head", "member", "secretary")
    rubric_step: float = 0.5
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))


STAFF_ROLES = (Role.SECRETARIAT, Role.ADMIN)
READ_ALL_ROLES = (Role.SECRETARIAT, Role.ADMIN, Role.COMMITTEE_VIEWER)


def _event_time(event: CloudEvent) -> datetime:
    return event.time.astimezone(UTC) if event.time is not None else datetime.now(UTC)


# --------------------------------------------------------------------------------------
# Knowledge from events. Events may come in any order and more than once: the inbox drops
# repeats; each handler keeps the newest state it has seen and never fails for a missing
# predecessor (a withdrawal or a cancellation may arrive before what it refers to).


async def on_initiative_content(
    uow: UnitOfWork,
    consumer: str,
    event: CloudEvent,
    data: InitiativeSubmittedV1 | InitiativeAmendedV1,
    config: EvaluationConfig,
) -> None:
    as_of = data.amended_at if isinstance(data, InitiativeAmendedV1) else data.submitted_at
    async with uow:
        if not await uow.accept_once(consumer, event):
            return
        await uow.lock(data.initiative_id)
        info = await uow.initiatives.get(data.initiative_id)
        is_new = info is None
        if info is None:
            info = InitiativeInfo(
                data.initiative_id,
                data.campaign_year,
                data.agency_code,
                InitiativeStatus.SUBMITTED,
            )
        changed = info.apply_content(
            kind=data.kind,
            title=data.title,
            summary=data.summary,
            par_area=data.par_area,
            as_of=as_of,
        )
        counted_in = {(info.campaign_year, info.agency_code)}
        if is_new:
            await uow.initiatives.add(info)
        elif changed:
            info.campaign_year, info.agency_code = data.campaign_year, data.agency_code
            await uow.initiatives.update(info)
        if is_new or changed:  # an amendment may move it to another agency or campaign
            counted_in.add((info.campaign_year, info.agency_code))
            await announce_par_contributions(uow, config, counted_in)
        await uow.commit()


async def on_initiative_withdrawn(
    uow: UnitOfWork,
    consumer: str,
    event: CloudEvent,
    data: InitiativeWithdrawnV1,
    config: EvaluationConfig,
) -> None:
    async with uow:
        if not await uow.accept_once(consumer, event):
            return
        await uow.lock(data.initiative_id)
        info = await uow.initiatives.get(data.initiative_id)
        if info is None:
            info = InitiativeInfo(
                data.initiative_id,
                data.campaign_year,
                data.agency_code,
                InitiativeStatus.WITHDRAWN,
            )
            info.withdraw(data.withdrawn_at)
            await uow.initiatives.add(info)
        else:
            info.withdraw(data.withdrawn_at)
            await uow.initiatives.update(info)
        await announce_par_contributions(uow, config, [(info.campaign_year, info.agency_code)])
        await uow.commit()


async def on_round_state(
    uow: UnitOfWork,
    consumer: str,
    event: CloudEvent,
    data: RoundScheduledV1 | RoundRescheduledV1,
    config: EvaluationConfig,
) -> None:
    """A round's state; it does not alter any PAR-Index contribution (``config`` unused)."""
    _check_round_event(data)
    rank = RESCHEDULED if isinstance(data, RoundRescheduledV1) else SCHEDULED
    team = [TeamMember(m.member_id, m.name, m.role, m.agency_code) for m in data.team]
    visits = [
        Visit(v.visit_id, data.round_id, v.initiative_id, v.agency_code, v.date, v.starts_at)
        for v in data.visits
    ]
    async with uow:
        if not await uow.accept_once(consumer, event):
            return
        await uow.lock(data.round_id)
        round_ = await uow.rounds.get(data.round_id)
        state: dict[str, Any] = {
            "sequence": data.sequence,
            "starts_on": data.starts_on,
            "ends_on": data.ends_on,
            "team": team,
            "visits": visits,
            "as_of": _event_time(event),
            "rank": rank,
        }
        if round_ is None:
            round_ = Round(data.round_id, data.campaign_year, data.sequence, RoundStatus.SCHEDULED)
            round_.apply_state(**state)
            await uow.rounds.add(round_)
        elif round_.apply_state(**state):
            await uow.rounds.update(round_)
        await uow.commit()


def _check_round_event(data: RoundScheduledV1) -> None:
    """A round whose team or visits repeat an id can never be stored: refuse it (parked)."""
    faults = []
    for name, ids in (
        ("team", [m.member_id for m in data.team]),
        ("visits", [str(v.visit_id) for v in data.visits]),
    ):
        seen: set[str] = set()
        for i, ident in enumerate(ids):
            if ident in seen:
                key = "member_id" if name == "team" else "visit_id"
                faults.append(
                    Fault(
                        f"{name}[{i}].{key}",
                        f"{ident} bị lặp trong đợt khảo sát",
                        f"{ident} appears twice in the round",
                    )
                )
            seen.add(ident)
    if faults:
        raise InvalidInput(*faults)


async def on_round_cancelled(
    uow: UnitOfWork,
    consumer: str,
    event: CloudEvent,
    data: RoundCancelledV1,
    config: EvaluationConfig,
) -> None:
    """A cancellation; it does not alter any PAR-Index contribution (``config`` unused)."""
    async with uow:
        if not await uow.accept_once(consumer, event):
            return
        await uow.lock(data.round_id)
        round_ = await uow.rounds.get(data.round_id)
        if round_ is None:
            round_ = Round(data.round_id, data.campaign_year, data.sequence, RoundStatus.CANCELLED)
            round_.cancel(data.cancelled_at, data.reason)
            await uow.rounds.add(round_)
        else:
            round_.cancel(data.cancelled_at, data.reason)
            await uow.rounds.update(round_)
        await uow.commit()


# --------------------------------------------------------------------------------------
# Rubric


async def rubric_of(uow: UnitOfWork, year: int, config: EvaluationConfig) -> tuple[Rubric, bool]:
    """The campaign's rubric and whether it is its own (False: the default applies)."""
    stored = await uow.rubrics.get(year)
    if stored is not None:
        return stored, True
    return default_rubric(year, config.rubric_step), False


async def get_rubric(uow: UnitOfWork, year: int, config: EvaluationConfig) -> tuple[Rubric, bool]:
    async with uow:
        return await rubric_of(uow, year, config)


async def set_rubric(
    uow: UnitOfWork, actor: Actor, command: SetRubric, config: EvaluationConfig
) -> Rubric:
    rubric = command.rubric
    problems = rubric.problems()
    if problems:
        raise InvalidInput(*problems)
    async with uow:
        recorded = await uow.evaluations.count_of_campaign(rubric.campaign_year)
        if recorded:
            raise Conflict(
                Fault(
                    "campaign_year",
                    f"Đã có {recorded} phiếu đánh giá theo bộ tiêu chí năm {rubric.campaign_year}; "
                    "không thể thay đổi bộ tiêu chí",
                    f"{recorded} evaluations were recorded under the {rubric.campaign_year} "
                    "rubric; it can no longer change",
                )
            )
        now = config.clock()
        await uow.rubrics.save(rubric, actor.subject, now)
        await uow.audit.record(
            "rubric", str(rubric.campaign_year), "set", actor.subject, now, rubric_to_dict(rubric)
        )
        await uow.commit()
    return rubric


# --------------------------------------------------------------------------------------
# Recording and amending evaluations


def _evaluation_snapshot(e: Evaluation) -> dict[str, Any]:
    return {
        "version": e.version,
        "scores": scores_json(e.scores),
        "total": e.total,
        "strengths": e.narrative.strengths,
        "limitations": e.narrative.limitations,
        "difficulties": e.narrative.difficulties,
        "recommendation": e.recommendation,
    }


def _recorded_event(e: Evaluation) -> EvaluationRecordedV1:
    return EvaluationRecordedV1(
        evaluation_id=e.id,
        initiative_id=e.initiative_id,
        round_id=e.round_id,
        visit_id=e.visit_id,
        evaluator_id=e.evaluator_id,
        scores=[
            CriterionScoreData(criterion=s.criterion, score=s.score, max_score=s.max_score)
            for s in e.scores
        ],
        total=e.total,
        strengths=e.narrative.strengths,
        limitations=e.narrative.limitations,
        difficulties=e.narrative.difficulties,
        recommendation=e.recommendation,
        recorded_at=e.updated_at,
    )


def _surveyor(actor: Actor) -> str:
    if actor.role != Role.SURVEYOR or not actor.member_id:
        raise Forbidden(
            Fault(
                "Authorization",
                "Chỉ thành viên đoàn khảo sát được ghi nhận đánh giá",
                "only survey-team members (role surveyor) record evaluations",
            )
        )
    return actor.member_id


def _visit_not_found(visit_id: UUID) -> NotFound:
    return NotFound(
        Fault(
            "visit_id",
            f"Không tìm thấy buổi làm việc {visit_id} trong lịch khảo sát",
            f"visit {visit_id} is not in any survey round known to the evaluation service",
        )
    )


async def _resolve_rubric_for_recording(
    uow: UnitOfWork, year: int, actor: Actor, config: EvaluationConfig, now: datetime
) -> Rubric:
    rubric, own = await rubric_of(uow, year, config)
    if not own:  # the first evaluation freezes the default as the campaign's rubric
        await uow.rubrics.save(rubric, actor.subject, now)
        await uow.audit.record(
            "rubric", str(year), "adopted_default", actor.subject, now, rubric_to_dict(rubric)
        )
    return rubric


async def record_evaluation(
    uow: UnitOfWork, actor: Actor, command: RecordEvaluation, config: EvaluationConfig
) -> Evaluation:
    member_id = _surveyor(actor)
    now = config.clock()
    async with uow:
        round_ = await uow.rounds.containing_visit(command.visit_id)
        visit = round_.visit(command.visit_id) if round_ else None
        if round_ is None or visit is None:
            raise _visit_not_found(command.visit_id)
        for name, given, actual in (
            ("initiative_id", command.initiative_id, visit.initiative_id),
            ("round_id", command.round_id, round_.id),
        ):
            if given is not None and given != actual:
                raise InvalidInput(
                    Fault(
                        name,
                        f"Buổi làm việc {visit.visit_id} thuộc {name} {actual}, không phải {given}",
                        f"visit {visit.visit_id} belongs to {name} {actual}, not {given}",
                    )
                )
        await uow.lock(visit.initiative_id)
        check_may_evaluate(
            member_id=member_id,
            round_=round_,
            visit=visit,
            initiative=await uow.initiatives.get(visit.initiative_id),
            decided=await uow.decisions.get(visit.initiative_id) is not None,
            today=vietnam_today(now),
            evaluator_roles=config.evaluator_roles,
        )
        existing = await uow.evaluations.by_member(visit.initiative_id, member_id)
        if existing is not None:
            raise _already_evaluated(existing.id)
        rubric = await _resolve_rubric_for_recording(uow, round_.campaign_year, actor, config, now)
        sheet = rubric.score(command.sheet.scores)
        evaluation = Evaluation(
            id=uuid.uuid4(),
            initiative_id=visit.initiative_id,
            round_id=round_.id,
            visit_id=visit.visit_id,
            evaluator_id=member_id,
            campaign_year=round_.campaign_year,
            scores=sheet.scores,
            total=sheet.total,
            narrative=command.sheet.narrative,
            recommendation=command.sheet.recommendation,
            recorded_at=now,
            updated_at=now,
        )
        await uow.evaluations.add(evaluation)
        await uow.audit.record(
            "evaluation",
            str(evaluation.id),
            "recorded",
            actor.subject,
            now,
            _evaluation_snapshot(evaluation),
        )
        uow.publish(_recorded_event(evaluation))
        await _announce_for_initiative(uow, config, visit.initiative_id)
        try:
            await uow.commit()
        except IntegrityError:  # the same member, at the same moment, from another device
            raise _already_evaluated(None) from None
    return evaluation


def _already_evaluated(existing: UUID | None) -> Conflict:
    suffix = f" ({existing})" if existing else ""
    return Conflict(
        Fault(
            "visit_id",
            f"Thành viên đã đánh giá sáng kiến này{suffix}; hãy sửa phiếu đã có",
            f"this member already evaluated the initiative{suffix}; amend that evaluation",
        )
    )


async def amend_evaluation(
    uow: UnitOfWork, actor: Actor, command: AmendEvaluation, config: EvaluationConfig
) -> Evaluation:
    member_id = _surveyor(actor)
    now = config.clock()
    async with uow:
        evaluation = await uow.evaluations.get(command.evaluation_id)
        if evaluation is None or evaluation.evaluator_id != member_id:
            raise NotFound(
                Fault(
                    "evaluation_id",
                    "Không tìm thấy phiếu đánh giá của thành viên",
                    f"evaluation {command.evaluation_id} of member {member_id} not found",
                )
            )
        await uow.lock(evaluation.initiative_id)
        round_ = await uow.rounds.containing_visit(evaluation.visit_id)
        visit = round_.visit(evaluation.visit_id) if round_ else None
        if round_ is None or visit is None:
            raise Conflict(
                Fault(
                    "visit_id",
                    "Buổi làm việc của phiếu đánh giá không còn trong lịch khảo sát",
                    "the evaluation's visit is no longer scheduled",
                )
            )
        check_may_evaluate(
            member_id=member_id,
            round_=round_,
            visit=visit,
            initiative=await uow.initiatives.get(evaluation.initiative_id),
            decided=await uow.decisions.get(evaluation.initiative_id) is not None,
            today=vietnam_today(now),
            evaluator_roles=config.evaluator_roles,
        )
        rubric, _ = await rubric_of(uow, evaluation.campaign_year, config)
        sheet = rubric.score(command.sheet.scores)
        evaluation.amend(sheet, command.sheet.narrative, command.sheet.recommendation, now)
        await uow.evaluations.update(evaluation)
        await uow.audit.record(
            "evaluation",
            str(evaluation.id),
            "amended",
            actor.subject,
            now,
            _evaluation_snapshot(evaluation),
            command.reason,
        )
        uow.publish(_recorded_event(evaluation))
        await _announce_for_initiative(uow, config, evaluation.initiative_id)
        await uow.commit()
    return evaluation


def _may_see_team_scores(actor: Actor, rounds: Sequence[Round]) -> bool:
    if actor.role in READ_ALL_ROLES:
        return True
    return bool(actor.member_id and any(r.member(actor.member_id) is not None for r in rounds))


def _hidden(what: str, ident: UUID) -> NotFound:
    return NotFound(Fault("", f"Không tìm thấy {what} {ident}", f"{what} {ident} not found"))


async def get_evaluation(
    uow: UnitOfWork, actor: Actor, evaluation_id: UUID
) -> tuple[Evaluation, list[dict[str, Any]]]:
    """An evaluation and its audit trail, for its evaluator, their team and the staff."""
    async with uow:
        evaluation = await uow.evaluations.get(evaluation_id)
        if evaluation is None:
            raise _hidden("phiếu đánh giá", evaluation_id)
        rounds = await uow.rounds.visiting([evaluation.initiative_id])
        if actor.member_id != evaluation.evaluator_id and not _may_see_team_scores(actor, rounds):
            raise _hidden("phiếu đánh giá", evaluation_id)
        return evaluation, await uow.audit.history("evaluation", str(evaluation_id))


# --------------------------------------------------------------------------------------
# What a surveyor sees


@dataclass(frozen=True)
class MemberVisit:
    round: Round
    visit: Visit
    initiative: InitiativeInfo | None
    evaluation: Evaluation | None
    open_from: date
    decided: bool


async def visits_of_member(uow: UnitOfWork, actor: Actor) -> list[MemberVisit]:
    member_id = _surveyor(actor)
    async with uow:
        rounds = await uow.rounds.with_member(member_id)
        visits = [(r, v) for r in rounds for v in r.visits]
        infos = await uow.initiatives.many(v.initiative_id for _, v in visits)
        mine = {e.initiative_id: e for e in await uow.evaluations.of_member(member_id)}
        decided = {
            d.initiative_id
            for year in {r.campaign_year for r in rounds}
            for d in await uow.decisions.of_campaign(year)
        }
    return sorted(
        (
            MemberVisit(
                r,
                v,
                infos.get(v.initiative_id),
                mine.get(v.initiative_id),
                v.date,
                v.initiative_id in decided,
            )
            for r, v in visits
        ),
        key=lambda mv: (mv.visit.date, mv.visit.starts_at),
    )


async def get_round(uow: UnitOfWork, actor: Actor, round_id: UUID) -> Round:
    async with uow:
        round_ = await uow.rounds.get(round_id)
    if round_ is None or not (
        actor.role in READ_ALL_ROLES
        or (actor.member_id is not None and round_.member(actor.member_id) is not None)
    ):
        raise _hidden("đợt khảo sát", round_id)
    return round_


# --------------------------------------------------------------------------------------
# Aggregation, ranking, opinion and decision


@dataclass(frozen=True)
class InitiativeResult:
    initiative_id: UUID
    info: InitiativeInfo | None
    stats: Aggregate
    evaluations: list[Evaluation]
    opinion: SectorOpinion | None
    decision: Decision | None
    meets_threshold: bool


async def _results(
    uow: UnitOfWork,
    ids: Sequence[UUID],
    infos: dict[UUID, InitiativeInfo],
    evaluations: Sequence[Evaluation],
    decisions: dict[UUID, Decision],
    config: EvaluationConfig,
) -> list[InitiativeResult]:
    rounds = await uow.rounds.visiting(ids)
    opinions = await uow.opinions.many(ids)
    by_initiative: dict[UUID, list[Evaluation]] = {i: [] for i in ids}
    for e in evaluations:
        by_initiative.setdefault(e.initiative_id, []).append(e)
    results = []
    for initiative_id in ids:
        own = by_initiative[initiative_id]
        stats = aggregate(
            own,
            eligible_evaluators(initiative_id, rounds, own, config.evaluator_roles),
            config.policy,
        )
        results.append(
            InitiativeResult(
                initiative_id=initiative_id,
                info=infos.get(initiative_id),
                stats=stats,
                evaluations=own,
                opinion=opinions.get(initiative_id),
                decision=decisions.get(initiative_id),
                meets_threshold=stats.final_score is not None
                and stats.final_score >= config.policy.threshold,
            )
        )
    return results


async def initiative_result(
    uow: UnitOfWork, actor: Actor, initiative_id: UUID, config: EvaluationConfig
) -> InitiativeResult:
    async with uow:
        rounds = await uow.rounds.visiting([initiative_id])
        if not _may_see_team_scores(actor, rounds):
            raise _hidden("sáng kiến", initiative_id)
        info = await uow.initiatives.get(initiative_id)
        evaluations = await uow.evaluations.of_initiative(initiative_id)
        if info is None and not evaluations and not rounds:
            raise _hidden("sáng kiến", initiative_id)
        decision = await uow.decisions.get(initiative_id)
        [result] = await _results(
            uow,
            [initiative_id],
            {initiative_id: info} if info else {},
            evaluations,
            {initiative_id: decision} if decision else {},
            config,
        )
    return result


async def ranking(uow: UnitOfWork, year: int, config: EvaluationConfig) -> list[InitiativeResult]:
    """Every live initiative of the campaign, best final score first (unevaluated last)."""
    async with uow:
        infos = {i.id: i for i in await uow.initiatives.of_campaign(year)}
        evaluations = await uow.evaluations.of_campaign(year)
        ids = [i for i, info in infos.items() if not info.is_withdrawn]
        # Evaluated before intake's event arrived: shown, without its content.
        ids += sorted({e.initiative_id for e in evaluations} - set(infos), key=str)
        decisions = {d.initiative_id: d for d in await uow.decisions.of_campaign(year)}
        results = await _results(uow, ids, infos, evaluations, decisions, config)
    return sorted(
        results,
        key=lambda r: (
            r.stats.final_score is None,
            -(r.stats.final_score or 0.0),
            -r.stats.count,
            (r.info.title or "") if r.info else "",
        ),
    )


def _staff(actor: Actor) -> None:
    if actor.role not in STAFF_ROLES:
        raise Forbidden(
            Fault(
                "Authorization",
                "Chỉ Phòng Cải cách hành chính (Sở Nội vụ) được thực hiện thao tác này",
                "only the secretariat (PAR office of the Department of Home Affairs) may do this",
            )
        )


async def record_sector_opinion(
    uow: UnitOfWork, actor: Actor, command: RecordSectorOpinion, config: EvaluationConfig
) -> SectorOpinion:
    _staff(actor)
    agency = get_agency(command.agency_code)
    if agency is None or not agency.is_city_level:
        raise InvalidInput(
            Fault(
                "agency_code",
                f"{command.agency_code} không phải sở, ban, ngành của Thành phố",
                f"{command.agency_code} is not a city department or agency",
            )
        )
    now = config.clock()
    async with uow:
        await uow.lock(command.initiative_id)
        if await uow.initiatives.get(command.initiative_id) is None:
            raise _hidden("sáng kiến", command.initiative_id)
        if await uow.decisions.get(command.initiative_id) is not None:
            raise Conflict(
                Fault(
                    "initiative_id",
                    "Sáng kiến đã có quyết định; không thể thay đổi ý kiến của sở, ngành",
                    "the initiative is decided; the sector opinion can no longer change",
                )
            )
        previous = await uow.opinions.get(command.initiative_id)
        opinion = SectorOpinion(
            command.initiative_id,
            command.agency_code,
            command.stance,
            command.opinion,
            actor.subject,
            now,
        )
        await uow.opinions.save(opinion)
        await uow.audit.record(
            "sector_opinion",
            str(command.initiative_id),
            "recorded" if previous is None else "changed",
            actor.subject,
            now,
            {
                "agency_code": opinion.agency_code,
                "stance": opinion.stance,
                "opinion": opinion.opinion,
            },
        )
        await uow.commit()
    return opinion


async def decide_initiative(
    uow: UnitOfWork, actor: Actor, command: Decide, config: EvaluationConfig
) -> Decision:
    _staff(actor)
    now = config.clock()
    async with uow:
        await uow.lock(command.initiative_id)
        info = await uow.initiatives.get(command.initiative_id)
        evaluations = await uow.evaluations.of_initiative(command.initiative_id)
        rounds = await uow.rounds.visiting([command.initiative_id])
        stats = aggregate(
            evaluations,
            eligible_evaluators(command.initiative_id, rounds, evaluations, config.evaluator_roles),
            config.policy,
        )
        decision = decide(
            initiative=info,
            initiative_id=command.initiative_id,
            stats=stats,
            opinion=await uow.opinions.get(command.initiative_id),
            already=await uow.decisions.get(command.initiative_id),
            request=command.request,
            policy=config.policy,
            actor=actor.subject,
            now=now,
        )
        await uow.decisions.add(decision)
        await uow.audit.record(
            "decision",
            str(decision.initiative_id),
            "decided_with_override" if decision.overridden else "decided",
            actor.subject,
            now,
            {
                "decision": decision.decision,
                "scope": decision.scope,
                "rationale": decision.rationale,
                "final_score": decision.final_score,
                "evaluation_count": decision.evaluation_count,
                "threshold": config.policy.threshold,
                "quorum_required": stats.quorum_required,
            },
            decision.override_reason,
        )
        assert info is not None and info.title and info.kind and info.par_area  # by decide()
        uow.publish(
            SelectionDecidedV1(
                initiative_id=info.id,
                campaign_year=decision.campaign_year,
                agency_code=info.agency_code,
                title=info.title,
                kind=info.kind,
                par_area=info.par_area,
                decision=decision.decision,
                scope=decision.scope,
                final_score=decision.final_score,
                evaluation_count=decision.evaluation_count,
                rationale=decision.rationale,
                overridden=decision.overridden,
                decided_at=decision.decided_at,
            )
        )
        if decision.decision == "replicate":
            assert decision.scope is not None  # checked by decide()
            uow.publish(
                ReplicationRecommendedV1(
                    initiative_id=info.id,
                    agency_code=info.agency_code,
                    title=info.title,
                    kind=info.kind,
                    par_area=info.par_area,
                    final_score=decision.final_score,
                    evaluation_count=decision.evaluation_count,
                    scope=decision.scope,
                    rationale=decision.rationale,
                    decided_at=decision.decided_at,
                    campaign_year=decision.campaign_year,
                )
            )
        await announce_par_contributions(uow, config, [(info.campaign_year, info.agency_code)])
        await uow.commit()
    return decision


# --------------------------------------------------------------------------------------
# PAR-Index contribution


def index_units() -> list[IndexUnit]:
    """Whose PAR Index the survey feeds: every city department and vertical agency, Thủ Đức
    City and every district (the 2023 plan, section I.1)."""
    return list(_index_units_by_code().values())


@functools.cache
def _index_units_by_code() -> dict[str, IndexUnit]:
    return {
        a.code: IndexUnit(a.code, a.name, a.level.value)
        for a in load_agencies().values()
        if a.level is not AgencyLevel.COMMUNE
    }


def _agencies_counting_for(unit: IndexUnit, rule: ParIndexRule) -> set[str]:
    """The agencies whose initiatives count in ``unit``'s PAR Index (the inverse of
    ``par_unit_of``): the unit itself and, for a district, its wards when the rule says so."""
    codes = {unit.code}
    if rule.district_counts_wards and unit.level == AgencyLevel.DISTRICT.value:
        codes |= {w.code for w in wards_of(unit.code)}
    return codes


def _par_lock_key(year: int, unit_code: str) -> UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"cchc:evaluation:par-index:{year}:{unit_code}")


def _contribution_event(c: ParContribution) -> ParIndexContributionUpdatedV1:
    return ParIndexContributionUpdatedV1(
        campaign_year=c.campaign_year,
        agency_code=c.row.code,
        version=c.version,
        submitted=c.row.submitted,
        surveyed=c.row.surveyed,
        recommended=c.row.recommended,
        mean_score=c.row.mean_score,
        points=c.row.points,
        rule=ParIndexRuleData(
            per_submitted=c.rule.per_submitted,
            per_surveyed=c.rule.per_surveyed,
            per_recommended=c.rule.per_recommended,
            cap=c.rule.cap,
            district_counts_wards=c.rule.district_counts_wards,
            final_score_method=c.final_score_method,
        ),
        computed_at=c.computed_at,
    )


async def announce_par_contributions(
    uow: UnitOfWork, config: EvaluationConfig, changed: Iterable[tuple[int, str]]
) -> list[ParContribution]:
    """Recompute the PAR-Index contribution of the units that (campaign, agency) pairs count
    in, inside the caller's transaction, and publish each one that changed with its next
    version. The caller has stored its change; units are locked in a fixed order."""
    units = _index_units_by_code()
    targets = sorted(
        {
            (year, unit_code)
            for year, agency_code in changed
            if (unit_code := par_unit_of(agency_code, units, config.par_rule, district_of))
            is not None
        }
    )
    announced = []
    for year, code in targets:
        await uow.lock(_par_lock_key(year, code))
        unit = units[code]
        infos = [
            i
            for i in await uow.initiatives.of_agencies(
                year, _agencies_counting_for(unit, config.par_rule)
            )
            if not i.is_withdrawn
        ]
        ids = [i.id for i in infos]
        evaluations: dict[UUID, list[Evaluation]] = {i: [] for i in ids}
        for e in await uow.evaluations.of_initiatives(ids):
            evaluations[e.initiative_id].append(e)
        decisions = await uow.decisions.many(ids)
        outcomes = [
            InitiativeOutcome(
                agency_code=i.agency_code,
                final_score=final_score(evaluations[i.id], config.policy),
                recommended=i.id in decisions and decisions[i.id].decision == "replicate",
            )
            for i in infos
        ]
        [row] = par_index([unit], outcomes, config.par_rule, district_of)
        contribution = next_contribution(
            await uow.par_contributions.get(year, unit),
            campaign_year=year,
            row=row,
            rule=config.par_rule,
            final_score_method=config.policy.final_score_method,
            at=config.clock(),
        )
        if contribution is not None:
            await uow.par_contributions.save(contribution)
            uow.publish(_contribution_event(contribution))
            announced.append(contribution)
    return announced


async def _announce_for_initiative(
    uow: UnitOfWork, config: EvaluationConfig, initiative_id: UUID
) -> None:
    """After an evaluation changed: the initiative counts once intake's content is known."""
    info = await uow.initiatives.get(initiative_id)
    if info is not None:
        await announce_par_contributions(uow, config, [(info.campaign_year, info.agency_code)])


async def par_index_table(
    uow: UnitOfWork, actor: Actor, year: int, config: EvaluationConfig
) -> list[IndexRow]:
    results = await ranking(uow, year, config)
    outcomes = [
        InitiativeOutcome(
            agency_code=r.info.agency_code,
            final_score=r.stats.final_score,
            recommended=r.decision is not None and r.decision.decision == "replicate",
        )
        for r in results
        if r.info is not None
    ]
    rows = par_index(index_units(), outcomes, config.par_rule, district_of)
    if actor.role in READ_ALL_ROLES:
        return rows
    if actor.role == Role.AGENCY_SUBMITTER:  # an agency sees the row its initiatives count in
        return [row for row in rows if row.code in _units_of_agency(actor.agency_code)]
    raise Forbidden(
        Fault("Authorization", "Không có quyền xem bảng chỉ số", "not allowed to read the index")
    )


def _units_of_agency(code: str | None) -> set[str]:
    if code is None:
        return set()
    district = district_of(code)
    return {code} | ({district} if district else set())
