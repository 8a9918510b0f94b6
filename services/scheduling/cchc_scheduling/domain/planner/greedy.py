"""The greedy start: a complete plan in well under a second, before the search.

Whole weeks first: the slots of the weeks with the most working days come first, every such
week's first lane before any second lane, so the rounds the pool needs fall on full weeks and a
week's second team is opened only when the first lane of every long week is used. In each slot
it seats the least loaded free head and secretary, adds the members the first waiting batch
needs, then fills the round's free days with the batches that team can survey, seating one more
member when that lets more batches in; the head, secretary and smallest team of the week's
later lanes are kept free. A last pass moves seats between members (seat, unseat, swap; the
best move while one helps, then a seeded random walk) to lower the load spread and the seats.
The plan it builds keeps every constraint of the model, so it is the person's first answer and
the search's hint."""

from __future__ import annotations

import math
import random
from collections import defaultdict
from collections.abc import Callable, Sequence

from cchc_scheduling.domain.planner.model import PlanModel, Team
from cchc_scheduling.domain.planner.result import SPREAD_WEIGHT

# How many waiting batches a slot tries as its first batch before it is left empty.
_SEED_TRIES = 12
# The best-move descent's moves at most (it ends long before on the benchmark's pools).
_DESCENT_MOVES = 2000
# The last pass's random moves, and its first temperature (in objective points).
_BALANCE_MOVES = 20000
_HEAT = 4.0

Placement = dict[int, tuple[Team, list[int]]]


def greedy_start(model: PlanModel) -> Placement | None:
    """Slot -> (team, batch indices), or None when the greedy pass leaves batches over."""
    members, batches, settings, slots = model.members, model.batches, model.settings, model.slots
    barred = [model.kinds[model.kind_of[k]].barred for k in range(len(batches))]
    has_secretaries = any(m.may_be_secretary for m in members)
    pending = list(range(len(batches)))
    load = [0] * len(members)
    taken_in_week: dict[int, set[int]] = defaultdict(set)
    placement: Placement = {}
    # Every visit has a head: a head's load is about the visits over the heads.
    heads_in_roster = sum(1 for m in members if m.may_head)
    fair_share = sum(b.size for b in batches) / max(1, heads_in_roster)
    # Whole weeks first, a week's lanes in order; the fewest rounds dealt over the longest
    # weeks, the earliest first, tell how many lanes each long week will open.
    most_days = max(len(s.days) for s in slots)
    long_weeks = sorted({s.week for s in slots if len(s.days) == most_days})
    rounds_needed = math.ceil(len(batches) / most_days)
    lanes_of = {
        week: rounds_needed // len(long_weeks) + (i < rounds_needed % len(long_weeks))
        for i, week in enumerate(long_weeks)
    }
    order = sorted(range(len(slots)), key=lambda r: (-len(slots[r].days), slots[r].lane, r))

    for r in order:
        slot = slots[r]
        if not pending:
            break
        if slot.lane > 0 and r - 1 not in placement:
            continue  # lanes of a week are used in order
        busy = model.busy[r]
        free = [m for m in range(len(members)) if m not in taken_in_week[slot.week]]
        later_lanes = max(0, lanes_of.get(slot.week, 0) - 1 - slot.lane)

        def rank(m: int, busy: Sequence[int] = busy) -> tuple[int, int, int]:
            return (busy[m], load[m], m)  # fewest busy days in the slot, then least loaded

        def spare(
            team: list[int], m: int, free: list[int] = free, later: int = later_lanes
        ) -> bool:
            """Whether seating ``m`` still leaves the week's later lanes a head, a secretary
            and a smallest team among the free members."""
            if not later:
                return True
            rest = [x for x in free if x not in team and x != m]
            heads = sum(1 for x in rest if members[x].may_head)
            secretaries = sum(1 for x in rest if members[x].may_be_secretary)
            return (
                heads >= later
                and (not has_secretaries or secretaries >= later)
                and len(rest) >= later * settings.min_team_size
            )

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
            chosen = _fill(seed, team, capacity, pending, candidates, model, busy, spare)
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
                        and spare(team, m)
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
    if pending:
        return None
    _descend(model, placement)
    _anneal(model, placement)
    return placement


Rank = Callable[[int], tuple[int, int, int]]
Spare = Callable[[list[int], int], bool]


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
    spare: Spare,
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
            if m in seated or busy[m] or not spare(team, m):  # a busy day would cost a day
                continue
            knows = covered | members[m].expertise
            fits = sum(1 for k in waiting if batches[k].areas <= knows and m not in barred(k))
            if fits > gain:
                best, gain = m, fits
        if best is None:
            return chosen
        team.append(best)


