"""Planning phase: propose the survey rounds, accept and confirm them."""

from __future__ import annotations

from typing import Any

from cchc_tools.demo.client import Api
from cchc_tools.demo.progress import Progress
from cchc_tools.demo.settings import YEAR


async def plan_rounds(api: Api, progress: Progress) -> list[dict[str, Any]]:
    """Plan what is not yet in a round, accept, confirm; return every confirmed 2023 round."""
    existing = await api.get("scheduling", "/api/v1/rounds", params={"campaign_year": YEAR})
    scheduled = {
        v["initiative_id"] for r in existing if r["status"] != "cancelled" for v in r["visits"]
    }
    pool = await api.get(
        "scheduling", "/api/v1/pool", params={"campaign_year": YEAR, "status": "in_pool"}
    )
    if {i["initiative_id"] for i in pool} <= scheduled:
        progress.note("every initiative of the pool is already in a round: nothing to plan")
        proposal: dict[str, Any] = {"rounds": []}
    else:
        proposal = await _propose(api, progress)
    drafts: list[dict[str, Any]] = [r for r in existing if r["status"] == "draft"]
    if proposal["rounds"]:
        accepted = await api.call(
            "POST", "scheduling", f"/api/v1/plans/{proposal['proposal_id']}/accept", timeout=120
        )
        drafts += accepted.json()
    progress.start("Xác nhận đợt khảo sát", len(drafts))
    for draft in drafts:
        await api.call("POST", "scheduling", f"/api/v1/rounds/{draft['round_id']}/confirm")
        progress.advance()
    progress.finish()
    rounds = await api.get("scheduling", "/api/v1/rounds", params={"campaign_year": YEAR})
    return [r for r in rounds if r["status"] in ("confirmed", "rescheduled")]


async def _propose(api: Api, progress: Progress) -> dict[str, Any]:
    progress.start("Lập kế hoạch khảo sát (CP-SAT)", 1)
    # On a busy machine the solver may find nothing within the limit (422, "allow more
    # time"): asked again with twice the time, as the answer suggests, twice at most.
    for attempt in range(3):
        limit = api.settings.planner_time_limit * 2**attempt
        plan = await api.call(
            "POST",
            "scheduling",
            "/api/v1/plans",
            ok=(200, 201) if attempt == 2 else (200, 201, 422),
            json={"campaign_year": YEAR, "seed": api.settings.seed, "time_limit_seconds": limit},
            timeout=max(120.0, limit * 4 + 30),
        )
        if plan.status_code != 422:
            break
    proposal: dict[str, Any] = plan.json()
    progress.finish(f"{len(proposal['rounds'])} đợt đề xuất")
    return proposal
