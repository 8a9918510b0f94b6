"""The read models of one campaign, derived from its facts.

Rules (documented in the service README; the tests compute them by hand):

* An initiative's **evaluations** are the latest evaluation of each evaluator (an evaluator
  who amends replaces their earlier one). Its **score** is the mean of their totals.
* **Status**, strongest first: ``withdrawn`` (the agency withdrew it, whatever else happened),
  ``recommended`` (a ReplicationRecommended was received), ``decided`` (a SelectionDecided
  to improve it or not to recommend it — or to replicate it, until its ReplicationRecommended
  arrives), ``evaluated`` (every head and member
  of its round's team has recorded an evaluation), ``visited`` (at least one evaluation),
  ``scheduled`` (a visit in a round that is not cancelled), ``submitted``.
* An initiative's score is the **mean** of its evaluations (the evaluation service's default
  final score; if it is configured to use the median, its own table will differ).
* **Surveyed** means at least one evaluation was recorded (an evaluation is only recorded on or
  after the visit). Withdrawn initiatives are listed but left out of every count except
  ``withdrawn``, of the ranking, of the recommended list and of the PAR-Index table.
* **PAR-Index table**: what the evaluation service announced (ParIndexContributionUpdated, the
  newest version per unit), never recomputed here: the rule has one home. One row per city
  department, vertical agency, Thủ Đức City and district; a unit with nothing announced shows
  zeros.
* Scores are rounded to two decimals as the evaluation service rounds them (Python's
  ``round``); a mean of means (an area's, the campaign's) is the mean of the rounded
  initiative scores, rounded again.

Pure: no I/O, no clock.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, time
from typing import Final
from uuid import UUID

from cchc_reporting.domain.agencies import (
    UNKNOWN_LEVEL,
    AgencyInfo,
    agency_info,
    par_index_units,
)
from cchc_reporting.domain.facts import (
    CampaignFacts,
    CampaignSettingsFact,
    CancellationFact,
    EvaluationFact,
    InitiativeFact,
    ParContributionFact,
    ParRuleFact,
    RecommendationFact,
    RejectionFact,
    RoundFact,
)
from cchc_reporting.domain.read_models import (
    STATUSES,
    AgencyScorecard,
    AreaFigures,
    CampaignView,
    Dashboard,
    InitiativeLife,
    ParIndexRow,
    RankedInitiative,
    RoundResult,
    Status,
    VisitResult,
    fold,
    mean,
    score,
    summarise,
)
from cchc_shared.contracts.vocabulary import KINDS, PAR_AREAS, RECOMMENDATIONS, SCOPES
from cchc_shared.reference import AgencyLevel

# Whose evaluations complete an assessment: the head and the members; the secretary too where
# the campaign says the secretary scores.
EVALUATOR_ROLES: Final[frozenset[str]] = frozenset({"head", "member"})


def evaluator_roles(settings: CampaignSettingsFact | None) -> frozenset[str]:
    if settings is not None and settings.secretary_scores:
        return EVALUATOR_ROLES | {"secretary"}
    return EVALUATOR_ROLES


def _latest_per_evaluator(evaluations: Iterable[EvaluationFact]) -> tuple[EvaluationFact, ...]:
    latest: dict[str, EvaluationFact] = {}
    for evaluation in evaluations:
        known = latest.get(evaluation.evaluator_id)
        if known is None or evaluation.version > known.version:
            latest[evaluation.evaluator_id] = evaluation
    return tuple(sorted(latest.values(), key=lambda e: (e.evaluator_id, e.version)))


def _life_sort_key(life: InitiativeLife) -> tuple[str, str, str]:
    return (fold(life.agency.name), fold(life.title), str(life.initiative_id))


def build_campaign_view(facts: CampaignFacts) -> CampaignView:
    year = facts.year
    scoring = evaluator_roles(facts.settings)
    cancelled = {c.round_id: c for c in facts.cancellations}
    rounds = {r.round_id: r for r in facts.rounds}
    withdrawals = {w.initiative_id: w for w in facts.withdrawals}
    recommendations = {r.initiative_id: r for r in facts.recommendations}
    initiatives = {i.initiative_id: i for i in facts.initiatives}
    decisions = {d.initiative_id: d for d in facts.decisions}

    evaluations_of: dict[UUID, list[EvaluationFact]] = defaultdict(list)
    for evaluation in facts.evaluations:
        evaluations_of[evaluation.initiative_id].append(evaluation)
    latest_evaluations = {
        initiative_id: _latest_per_evaluator(found)
        for initiative_id, found in evaluations_of.items()
    }

    # The visit of each initiative in a round that still stands (the latest by date if, against
    # the one-visit rule, there are several).
    visit_of: dict[UUID, tuple[RoundFact, date, time]] = {}
    for round_fact in rounds.values():
        if round_fact.round_id in cancelled:
            continue
        for planned in round_fact.visits:
            known = visit_of.get(planned.initiative_id)
            if known is None or (planned.date, str(round_fact.round_id)) > (
                known[1],
                str(known[0].round_id),
            ):
                visit_of[planned.initiative_id] = (round_fact, planned.date, planned.starts_at)

    agency_cache: dict[str, AgencyInfo] = {}

    def agency(code: str) -> AgencyInfo:
        info = agency_cache.get(code)
        if info is None:
            info = agency_cache[code] = agency_info(code)
        return info

    lives: dict[UUID, InitiativeLife] = {}
    # Sorted: every list and sum below is then independent of the order the facts came in.
    for initiative_id in sorted(initiatives.keys() | recommendations.keys(), key=str):
        initiative = initiatives.get(initiative_id)
        recommendation = recommendations.get(initiative_id)
        withdrawal = withdrawals.get(initiative_id)
        decision = decisions.get(initiative_id)
        evaluations = latest_evaluations.get(initiative_id, ())
        visit = visit_of.get(initiative_id)
        # A visit's round tells whose evaluations complete the assessment; if the round of the
        # evaluations is known but not the visit (an evaluation before its round), use that.
        team_round = visit[0] if visit else None
        if team_round is None and evaluations:
            team_round = rounds.get(evaluations[-1].round_id)
        team = team_round.team if team_round is not None else ()
        evaluators = {m.member_id for m in team if m.role in scoring}
        evaluated_by = {e.evaluator_id for e in evaluations}
        if withdrawal is not None:
            status = Status.WITHDRAWN
        elif recommendation is not None:
            status = Status.RECOMMENDED
        elif decision is not None:
            status = Status.DECIDED
        elif evaluations and evaluators and evaluators <= evaluated_by:
            status = Status.EVALUATED
        elif evaluations:
            status = Status.VISITED
        elif visit is not None:
            status = Status.SCHEDULED
        else:
            status = Status.SUBMITTED
        content: InitiativeFact | RecommendationFact | None = initiative or recommendation
        if content is None:  # keys come from both mappings; kept for the type checker
            continue
        lives[initiative_id] = InitiativeLife(
            initiative_id=initiative_id,
            campaign_year=content.campaign_year,
            agency=agency(content.agency_code),
            kind=content.kind,
            title=content.title,
            summary=initiative.summary if initiative else "",
            par_area=content.par_area,
            results=initiative.results if initiative else "",
            limitations=initiative.limitations if initiative else "",
            applied_since=initiative.applied_since if initiative else None,
            submitted_at=initiative.submitted_at if initiative else None,
            amended_at=initiative.amended_at if initiative else None,
            submission_received=initiative is not None,
            status=status,
            withdrawn_at=withdrawal.withdrawn_at if withdrawal else None,
            withdrawal_reason=withdrawal.reason if withdrawal else "",
            round_id=visit[0].round_id if visit else None,
            round_sequence=visit[0].sequence if visit else None,
            visit_date=visit[1] if visit else None,
            visit_starts_at=visit[2] if visit else None,
            evaluations=evaluations,
            summary_scores=summarise(evaluations),
            recommendation=recommendation,
            decision=decision,
        )

    active = [life for life in lives.values() if not life.withdrawn]
    sorted_lives = tuple(sorted(lives.values(), key=_life_sort_key))
    round_results = _round_results(facts, rounds, cancelled, latest_evaluations, lives, agency)
    ranking = _ranking(active)
    recommended = tuple(
        sorted(
            (life for life in active if life.recommendation is not None),
            key=lambda life: (
                -(life.recommendation.final_score if life.recommendation else 0.0),
                fold(life.title),
                str(life.initiative_id),
            ),
        )
    )
    awaiting = sum(1 for initiative_id in evaluations_of if initiative_id not in lives)
    dashboard = _dashboard(year, lives, active, round_results, facts, awaiting)
    return CampaignView(
        year=year,
        lives=lives,
        rounds=round_results,
        dashboard=dashboard,
        ranking=ranking,
        scorecards=_scorecards(sorted_lives),
        par_index=_par_index(facts.par_contributions, agency),
        recommended=recommended,
        par_rule=_newest_rule(facts.par_contributions),
        rejections=_rejections(facts.rejections, year),
        settings=facts.settings,
        _sorted_lives=sorted_lives,
    )


def _rejections(found: Iterable[RejectionFact], year: int) -> tuple[RejectionFact, ...]:
    counted = [r for r in found if r.counts_in(year)]
    return tuple(
        sorted(counted, key=lambda r: (r.occurred_at is None, r.occurred_at), reverse=True)
    )


def _ranking(active: Iterable[InitiativeLife]) -> tuple[RankedInitiative, ...]:
    """Surveyed initiatives by score, best first. Equal scores share a rank (1, 2, 2, 4);
    within a rank, more evaluations first, then title."""
    surveyed = sorted(
        (life for life in active if life.mean_score is not None),
        key=lambda life: (
            -(life.mean_score or 0.0),
            -life.summary_scores.count,
            fold(life.title),
            str(life.initiative_id),
        ),
    )
    ranked: list[RankedInitiative] = []
    previous: float | None = None
    rank = 0
    for position, life in enumerate(surveyed, start=1):
        if life.mean_score != previous:
            rank = position
            previous = life.mean_score
        ranked.append(RankedInitiative(rank, life))
    return tuple(ranked)


def _unique_texts(values: Iterable[str]) -> tuple[str, ...]:
    seen: dict[str, str] = {}
    for value in values:
        key = fold(value)
        if key and key not in seen:
            seen[key] = value
    return tuple(seen.values())


def _round_results(
    facts: CampaignFacts,
    rounds: dict[UUID, RoundFact],
    cancelled: dict[UUID, CancellationFact],
    latest_evaluations: dict[UUID, tuple[EvaluationFact, ...]],
    lives: dict[UUID, InitiativeLife],
    agency: Callable[[str], AgencyInfo],
) -> tuple[RoundResult, ...]:
    results: list[RoundResult] = []
    for round_id in sorted(rounds.keys() | cancelled.keys(), key=str):
        state = rounds.get(round_id)
        cancellation = cancelled.get(round_id)
        visits: list[VisitResult] = []
        for visit in state.visits if state else ():
            evaluations = tuple(
                e for e in latest_evaluations.get(visit.initiative_id, ()) if e.round_id == round_id
            )
            life = lives.get(visit.initiative_id)
            visits.append(
                VisitResult(
                    visit_id=visit.visit_id,
                    initiative_id=visit.initiative_id,
                    title=life.title if life else "",
                    agency=agency(visit.agency_code),
                    par_area=life.par_area if life else None,
                    date=visit.date,
                    starts_at=visit.starts_at,
                    evaluations=evaluations,
                    summary_scores=summarise(evaluations),
                    status=life.status if life else None,
                )
            )
        visits.sort(key=lambda v: (v.date, v.starts_at, str(v.visit_id)))
        all_evaluations = [e for v in visits for e in v.evaluations]
        if cancellation is not None:
            status = "cancelled"
        elif state is not None and state.rescheduled:
            status = "rescheduled"
        else:
            status = "scheduled"
        results.append(
            RoundResult(
                round_id=round_id,
                campaign_year=facts.year,
                sequence=state.sequence if state else cancellation.sequence if cancellation else 0,
                status=status,
                starts_on=state.starts_on if state else None,
                ends_on=state.ends_on if state else None,
                team=state.team if state else (),
                visits=tuple(visits),
                reason=cancellation.reason if cancellation else state.reason if state else "",
                summary_scores=summarise(all_evaluations),
                visits_evaluated=sum(1 for v in visits if v.evaluations),
                strengths=_unique_texts(e.strengths for e in all_evaluations),
                limitations=_unique_texts(e.limitations for e in all_evaluations),
                difficulties=_unique_texts(e.difficulties for e in all_evaluations),
            )
        )
    results.sort(key=lambda r: (r.sequence, str(r.round_id)))
    return tuple(results)


def _scorecards(lives: Sequence[InitiativeLife]) -> tuple[AgencyScorecard, ...]:
    grouped: dict[str, list[InitiativeLife]] = defaultdict(list)
    for life in lives:
        grouped[life.agency.code].append(life)
    cards = [agency_scorecard(items) for items in grouped.values()]
    cards.sort(key=lambda c: (fold(c.agency.name), c.agency.code))
    return tuple(cards)


def agency_scorecard(
    items: Sequence[InitiativeLife],
    scored: Callable[[InitiativeLife], bool] | None = None,
) -> AgencyScorecard:
    """One agency's scorecard over its initiatives (one agency's, at least one). ``scored``
    says whose scores count in the score figures (evaluations, mean, best): every
    initiative's by default."""
    active = [life for life in items if not life.withdrawn]
    surveyed = [life for life in active if life.mean_score is not None]
    counted = [life for life in active if scored is None or scored(life)]
    scores = [life.mean_score for life in counted if life.mean_score is not None]
    return AgencyScorecard(
        agency=items[0].agency,
        submitted=len(active),
        withdrawn=len(items) - len(active),
        scheduled=sum(1 for life in active if life.round_id is not None),
        surveyed=len(surveyed),
        evaluations=sum(life.summary_scores.count for life in counted),
        recommended=sum(1 for life in active if life.recommendation is not None),
        mean_score=mean(scores),
        best_score=score(max(scores)) if scores else None,
        initiatives=tuple(items),
    )