def _anneal(model: PlanModel, placement: Placement) -> None:
    """Seat, unseat or swap members, a random move at a time (simulated annealing, seeded by
    the settings), keeping the plan of the lowest objective's part that the teams decide: the
    load spread times its weight, plus the seats. Every move keeps the round's rules: its size,
    a head and a secretary who may hold the seat, the expertise its batches need, nobody barred,
    nobody in two teams of a week, and a member with a busy day only where the round keeps a
    free day for each batch. One move changes one member's load, so a plan whose load ties at
    the top cannot be bettered by a single move: the walk accepts a worse plan now and then."""
    members, batches, slots, settings = model.members, model.batches, model.slots, model.settings
    if not placement:
        return
    M = range(len(members))
    rng = random.Random(settings.seed)
    has_secretaries = any(m.may_be_secretary for m in members)
    load = [0] * len(members)
    visits: dict[int, int] = {}
    needs: dict[int, frozenset[str]] = {}
    bars: dict[int, frozenset[int]] = {}
    in_week: dict[int, set[int]] = defaultdict(set)
    teams = {r: seated for r, (seated, _) in placement.items()}
    for r, (seated, chosen) in placement.items():
        visits[r] = sum(batches[k].size for k in chosen)
        needs[r] = frozenset().union(*(batches[k].areas for k in chosen))
        bars[r] = frozenset().union(*(model.kinds[model.kind_of[k]].barred for k in chosen))
        in_week[slots[r].week].update(seated.members)
        for m in seated.members:
            load[m] += visits[r]
    seats = sum(len(t.members) for t in teams.values())

    def fits(r: int, team: Team) -> bool:
        if not settings.min_team_size <= len(team.members) <= settings.max_team_size:
            return False
        if not members[team.head].may_head or team.head == team.secretary:
            return False
        if has_secretaries and (
            team.secretary is None or not members[team.secretary].may_be_secretary
        ):
            return False
        free_days = len(slots[r].days) - sum(model.busy[r][m] for m in team.members)
        known = {a for m in team.members for a in members[m].expertise}
        return free_days >= len(placement[r][1]) and needs[r] <= known

    def handover(rest: tuple[int, ...], other: int | None, may: str) -> int | None:
        """Who of the rest takes the seat of a leaving head or secretary."""
        return next((x for x in rest if getattr(members[x], may) and x != other), None)

    rounds = sorted(placement)
    cost = SPREAD_WEIGHT * (max(load) - min(load)) + seats
    best_cost, best = cost, dict(teams)
    for step in range(_BALANCE_MOVES):
        r = rounds[rng.randrange(len(rounds))]
        team = teams[r]
        outside = [m for m in M if m not in in_week[slots[r].week] and m not in bars[r]]
        roll = rng.random()
        added: int | None = None
        removed: int | None = None
        if roll < 0.3:
            if not outside:
                continue
            added = outside[rng.randrange(len(outside))]
            new = Team((*team.members, added), team.head, team.secretary)
        else:
            removed = team.members[rng.randrange(len(team.members))]
            rest = tuple(m for m in team.members if m != removed)
            if roll < 0.6:
                head: int | None = team.head
                secretary = team.secretary
                if removed == head:
                    head = handover(rest, secretary, "may_head")
                if removed == secretary:
                    secretary = handover(rest, head, "may_be_secretary")
                if head is None:
                    continue
                new = Team(rest, head, secretary)
            else:
                if not outside:
                    continue
                added = outside[rng.randrange(len(outside))]
                head = added if removed == team.head else team.head
                secretary = added if removed == team.secretary else team.secretary
                new = Team((*rest, added), head, secretary)
        if not fits(r, new):
            continue
        if added is not None:
            load[added] += visits[r]
        if removed is not None:
            load[removed] -= visits[r]
        changed = (
            SPREAD_WEIGHT * (max(load) - min(load)) + seats + len(new.members) - len(team.members)
        )
        # Hotter at first, colder at the end: worse moves become rarer as the walk goes on.
        heat = _HEAT * (1 - step / _BALANCE_MOVES) + 0.05
        if changed <= cost or rng.random() < math.exp((cost - changed) / heat):
            seats += len(new.members) - len(team.members)
            cost = changed
            week = in_week[slots[r].week]
            week.difference_update(team.members)
            week.update(new.members)
            teams[r] = new
            if cost < best_cost:
                best_cost, best = cost, dict(teams)
        else:
            if added is not None:
                load[added] -= visits[r]
            if removed is not None:
                load[removed] += visits[r]
    for r, team in best.items():
        placement[r] = (team, placement[r][1])


