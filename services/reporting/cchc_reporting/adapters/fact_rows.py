"""Facts <-> rows of the read-model tables. A fact's fields are its table's columns, same
names, so one mapping serves every kind; only what a table keeps as JSON (a round's team, an
evaluation's scores, a rejection's errors, a contribution's rule) or in a table of its own (a
round's visits) is spelled out."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Table
from sqlalchemy.engine import RowMapping

from cchc_reporting.adapters.orm import (
    rm_adoption,
    rm_campaign_settings,
    rm_decision,
    rm_evaluation,
    rm_initiative,
    rm_par_contribution,
    rm_recognition,
    rm_recommendation,
    rm_rejection,
    rm_round,
    rm_round_cancellation,
    rm_withdrawal,
)
from cchc_reporting.domain.facts import (
    AdoptionFact,
    CampaignSettingsFact,
    CancellationFact,
    DecisionFact,
    EvaluationFact,
    Fact,
    InitiativeFact,
    ParContributionFact,
    ParRuleFact,
    RecognitionFact,
    RecommendationFact,
    RejectionFact,
    RoundFact,
    ScoreFact,
    TeamMemberFact,
    Version,
    VisitFact,
    WithdrawalFact,
    build,
)

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")

# Each kind's table and the columns of its key.
TABLE_OF: dict[type[Fact], tuple[Table, tuple[str, ...]]] = {
    InitiativeFact: (rm_initiative, ("initiative_id",)),
    WithdrawalFact: (rm_withdrawal, ("initiative_id",)),
    RoundFact: (rm_round, ("round_id",)),
    CancellationFact: (rm_round_cancellation, ("round_id",)),
    EvaluationFact: (rm_evaluation, ("evaluation_id",)),
    RecommendationFact: (rm_recommendation, ("initiative_id",)),
    DecisionFact: (rm_decision, ("initiative_id",)),
    RejectionFact: (rm_rejection, ("origin_source", "origin_id")),
    ParContributionFact: (rm_par_contribution, ("campaign_year", "agency_code")),
    RecognitionFact: (rm_recognition, ("initiative_id",)),
    AdoptionFact: (rm_adoption, ("initiative_id", "agency_code", "quarter")),
    CampaignSettingsFact: (rm_campaign_settings, ("campaign_year",)),
}

# A number read back from JSON (or a driver) may be an int or a Decimal: the facts hold floats.
_COERCE: dict[str, Callable[[Any], Any]] = {
    "float": float,
    "float | None": lambda v: None if v is None else float(v),
    "bool": bool,
}


def _load(kind: type[T], values: Mapping[Any, Any], **given: Any) -> T:
    """``kind`` from same-named values, coerced to its fields' types."""
    return build(kind, lambda f: _COERCE.get(str(f.type), _same)(_value(values, f)), **given)


def _value(values: Mapping[Any, Any], field: dataclasses.Field[Any]) -> Any:
    """A stored value; a field added later takes its default in rows stored before it."""
    if field.name in values or field.default is dataclasses.MISSING:
        return values[field.name]
    return field.default


def _same(value: Any) -> Any:
    return value


def _fields(fact: Fact) -> list[str]:
    return [f.name for f in dataclasses.fields(fact) if f.name != "version"]


def fact_row(fact: Fact) -> dict[str, Any]:
    row: dict[str, Any] = {name: getattr(fact, name) for name in _fields(fact)}
    row["version"] = fact.version.stamp
    row["version_event_id"] = fact.version.event_id
    if isinstance(fact, RoundFact):
        row["team"] = [dataclasses.asdict(m) for m in fact.team]
        del row["visits"]  # rows of rm_visit
    elif isinstance(fact, EvaluationFact):
        row["scores"] = [dataclasses.asdict(s) for s in fact.scores]
    elif isinstance(fact, RejectionFact):
        row["errors"] = [{"field": field, "message": message} for field, message in fact.errors]
    elif isinstance(fact, ParContributionFact):
        row["rule"] = dataclasses.asdict(fact.rule)
    elif isinstance(fact, RecognitionFact):
        row["targets"] = list(fact.targets)
    return row


def visit_rows(fact: RoundFact) -> list[dict[str, Any]]:
    return [
        {
            "round_id": fact.round_id,
            "visit_id": v.visit_id,
            "position": position,
            "initiative_id": v.initiative_id,
            "agency_code": v.agency_code,
            "visit_date": v.date,
            "starts_at": v.starts_at,
        }
        for position, v in enumerate(fact.visits)
    ]


def fact_of(kind: type[Fact], row: RowMapping, visits: Sequence[RowMapping] = ()) -> Fact:
    """The fact of ``kind`` a row holds (``visits``: a round's rows of rm_visit)."""
    version = Version(int(row["version"]), row["version_event_id"])
    if kind is RoundFact:
        return _load(
            RoundFact,
            row,
            team=tuple(_load(TeamMemberFact, m) for m in row["team"]),
            visits=tuple(
                VisitFact(
                    v["visit_id"],
                    v["initiative_id"],
                    v["agency_code"],
                    v["visit_date"],
                    v["starts_at"],
                )
                for v in sorted(visits, key=lambda v: v["position"])
            ),
            version=version,
        )
    if kind is EvaluationFact:
        scores = tuple(_load(ScoreFact, s) for s in row["scores"])
        return _load(EvaluationFact, row, scores=scores, version=version)
    if kind is RejectionFact:
        errors = tuple((e["field"], e["message"]) for e in row["errors"])
        return _load(RejectionFact, row, errors=errors, version=version)
    if kind is ParContributionFact:
        # A rule stored before per_adopted was announced had none (0 points).
        rule = _load(ParRuleFact, {"per_adopted": 0.0, **row["rule"]})
        return _load(ParContributionFact, row, rule=rule, version=version)
    if kind is RecognitionFact:
        return _load(RecognitionFact, row, targets=tuple(row["targets"]), version=version)
    return _load(kind, row, version=version)