_LEVEL_ORDER: Final = {
    AgencyLevel.CITY_DEPARTMENT.value: 0,
    AgencyLevel.VERTICAL_AGENCY.value: 1,
    AgencyLevel.DISTRICT.value: 2,
    UNKNOWN_LEVEL: 3,
}


def _par_index(
    contributions: Iterable[ParContributionFact], agency: Callable[[str], AgencyInfo]
) -> tuple[ParIndexRow, ...]:
    """The announced contributions, one row per unit; a unit never announced has zeros."""
    units: dict[str, AgencyInfo] = {u.code: u for u in par_index_units()}
    received = {c.agency_code: c for c in contributions}
    for code in received.keys() - units.keys():  # a unit outside this reference data
        units[code] = agency(code)
    rows = [
        ParIndexRow(
            unit_code=unit.code,
            unit_name=unit.name,
            unit_level=unit.level,
            submitted=c.submitted if c else 0,
            surveyed=c.surveyed if c else 0,
            recommended=c.recommended if c else 0,
            mean_score=c.mean_score if c else None,
            points=c.points if c else 0.0,
        )
        for unit in units.values()
        for c in (received.get(unit.code),)
    ]
    order = {code: i for i, code in enumerate(units)}
    rows.sort(key=lambda r: (_LEVEL_ORDER.get(r.unit_level, 3), order[r.unit_code]))
    return tuple(rows)