def _descend(model: PlanModel, placement: Placement) -> None:
    """Seat, unseat or swap plain members while the objective (the load spread times its
    weight, plus the seats) goes down; every move keeps the round's rules: its size, the
    expertise its batches need, nobody barred, nobody in two teams of a week, and a member
    with a busy day only where the round keeps a free day for each batch."""
    members, batches, slots, settings = model.members, model.batches, model.slots, model.settings
    M = range(len(members))
    load = [0] * len(members)
    visits: dict[int, int] = {}
    needs: dict[int, frozenset[str]] = {}
    bars: dict[int, frozenset[int]] = {}
    teams: dict[int, list[int]] = {}
    in_week: dict[int, set[int]] = defaultdict(set)
    for r, (seated, chosen) in placement.items():
        visits[r] = sum(batches[k].size for k in chosen)
        needs[r] = frozenset().union(*(batches[k].areas for k in chosen))
        bars[r] = frozenset().union(*(model.kinds[model.kind_of[k]].barred for k in chosen))
        teams[r] = list(seated.members)
        in_week[slots[r].week].update(seated.members)
        for m in seated.members:
            load[m] += visits[r]

    def covers(team: list[int], needed: frozenset[str]) -> bool:
        return needed <= {a for m in team for a in members[m].expertise}

    def fits(r: int, team: list[int]) -> bool:
        free_days = len(slots[r].days) - sum(model.busy[r][m] for m in team)
        return free_days >= len(placement[r][1]) and covers(team, needs[r])

    has_secretaries = any(m.may_be_secretary for m in members)

    def may_head(m: int | None, secretary: int | None) -> bool:
        return m is not None and members[m].may_head and m != secretary

    def may_sec(m: int | None, head: int | None) -> bool:
        if m is None:
            return not has_secretaries
        return members[m].may_be_secretary and m != head

    def cost(loads: Sequence[int]) -> int:
        return SPREAD_WEIGHT * (max(loads) - min(loads))

    def evenness(loads: Sequence[int]) -> int:
        return sum(x * x for x in loads)

    for _ in range(_DESCENT_MOVES):
        now, even = cost(load), evenness(load)
        # (gain, evenness gained, round, team, loads): a move that leaves the objective as it
        # is but evens the loads out is taken too, so ties at the top or the bottom are undone
        # one member at a time.
        best: tuple[int, int, int, Team, list[int]] | None = None
        for r in sorted(teams):
            team, head, secretary = teams[r], placement[r][0].head, placement[r][0].secretary
            outside = [m for m in M if m not in in_week[slots[r].week] and m not in bars[r]]
            moves: list[tuple[Team, int | None, int | None]] = []  # (team, seated, unseated)
            if len(team) < settings.max_team_size:
                moves += [(Team((*team, m), head, secretary), m, None) for m in outside]
            for a in team:
                rest = [x for x in team if x != a]
                # The head's or the secretary's seat passes to a member who may hold it.
                heads = [head] if a != head else [x for x in rest if may_head(x, secretary)]
                secs = [secretary] if a != secretary else [x for x in rest if may_sec(x, head)]
                if len(team) > settings.min_team_size and heads and secs:
                    moves.append((Team(tuple(rest), heads[0], secs[0]), None, a))
                for b in outside:
                    new_head = b if a == head else head
                    new_secretary = b if a == secretary else secretary
                    if may_head(new_head, new_secretary) and (
                        new_secretary is None or may_sec(new_secretary, new_head)
                    ):
                        moves.append((Team((*rest, b), new_head, new_secretary), b, a))
            for new_team, added, removed in moves:
                loads = list(load)
                if added is not None:
                    loads[added] += visits[r]
                if removed is not None:
                    loads[removed] -= visits[r]
                gain = now - cost(loads) + len(team) - len(new_team.members)
                evened = even - evenness(loads)
                if (
                    (gain > 0 or (gain == 0 and evened > 0))
                    and (best is None or (gain, evened) > best[:2])
                    and fits(r, list(new_team.members))
                ):
                    best = (gain, evened, r, new_team, loads)
        if best is None:
            return
        _, _, r, chosen_team, load = best
        week = in_week[slots[r].week]
        week.difference_update(teams[r])
        week.update(chosen_team.members)
        teams[r] = list(chosen_team.members)
        placement[r] = (chosen_team, placement[r][1])
