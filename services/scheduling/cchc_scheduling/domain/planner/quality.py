"""A plan's quality in the office's terms: travel days, districts per survey day, each member's
load against their availability, rounds used and the visits of each month; and the warnings a
person should read before accepting it."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from cchc_scheduling.domain.model import Member
from cchc_scheduling.domain.planner.result import CITY_CLUSTER, ProposedRound

# Above this gap between the plan and the bound, the plan is said not to be proven good.
GAP_WORTH_A_WARNING = 0.05


def _spread(values: Sequence[float]) -> dict[str, float]:
    values = list(values) or [0]
    return {
        "min": round(min(values), 3),
        "mean": round(sum(values) / len(values), 3),
        "max": round(max(values), 3),
    }


def plan_quality(
    rounds: Sequence[ProposedRound],
    members: Sequence[Member],
    working_days: Sequence[date],
    unavailable: Mapping[str, frozenset[date]],
    cluster_of: Callable[[str], str | None],
) -> dict[str, Any]:
    visits_of: Counter[str] = Counter()
    days_of: Counter[str] = Counter()
    travel_days = 0
    districts = 0
    per_month: Counter[str] = Counter({f"{d.year}-{d.month:02d}": 0 for d in working_days})
    for proposed in rounds:
        per_day: dict[date, set[str]] = defaultdict(set)
        for visit in proposed.visits:
            per_day[visit.date].add(cluster_of(visit.agency_code) or CITY_CLUSTER)
            per_month[f"{visit.date.year}-{visit.date.month:02d}"] += 1
        travel_days += len(per_day)
        districts += sum(len(d) for d in per_day.values())
        for seat in proposed.team:
            visits_of[seat.member_id] += len(proposed.visits)
            days_of[seat.member_id] += len(per_day)
    loads: list[dict[str, Any]] = []
    for member in members:
        available = sum(1 for d in working_days if d not in unavailable.get(member.member_id, ()))
        loads.append(
            {
                "member_id": member.member_id,
                "name": member.name,
                "visits": visits_of[member.member_id],
                "survey_days": days_of[member.member_id],
                "available_days": available,
                "share_of_available_days": round(days_of[member.member_id] / available, 3)
                if available
                else 0.0,
            }
        )
    return {
        "rounds_used": len(rounds),
        "visits": sum(len(p.visits) for p in rounds),
        "travel_days": travel_days,
        "districts_per_survey_day": round(districts / travel_days, 3) if travel_days else 0.0,
        "member_load": _spread([load["visits"] for load in loads]),
        "member_share_of_available_days": _spread(
            [load["share_of_available_days"] for load in loads]
        ),
        "members": loads,
        "visits_per_month": dict(sorted(per_month.items())),
    }


def plan_warnings(quality: Mapping[str, Any], gap: float) -> list[dict[str, str]]:
    """What a person should know before accepting: idle members, empty months, a plan not yet
    proven close to the best."""
    warnings = []
    idle = [m["name"] for m in quality["members"] if m["visits"] == 0]
    if idle:
        warnings.append(
            {
                "code": "members_unused",
                "message": "Thành viên chưa được phân công: " + ", ".join(idle),
                "message_en": f"{len(idle)} member(s) have no visit",
            }
        )
    empty = [month for month, count in quality["visits_per_month"].items() if count == 0]
    if empty and quality["visits"]:
        warnings.append(
            {
                "code": "months_without_visits",
                "message": "Không có cuộc khảo sát nào trong tháng: "
                + ", ".join(f"{m[5:]}/{m[:4]}" for m in empty),
                "message_en": "no visit in " + ", ".join(empty),
            }
        )
    if gap > GAP_WORTH_A_WARNING:
        warnings.append(
            {
                "code": "not_proven_close",
                "message": f"Phương án cách cận dưới {gap:.0%}: có thể còn phương án tốt hơn",
                "message_en": f"the plan is {gap:.0%} above the bound: a better one may exist",
            }
        )
    return warnings
