"""The greedy start: a complete plan in milliseconds, before the search.

Slot by slot (week, then lane), it seats the least loaded free head and secretary, adds the
members the first waiting batch needs, then fills the round's free days with the batches that
team can survey, seating one more member when that lets more batches in. The plan it builds keeps
every constraint of the model, so it is the person's first answer and the search's hint."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence

from cchc_scheduling.domain.planner.model import PlanModel, Team

# How many waiting batches a slot tries as its first batch before it is left empty.
_SEED_TRIES = 12


def greedy_start(model: PlanModel) -> dict[int, tuple[Team, list[int]]] | None:
    """Slot -> (team, batch indices), or None when the greedy pass leaves batches over."""
    members, batches, settings = model.members, model.batches, model.settings
    barred = [model.kinds[model.kind_of[k]].barred for k in range(len(batches))]
    has_secretaries = any(m.may_be_secretary for m in members)
    pending = list(range(len(batches)))
    load = [0] * len(members)
    taken_in_week: dict[int, set[int]] = defaultdict(set)
    placement: dict[int, tuple[Team, list[int]]] = {}
    # Every visit has a head: a head's load is about the visits over the heads.
    heads_in_roster = sum(1 for m in members if m.may_head)
    fair_share = sum(b.size for b in batches) / max(1, heads_in_roster)

    for r, slot in enumerate(model.slots):
        if not pending:
            break
        if slot.lane > 0 and r - 1 not in placement:
            continue  # lanes of a week are used in order
        busy = model.busy[r]
        free = [m for m in range(len(members)) if m not in taken_in_week[slot.week]]

        def rank(m: int, busy: Sequence[int] = busy) -> tuple[int, int, int]:
            return (busy[m], load[m], m)  # fewest busy days in the slot, then least loaded

        for seed in pending[:_SEED_TRIES]:
            candidates = [m for m in free if m not in barred[seed]]
            heads = sorted((m for m in candidates if members[m].may_head), key=rank)
            if not heads:
                continue
            team = [heads[0]]
            secretary = None
            if has_secretaries:
                secretaries = sorted(
                    (m for m in candidates if members[m].may_be_secretary and m != team[0]),
                    key=rank,
                )
                if not secretaries:
                    continue
                secretary = secretaries[0]
                team.append(secretary)
            if not _cover(team, batches[seed].areas, candidates, model, rank):
                continue
            while len(team) < settings.min_team_size:
                rest = sorted((m for m in candidates if m not in team), key=rank)
                if not rest:
                    break
                team.append(rest[0])
            if len(team) < settings.min_team_size or len(team) > settings.max_team_size:
                continue
            capacity = len(slot.days) - sum(busy[m] for m in team)
            if capacity < 1:
                continue
            chosen = _fill(seed, team, capacity, pending, candidates, model, busy)
            for k in chosen:
                pending.remove(k)
            visits = sum(batches[k].size for k in chosen)
            # Seat more members while they stay below a head's share of the visits: the
            # spread of the load costs more than the seats.
            while len(team) < settings.max_team_size:
                extra = sorted(
                    (
                        m
                        for m in candidates
                        if m not in team
                        and not busy[m]
                        and load[m] + visits <= fair_share
                        and not any(m in barred[k] for k in chosen)
                    ),
                    key=rank,
                )
                if not extra:
                    break
                team.append(extra[0])
            for m in team:
                load[m] += visits
                taken_in_week[slot.week].add(m)
            placement[r] = (Team(tuple(team), team[0], secretary), chosen)
            break
    return None if pending else placement


Rank = Callable[[int], tuple[int, int, int]]


def _cover(
    team: list[int], areas: frozenset[str], candidates: list[int], model: PlanModel, rank: Rank
) -> bool:
    """Seat members until the team knows every area; False when nobody can."""
    members = model.members
    missing = set(areas) - {a for m in team for a in members[m].expertise}
    while missing:
        best = max(
            (m for m in candidates if m not in team),
            key=lambda m: (len(missing & members[m].expertise), tuple(-x for x in rank(m))),
            default=None,
        )
        if best is None or not missing & members[best].expertise:
            return False
        if len(team) >= model.settings.max_team_size:
            return False
        team.append(best)
        missing -= members[best].expertise
    return True


def _fill(
    seed: int,
    team: list[int],
    capacity: int,
    pending: list[int],
    candidates: list[int],
    model: PlanModel,
    busy: Sequence[int],
) -> list[int]:
    """The seed and the waiting batches this team may survey, up to its free days; a member
    with no busy day in the slot is seated when that lets more batches in."""
    members, batches = model.members, model.batches

    def barred(k: int) -> frozenset[int]:
        return model.kinds[model.kind_of[k]].barred

    chosen = [seed]
    while True:
        covered = {a for m in team for a in members[m].expertise}
        seated = set(team)
        for k in pending:
            if len(chosen) >= capacity:
                return chosen
            if k not in chosen and batches[k].areas <= covered and not barred(k) & seated:
                chosen.append(k)
        if len(chosen) >= capacity or len(team) >= model.settings.max_team_size:
            return chosen
        waiting = [k for k in pending if k not in chosen and not barred(k) & seated]
        best, gain = None, 0
        for m in candidates:
            if m in seated or busy[m]:  # a member with a busy day would cost a day
                continue
            knows = covered | members[m].expertise
            fits = sum(1 for k in waiting if batches[k].areas <= knows and m not in barred(k))
            if fits > gain:
                best, gain = m, fits
        if best is None:
            return chosen
        team.append(best)
