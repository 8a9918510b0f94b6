"""The follow-up of replication: from the recognised models and the agencies' quarterly
reports, where each model has spread (targets against adopters), its timeline, the districts
it reached, what each agency must adopt, what is overdue, and the year's figures.

Pure: no I/O, no clock (``as_of`` is given). Built from facts only, so a rebuild from the log
gives the same figures."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from statistics import fmean
from typing import Final, Literal
from uuid import UUID

from cchc_reporting.domain.facts import AdoptionFact, FollowUpFacts, RecognitionFact
from cchc_shared.contracts.quarters import Quarter
from cchc_shared.reference import district_of, districts, get_agency

# Where a target stands: its latest quarter's status, or no report yet.
Standing = Literal["adopted", "in_progress", "not_started", "not_suitable", "no_report"]
STANDINGS: Final[tuple[Standing, ...]] = (
    "adopted",
    "in_progress",
    "not_started",
    "not_suitable",
    "no_report",
)
STANDING_VI: Final[dict[str, str]] = {
    "adopted": "Đã áp dụng",
    "in_progress": "Đang triển khai",
    "not_started": "Chưa triển khai",
    "not_suitable": "Không phù hợp",
    "no_report": "Chưa báo cáo",
}
# Done with a model: adopted it, or showed it does not suit them.
SETTLED: Final = frozenset({"adopted", "not_suitable"})
REPORT_DUE_DAYS: Final = 15  # as the replication service's default (CCHC_REPLICATION_*)


def quarter_of(day: date) -> str:
    return str(Quarter.of(day))


def _quarter(text: str) -> Quarter:
    found = Quarter.parse(text)
    if found is None:  # only valid events are projected
        raise ValueError(f"not a quarter: {text!r}")
    return found


def quarter_end(quarter: str) -> date:
    return _quarter(quarter).ends_on


def quarters_between(first: str, last: str) -> list[str]:
    return [str(q) for q in _quarter(first).until(_quarter(last))]


def quarter_label(quarter: str) -> str:
    return _quarter(quarter).short_label_vi()


def agency_name(code: str) -> str:
    agency = get_agency(code)
    return agency.name if agency else code


@dataclass(frozen=True)
class TargetState:
    agency_code: str
    standing: Standing
    last_quarter: str | None
    report: AdoptionFact | None  # the latest quarter's report (its highest revision)
    late_reports: int


@dataclass(frozen=True)
class QuarterPoint:
    """A model's state at the end of one quarter."""

    quarter: str
    counts: dict[str, int]  # by standing, as of the quarter's end
    reports: int  # reports received for the quarter
    late: int

    @property
    def adopted(self) -> int:
        return self.counts["adopted"]


@dataclass(frozen=True)
class DistrictShare:
    """How far a model reached in one of the 22 districts (itself and its wards)."""

    district_code: str
    name: str
    targets: int
    adopted: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.adopted / self.targets, 1) if self.targets else None


@dataclass(frozen=True)
class Results:
    """What the adopters' reports say the model changed (means over the reports that give
    the indicator; cases handled summed over every quarter)."""

    processing_days_before: float | None
    processing_days_after: float | None
    satisfaction_percent: float | None
    cases_handled: int


@dataclass(frozen=True)
class ModelFollowUp:
    model: RecognitionFact
    targets: tuple[TargetState, ...]
    timeline: tuple[QuarterPoint, ...]
    districts: tuple[DistrictShare, ...]
    results: Results
    as_of: date

    def count(self, standing: str) -> int:
        return sum(1 for t in self.targets if t.standing == standing)

    @property
    def adopted(self) -> int:
        return self.count("adopted")

    @property
    def adoption_percent(self) -> float:
        return round(100 * self.adopted / len(self.targets), 1) if self.targets else 0.0

    @property
    def reporting_agencies(self) -> int:
        return sum(1 for t in self.targets if t.standing != "no_report")

    @property
    def overdue(self) -> bool:
        return self.model.deadline < self.as_of


@dataclass(frozen=True)
class OverdueItem:
    initiative_id: UUID
    title: str
    agency_code: str
    agency_name: str
    deadline: date
    standing: Standing
    reason: Literal["past_deadline", "missing_report"]
    quarter: str | None  # the quarter not reported (missing_report)
    days: int  # past the deadline, or past the quarter's due date


@dataclass(frozen=True)
class Assignment:
    model: RecognitionFact
    state: TargetState
    overdue: bool


def _reports_by_target(
    adoptions: Iterable[AdoptionFact], until: str
) -> dict[tuple[UUID, str], list[AdoptionFact]]:
    found: dict[tuple[UUID, str], list[AdoptionFact]] = defaultdict(list)
    for fact in adoptions:
        if fact.quarter <= until:
            found[(fact.initiative_id, fact.agency_code)].append(fact)
    for reports in found.values():
        reports.sort(key=lambda r: r.quarter)
    return found


def _state(code: str, reports: Sequence[AdoptionFact]) -> TargetState:
    latest = reports[-1] if reports else None
    return TargetState(
        agency_code=code,
        standing=latest.status if latest else "no_report",  # type: ignore[arg-type]
        last_quarter=latest.quarter if latest else None,
        report=latest,
        late_reports=sum(1 for r in reports if r.late),
    )


