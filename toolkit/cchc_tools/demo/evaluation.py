"""Evaluation phase: every member of the team who scores (the head and the members; the
secretary only where the campaign says so) scores each visit."""

from __future__ import annotations

import asyncio
import logging
import random
import time
from datetime import date
from functools import partial
from typing import Any

import httpx

from cchc_tools.demo.client import Api, _gather, _until
from cchc_tools.demo.progress import Progress
from cchc_tools.demo.scenario import Proposal
from cchc_tools.demo.settings import YEAR, DemoError, vn
from cchc_tools.demo.texts import remark

log = logging.getLogger("cchc.demo")


def _scores(rubric: dict[str, Any], fraction: float, rng: random.Random) -> list[dict[str, Any]]:
    step = float(rubric.get("step", 0.5))
    scores = []
    for criterion in rubric["criteria"]:
        maximum = float(criterion["max_score"])
        f = min(1.0, max(0.0, fraction + rng.uniform(-0.06, 0.06)))
        value = round(f * maximum / step) * step
        bands = criterion["bands"]
        if not any(b["min_score"] <= value <= b["max_score"] for b in bands):
            edges = [b["min_score"] for b in bands] + [b["max_score"] for b in bands]
            value = min(edges, key=lambda e: abs(e - value))
        scores.append({"criterion": criterion["code"], "score": value})
    return scores


def _conflict_rule(response: httpx.Response) -> str | None:
    """The rule a 409 names (``None`` for a success)."""
    if response.status_code != 409:
        return None
    rules = [fault.get("rule", "") for fault in response.json().get("detail", [])]
    return rules[0] if rules else ""


async def evaluate(
    api: Api,
    rounds: list[dict[str, Any]],
    proposals: dict[str, Proposal],
    progress: Progress,
    timeout: float,
) -> int:
    """Each scoring member of each round's team evaluates each visit; returns how many were
    new."""
    rubric = await api.get("evaluation", f"/api/v1/rubrics/{YEAR}")
    campaign = await api.get("intake", f"/api/v1/campaigns/{YEAR}")
    roles = ("head", "member", "secretary") if campaign["secretary_scores"] else ("head", "member")
    jobs: list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]] = [
        (round_, visit, seat)
        for round_ in rounds
        for visit in round_["visits"]
        for seat in round_["team"]
        if seat["role"] in roles
    ]

    async def known(round_id: str) -> bool:
        response = await api.call("GET", "evaluation", f"/api/v1/rounds/{round_id}", ok=(200, 404))
        return response.status_code == 200 and len(response.json()["visits"]) > 0

    progress.start("Chờ phân hệ đánh giá nhận đợt", len(rounds))
    for round_ in rounds:
        await _until(
            f"evaluation to know round {round_['round_id']}",
            partial(known, round_["round_id"]),
            timeout,
        )
        progress.advance()
    progress.finish()

    progress.start("Ghi phiếu đánh giá", len(jobs))
    created = 0

    async def one(round_: dict[str, Any], visit: dict[str, Any], seat: dict[str, Any]) -> None:
        nonlocal created
        rng = random.Random(f"{visit['visit_id']}:{seat['member_id']}")
        proposal = proposals.get(visit["initiative_id"])
        q = proposal.quality if proposal else rng.uniform(0.5, 0.85)
        area = proposal.par_area if proposal else "procedures"
        results = proposal.results if proposal else ""
        scores = _scores(rubric, q + rng.uniform(-0.05, 0.05), rng)
        total = sum(s["score"] for s in scores)
        recommendation = (
            "replicate" if total >= 72 else "improve" if total >= 55 else "not_recommended"
        )
        sheet = {
            "visit_id": visit["visit_id"],
            "initiative_id": visit["initiative_id"],
            "round_id": round_["round_id"],
            "scores": scores,
            "strengths": remark(rng, area, "strengths", q, results),
            "limitations": remark(rng, area, "limitations", q, results),
            "difficulties": remark(rng, area, "difficulties", q, results),
            "recommendation": recommendation,
        }
        deadline = time.monotonic() + timeout
        while True:
            response = await api.call(
                "POST",
                "evaluation",
                "/api/v1/evaluations",
                role="surveyor",
                member=seat["member_id"],
                ok=(201, 409),
                json=sheet,
            )
            # A conflict names its rule: the sheet already kept (a second run) or evaluations
            # closed by a decision (a run resumed after its decisions) end here; a visit whose
            # day the service's clock has not reached yet is sent again; anything else stops
            # the demo, so no sheet is ever dropped unnoticed.
            rule = _conflict_rule(response)
            if rule in (None, "already_evaluated", "decided"):
                break
            if rule != "before_visit_day" or time.monotonic() > deadline:
                raise DemoError(
                    f"the evaluation of visit {visit['visit_id']} by {seat['member_id']} was "
                    f"refused: {response.text[:800]}"
                )
            log.warning("evaluation refused, sent again: %s", response.text[:300])
            await asyncio.sleep(0.5)
        if response.status_code == 201:
            created += 1
        progress.advance()

    # Each round is evaluated at the end of its last day (on the campaign clock, if any): an
    # evaluation is never recorded before its visit.
    by_round: dict[str, list[tuple[dict[str, Any], dict[str, Any], dict[str, Any]]]] = {}
    for job in jobs:
        by_round.setdefault(job[0]["round_id"], []).append(job)
    for round_ in sorted(rounds, key=lambda r: max((v["date"] for v in r["visits"]), default="")):
        if not round_["visits"]:
            continue
        last_day = date.fromisoformat(max(v["date"] for v in round_["visits"]))
        api.settings.set_clock(vn(last_day.month, last_day.day, 16, 30))
        await _gather(
            api.settings.concurrency,
            (partial(one, *j) for j in by_round.get(round_["round_id"], [])),
        )
    progress.finish()
    return created
