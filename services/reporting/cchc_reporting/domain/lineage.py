"""The lineage of an initiative across campaign years: the earlier initiatives it builds on
(``builds_on`` of initiative.submitted.v1/amended.v1, followed back) and the later ones
building on it, each with its year's outcome where it is known and may be seen: the score
and the Department's decision (from its campaign's view), the People's Committee's
recognition (replication.decided.v1) and how far the model spread (adoption.reported.v1).

Pure: the facts are given; who may see what is given as a function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final, Literal
from uuid import UUID

from cchc_reporting.domain.agencies import AgencyInfo, agency_info
from cchc_reporting.domain.facts import FollowUpFacts, InitiativeFact, RecognitionFact
from cchc_reporting.domain.follow_up import follow_up_of
from cchc_reporting.domain.read_models import InitiativeLife
from cchc_shared.contracts.visibility import Part, Visibility

# A chain longer than this is not followed further (intake allows only earlier years, so a
# real chain is as long as the campaigns; the bound guards against a malformed log).
MAX_GENERATIONS: Final = 50

Place = Literal["earlier", "this", "later"]


@dataclass(frozen=True)
class Recognition:
    decision_id: UUID
    decision_number: str
    signed_on: date
    scope: str
    targets: int  # agencies that must adopt it
    adopted: int  # of them, those whose latest report says adopted


@dataclass(frozen=True)
class LineageEntry:
    initiative_id: UUID
    campaign_year: int
    agency: AgencyInfo
    kind: str
    title: str
    place: Place
    builds_on_id: UUID | None  # the initiative it builds on, if any
    relation: str | None  # how it builds on that one
    # Known from its campaign's view, when the reader may see it (None otherwise).
    status: str | None
    score: float | None  # the final score decided on, else the evaluators' mean
    decision: str | None  # replicate | improve | not_recommended (the Department's)
    recognition: Recognition | None  # public: the People's Committee's decision
    # When it is another agency's adoption of the model it builds on: that agency's latest
    # report on the model (not_started, in_progress, adopted, not_suitable, no_report).
    adoption_status: str | None


@dataclass(frozen=True)
class Lineage:
    initiative_id: UUID
    entries: tuple[LineageEntry, ...]  # earlier ones oldest first, this one, then later ones

    @property
    def earlier(self) -> tuple[LineageEntry, ...]:
        return tuple(e for e in self.entries if e.place == "earlier")

    @property
    def later(self) -> tuple[LineageEntry, ...]:
        return tuple(e for e in self.entries if e.place == "later")


def ancestors(
    start: InitiativeFact, get: Callable[[UUID], InitiativeFact | None]
) -> list[InitiativeFact]:
    """The initiatives ``start`` builds on, nearest first, as far as they are known."""
    found: list[InitiativeFact] = []
    seen = {start.initiative_id}
    current = start
    while current.builds_on_id is not None and len(found) < MAX_GENERATIONS:
        if current.builds_on_id in seen:
            break
        earlier = get(current.builds_on_id)
        if earlier is None:
            break
        found.append(earlier)
        seen.add(earlier.initiative_id)
        current = earlier
    return found


def _recognition(model: RecognitionFact, follow_up: FollowUpFacts, as_of: date) -> Recognition:
    spread = follow_up_of(model, follow_up, as_of)
    return Recognition(
        decision_id=model.decision_id,
        decision_number=model.decision_number,
        signed_on=model.signed_on,
        scope=model.scope,
        targets=len(spread.targets),
        adopted=spread.adopted,
    )


def _adoption_status(
    fact: InitiativeFact,
    recognitions: Mapping[UUID, RecognitionFact],
    follow_up: FollowUpFacts,
    as_of: date,
) -> str | None:
    if fact.builds_on_relation != "adoption" or fact.builds_on_id is None:
        return None
    model = recognitions.get(fact.builds_on_id)
    if model is None or fact.agency_code not in model.targets:
        return None
    spread = follow_up_of(model, follow_up, as_of)
    return next((t.standing for t in spread.targets if t.agency_code == fact.agency_code), None)


def _final_score(life: InitiativeLife) -> float | None:
    """The year's score: the final one the Department decided on, else the evaluators' mean."""
    if life.decision is not None:
        return life.decision.final_score
    if life.recommendation is not None:
        return life.recommendation.final_score
    return life.mean_score


def lineage(
    current: InitiativeFact,
    earlier: Sequence[InitiativeFact],
    later: Iterable[InitiativeFact],
    *,
    lives: Mapping[UUID, InitiativeLife],
    seen: Callable[[InitiativeLife], Visibility],
    follow_up: FollowUpFacts,
    as_of: date,
) -> Lineage:
    """The lineage of ``current``: ``earlier`` (nearest first, as :func:`ancestors` gives
    them), ``later`` (every initiative building on it, directly or not). ``lives``: each
    one's life in its campaign's view; ``seen``: what the reader may see of one."""
    recognitions = {r.initiative_id: r for r in follow_up.recognitions}

    def entry(fact: InitiativeFact, place: Place) -> LineageEntry:
        life = lives.get(fact.initiative_id)
        visible = seen(life) if life is not None else None
        status = score = decision = None
        if life is not None and visible is not None and not visible.hidden:
            status = life.status.value
            if visible.shows(Part.SCORE):
                score = _final_score(life)
            if visible.shows(Part.DECISION):
                if life.decision is not None:
                    decision = life.decision.decision
                elif life.recommendation is not None:
                    decision = "replicate"
        model = recognitions.get(fact.initiative_id)
        return LineageEntry(
            initiative_id=fact.initiative_id,
            campaign_year=fact.campaign_year,
            agency=agency_info(fact.agency_code),
            kind=fact.kind,
            title=fact.title,
            place=place,
            builds_on_id=fact.builds_on_id,
            relation=fact.builds_on_relation,
            status=status,
            score=score,
            decision=decision,
            recognition=_recognition(model, follow_up, as_of) if model else None,
            adoption_status=_adoption_status(fact, recognitions, follow_up, as_of),
        )

    ordered_later = sorted(later, key=lambda f: (f.campaign_year, f.submitted_at, f.title))
    return Lineage(
        initiative_id=current.initiative_id,
        entries=(
            *(entry(f, "earlier") for f in reversed(earlier)),
            entry(current, "this"),
            *(entry(f, "later") for f in ordered_later),
        ),
    )