def _results(reports: Iterable[AdoptionFact]) -> Results:
    chosen = [r for r in reports if r.status in ("adopted", "in_progress")]

    def mean(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return round(fmean(present), 1) if present else None

    return Results(
        processing_days_before=mean([r.processing_days_before for r in chosen]),
        processing_days_after=mean([r.processing_days_after for r in chosen]),
        satisfaction_percent=mean([r.satisfaction_percent for r in chosen]),
        cases_handled=sum(r.cases_handled or 0 for r in chosen),
    )


def _districts(targets: Sequence[TargetState]) -> tuple[DistrictShare, ...]:
    totals: dict[str, list[int]] = {d.code: [0, 0] for d in districts()}
    for target in targets:
        district = district_of(target.agency_code)
        if district in totals:
            totals[district][0] += 1
            totals[district][1] += target.standing == "adopted"
    return tuple(
        DistrictShare(d.code, d.name, totals[d.code][0], totals[d.code][1]) for d in districts()
    )


def _timeline(
    model: RecognitionFact, reports: dict[tuple[UUID, str], list[AdoptionFact]], until: str
) -> tuple[QuarterPoint, ...]:
    points = []
    for quarter in quarters_between(quarter_of(model.signed_on), until):
        counts: dict[str, int] = dict.fromkeys(STANDINGS, 0)
        received = late = 0
        for code in model.targets:
            upto = [r for r in reports.get((model.initiative_id, code), []) if r.quarter <= quarter]
            counts[_state(code, upto).standing] += 1
            this = [r for r in upto if r.quarter == quarter]
            received += len(this)
            late += sum(1 for r in this if r.late)
        points.append(QuarterPoint(quarter, counts, received, late))
    return tuple(points)


def follow_up_of(model: RecognitionFact, facts: FollowUpFacts, as_of: date) -> ModelFollowUp:
    until = quarter_of(as_of)
    reports = _reports_by_target(
        (a for a in facts.adoptions if a.initiative_id == model.initiative_id), until
    )
    targets = tuple(
        _state(code, reports.get((model.initiative_id, code), [])) for code in model.targets
    )
    return ModelFollowUp(
        model=model,
        targets=targets,
        timeline=_timeline(model, reports, until),
        districts=_districts(targets),
        results=_results(r for rs in reports.values() for r in rs),
        as_of=as_of,
    )


def follow_ups(facts: FollowUpFacts, as_of: date, year: int | None = None) -> list[ModelFollowUp]:
    """Every recognised model signed by ``as_of`` (of one campaign ``year`` if given), in
    the order of their decisions."""
    chosen = sorted(
        (
            m
            for m in facts.recognitions
            if m.signed_on <= as_of and (year is None or m.campaign_year == year)
        ),
        key=lambda m: (m.signed_on, m.decision_number, m.title),
    )
    return [follow_up_of(m, facts, as_of) for m in chosen]


def assignments_of(agency_code: str, facts: FollowUpFacts, as_of: date) -> list[Assignment]:
    until = quarter_of(as_of)
    found = []
    for model in sorted(facts.recognitions, key=lambda m: (m.deadline, m.title)):
        if agency_code not in model.targets:
            continue
        reports = _reports_by_target(
            (
                a
                for a in facts.adoptions
                if a.initiative_id == model.initiative_id and a.agency_code == agency_code
            ),
            until,
        )
        state = _state(agency_code, reports.get((model.initiative_id, agency_code), []))
        found.append(
            Assignment(model, state, model.deadline < as_of and state.standing not in SETTLED)
        )
    return found


def overdue(
    facts: FollowUpFacts, as_of: date, due_days: int = REPORT_DUE_DAYS
) -> list[OverdueItem]:
    """For the PAR office: targets past a model's deadline without having adopted it (or
    shown it does not suit them), and targets that did not report on the last quarter due."""
    items: list[OverdueItem] = []
    for follow_up in follow_ups(facts, as_of):
        model = follow_up.model
        # The last quarter whose report is due by as_of, from the decision's quarter on.
        due = [
            q
            for q in quarters_between(quarter_of(model.signed_on), quarter_of(as_of))
            if quarter_end(q) + timedelta(days=due_days) < as_of
        ]
        reported = {
            (a.agency_code, a.quarter)
            for a in facts.adoptions
            if a.initiative_id == model.initiative_id
        }
        for target in follow_up.targets:
            name = agency_name(target.agency_code)
            if model.deadline < as_of and target.standing not in SETTLED:
                items.append(
                    OverdueItem(
                        model.initiative_id,
                        model.title,
                        target.agency_code,
                        name,
                        model.deadline,
                        target.standing,
                        "past_deadline",
                        None,
                        (as_of - model.deadline).days,
                    )
                )
            elif (
                due
                and target.standing not in SETTLED
                and (target.agency_code, due[-1]) not in reported
            ):
                days = (as_of - quarter_end(due[-1]) - timedelta(days=due_days)).days
                items.append(
                    OverdueItem(
                        model.initiative_id,
                        model.title,
                        target.agency_code,
                        name,
                        model.deadline,
                        target.standing,
                        "missing_report",
                        due[-1],
                        days,
                    )
                )
    items.sort(key=lambda i: (-i.days, i.title, i.agency_code))
    return items
