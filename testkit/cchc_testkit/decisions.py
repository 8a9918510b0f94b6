"""The People's Committee's decision as the tests record it: once replication holds the
recommendations, one Quyết định recognising models for every district."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

import httpx

from cchc_testkit.waiting import eventually


def all_districts_decision(
    initiative_ids: Sequence[UUID], campaign_year: int = 2023
) -> dict[str, Any]:
    """Quyết định 4821/QĐ-UBND recognising ``initiative_ids`` for every district, by 30/09/2024."""
    return {
        "decision_number": "4821/QĐ-UBND",
        "signed_on": "2023-12-20",
        "signer_name": "Phan Văn Mãi",
        "signer_title": "CHỦ TỊCH",
        "campaign_year": campaign_year,
        "models": [
            {
                "initiative_id": str(initiative_id),
                "scope": "district_level",
                "targets": {"all_districts": True},
                "deadline": "2024-09-30",
            }
            for initiative_id in initiative_ids
        ],
    }


async def recognise_for_all_districts(
    client: httpx.AsyncClient,
    api: str,
    headers: dict[str, str],
    *initiative_ids: UUID,
    campaign_year: int = 2023,
    timeout: float = 60.0,
) -> httpx.Response:
    """Wait until replication (its API at ``api``, ending in ``/api/v1``) holds the campaign's
    recommendations, then record :func:`all_districts_decision` of ``initiative_ids``."""

    async def candidates_arrived() -> bool:
        found = await client.get(
            f"{api}/candidates", params={"campaign_year": campaign_year}, headers=headers
        )
        return found.status_code == 200 and len(found.json()) >= len(initiative_ids)

    await eventually(candidates_arrived, "replication to hold the recommendations", timeout=timeout)
    return await client.post(
        f"{api}/decisions",
        headers=headers,
        json=all_districts_decision(initiative_ids, campaign_year),
    )
