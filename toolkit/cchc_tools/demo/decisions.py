"""Decisions phase: sector opinions and the secretariat's decisions."""

from __future__ import annotations

from functools import partial
from typing import Any

from cchc_shared.documents.model import format_number
from cchc_shared.reference import load_agencies
from cchc_tools.demo.client import Api, _gather
from cchc_tools.demo.progress import Progress
from cchc_tools.demo.scenario import SECTOR_DEPARTMENT
from cchc_tools.demo.settings import YEAR


def _scope(agency_code: str) -> str:
    agency = load_agencies().get(agency_code)
    if agency is None or agency.is_city_level:
        return "city_wide" if agency_code not in SECTOR_DEPARTMENT.values() else "sector"
    return "district_level" if agency.is_district_level else "commune_level"


async def decide(api: Api, progress: Progress) -> dict[str, Any]:
    ranking = await api.get("evaluation", f"/api/v1/campaigns/{YEAR}/ranking")
    threshold = float(ranking["threshold"])
    items = [
        i for i in ranking["items"] if i["decision"] is None and i["aggregate"]["quorum_reached"]
    ]
    progress.start("Quyết định lựa chọn, đề xuất", len(items))

    async def one(item: dict[str, Any]) -> None:
        initiative_id = item["initiative_id"]
        info = item["initiative"] or {}
        score = item["aggregate"]["final_score"] or 0.0
        if score >= threshold:
            area = info.get("par_area") or "procedures"
            await api.call(
                "PUT",
                "evaluation",
                f"/api/v1/initiatives/{initiative_id}/sector-opinion",
                json={
                    "agency_code": SECTOR_DEPARTMENT.get(area, "SNV"),
                    "stance": "supports",
                    "opinion": "Thống nhất đề xuất công nhận và nhân rộng; mô hình phù hợp "
                    "quy định và có khả năng áp dụng tại các đơn vị khác.",
                },
            )
            body: dict[str, Any] = {
                "decision": "replicate",
                "scope": _scope(info.get("agency_code", "")),
                "rationale": f"Đạt {format_number(score)}/100 điểm, không thấp hơn ngưỡng "
                f"{format_number(threshold)} điểm; sở, ngành phụ trách lĩnh vực thống nhất đề "
                "xuất công nhận và nhân rộng.",
            }
        else:
            body = {
                "decision": "improve" if score >= 55 else "not_recommended",
                "rationale": f"Đạt {format_number(score)}/100 điểm, chưa đạt ngưỡng "
                f"{format_number(threshold)} điểm.",
            }
        await api.call(
            "POST",
            "evaluation",
            f"/api/v1/initiatives/{initiative_id}/decision",
            json=body,
            ok=(201, 409),
        )
        progress.advance()

    await _gather(api.settings.concurrency, (partial(one, i) for i in items))
    progress.finish()
    ranking_after: dict[str, Any] = await api.get("evaluation", f"/api/v1/campaigns/{YEAR}/ranking")
    return ranking_after