def _newest_rule(contributions: Iterable[ParContributionFact]) -> ParRuleFact | None:
    newest = max(contributions, key=lambda c: (c.computed_at, c.agency_code), default=None)
    return newest.rule if newest else None


def _dashboard(
    year: int,
    lives: dict[UUID, InitiativeLife],
    active: Sequence[InitiativeLife],
    rounds: Sequence[RoundResult],
    facts: CampaignFacts,
    awaiting: int,
) -> Dashboard:
    statuses = Counter(life.status.value for life in lives.values())
    levels = Counter(life.agency.level for life in active)
    kinds = Counter(life.kind for life in active)
    areas: list[AreaFigures] = []
    for area in PAR_AREAS:
        items = [life for life in active if life.par_area == area]
        scores = [life.mean_score for life in items if life.mean_score is not None]
        areas.append(
            AreaFigures(
                par_area=area,
                submitted=len(items),
                surveyed=len(scores),
                recommended=sum(1 for life in items if life.recommendation is not None),
                mean_score=mean(scores),
            )
        )
    standing = [r for r in rounds if r.status != "cancelled"]
    visit_dates = [v.date for r in standing for v in r.visits]
    evaluations = [e for life in active for e in life.evaluations]
    tally = Counter(e.recommendation for e in evaluations)
    surveyed_scores = [life.mean_score for life in active if life.mean_score is not None]
    recommended = [life for life in active if life.recommendation is not None]
    scopes = Counter(life.recommendation.scope for life in recommended if life.recommendation)
    decided = Counter(life.decision.decision for life in active if life.decision)
    return Dashboard(
        campaign_year=year,
        initiatives_received=len(lives),
        initiatives_active=len(active),
        withdrawn=statuses.get(Status.WITHDRAWN.value, 0),
        agencies_participating=len({life.agency.code for life in active}),
        by_status={s: statuses.get(s, 0) for s in STATUSES},
        by_level={
            level: levels.get(level, 0)
            for level in (*(lv.value for lv in AgencyLevel), UNKNOWN_LEVEL)
        },
        by_kind={k: kinds.get(k, 0) for k in KINDS},
        by_par_area=tuple(areas),
        rounds_confirmed=len(standing),
        rounds_cancelled=len(rounds) - len(standing),
        visits_planned=len(visit_dates),
        first_visit_on=min(visit_dates) if visit_dates else None,
        last_visit_on=max(visit_dates) if visit_dates else None,
        surveyed=len(surveyed_scores),
        evaluations=len(evaluations),
        mean_score=mean(surveyed_scores),
        evaluation_tally={r: tally.get(r, 0) for r in RECOMMENDATIONS},
        decisions={r: decided.get(r, 0) for r in RECOMMENDATIONS},
        recommended=len(recommended),
        recommended_by_scope={s: scopes.get(s, 0) for s in SCOPES},
        inbound_rejected=sum(1 for r in facts.rejections if r.counts_in(year)),
        awaiting_submission=awaiting,
    )
