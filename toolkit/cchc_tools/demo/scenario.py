"""The campaign scenario: generated proposals, their texts, and invalid inbound messages."""

from __future__ import annotations

import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cchc_shared.contracts.envelope import encode_event
from cchc_shared.contracts.events import InboundInitiativeSubmittedV1
from cchc_shared.reference import Agency, AgencyLevel, load_agencies
from cchc_tools.demo.settings import DEMO_NAMESPACE, PLATFORM_SOURCE, YEAR
from cchc_tools.demo.texts import CITY, COMMUNE, DISTRICT, TEMPLATES, Template, figures, remark

KINDS = ("model", "solution", "initiative")
SECTOR_DEPARTMENT = {
    "institutional": "STP",
    "procedures": "VPUB",
    "organisation": "SNV",
    "civil_service": "SNV",
    "public_finance": "STC",
    "digital_government": "STTTT",
}


@dataclass(frozen=True)
class Proposal:
    agency: Agency
    kind: str
    par_area: str
    title: str
    summary: str
    results: str
    limitations: str
    applied_since: date
    submitted_at: datetime  # for inbound ones
    quality: float  # the demo's "truth" about the initiative, drives the scores

    def body(self) -> dict[str, Any]:
        return {
            "agency_code": self.agency.code,
            "campaign_year": YEAR,
            "kind": self.kind,
            "title": self.title,
            "summary": self.summary,
            "par_area": self.par_area,
            "applied_since": self.applied_since.isoformat(),
            "results": self.results,
            "limitations": self.limitations,
        }


def _pick_agencies(rng: random.Random, count: int) -> list[Agency]:
    agencies = list(load_agencies().values())
    # Members' own agencies are the survey team's: they would be conflicts of interest for
    # most of the roster, so the demo takes no proposals from them.
    roster_agencies = {"SNV", "STP", "VPUB", "STTTT", "STC", "SKHDT"}
    departments = [
        a
        for a in agencies
        if a.level in (AgencyLevel.CITY_DEPARTMENT, AgencyLevel.VERTICAL_AGENCY)
        and a.code not in roster_agencies
    ]
    districts = [a for a in agencies if a.level is AgencyLevel.DISTRICT]
    wards = [a for a in agencies if a.level is AgencyLevel.COMMUNE]
    chosen = (
        rng.sample(departments, min(len(departments), max(1, count * 15 // 100)))
        + rng.sample(districts, min(len(districts), max(1, count * 14 // 100)))
        + rng.sample(wards, min(len(wards), count * 45 // 100))
    )
    # Some agencies propose two.
    picked = list(chosen)
    while len(picked) < count:
        picked.append(rng.choice(chosen))
    rng.shuffle(picked)
    return picked[:count]


def tier(agency: Agency) -> str:
    if agency.is_city_level:
        return CITY
    return DISTRICT if agency.is_district_level else COMMUNE


def generate(seed: int, count: int) -> list[Proposal]:
    rng = random.Random(seed)
    used: set[tuple[str, str]] = set()
    proposals: list[Proposal] = []
    for agency in _pick_agencies(rng, count):
        level = tier(agency)
        areas = list(TEMPLATES)
        rng.shuffle(areas)
        options: list[Template] = []
        for area in areas:
            options = [
                t
                for t in TEMPLATES[area]
                if level in t.tiers and (agency.code, t.title) not in used
            ]
            if options:
                break
        template = rng.choice(options)
        used.add((agency.code, template.title))
        quality = rng.choices(
            (rng.uniform(0.78, 0.93), rng.uniform(0.6, 0.76), rng.uniform(0.4, 0.58)),
            weights=(3, 5, 2),
        )[0]
        numbers = figures(rng, level, quality)
        applied = date(rng.choice((2021, 2022)), rng.randint(1, 12), rng.randint(1, 28))
        # Before the demo's submissions by HTTP (mid-May): received in March to early May.
        submitted = datetime(
            YEAR, rng.randint(3, 5), rng.randint(1, 12), rng.randint(1, 9), tzinfo=UTC
        )
        results = template.results.format(**numbers)
        proposals.append(
            Proposal(
                agency=agency,
                kind=rng.choice(KINDS),
                par_area=area,
                title=f"{template.title} tại {agency.full_name_in_text}",
                summary=template.summary.format(agency=agency.full_name, **numbers),
                results=results,
                limitations=remark(rng, area, "limitations", quality, results),
                applied_since=applied,
                submitted_at=submitted,
                quality=quality,
            )
        )
    return proposals


def _inbound_id(seed: int, index: int) -> str:
    return str(uuid.uuid5(DEMO_NAMESPACE, f"{seed}:inbound:{index}"))


def invalid_messages(seed: int, agency: Agency) -> list[tuple[str, bytes]]:
    """(message id, body) of inbound messages intake must reject, each for another reason."""
    base = InboundInitiativeSubmittedV1(
        campaign_year=YEAR,
        agency_code=agency.code,
        kind="solution",
        title="Sáng kiến gửi thiếu thông tin",
        summary="Tóm tắt",
        par_area="procedures",
        applied_since=date(2022, 5, 1),
        results="Kết quả",
        limitations="",
        submitted_at=datetime(YEAR, 5, 1, 2, tzinfo=UTC),
    )
    good = json.loads(encode_event(base, source=PLATFORM_SOURCE).body)
    out: list[tuple[str, bytes]] = []
    # 1. not JSON at all
    out.append((_inbound_id(seed, 9001), b"{ day khong phai JSON"))
    # 2. unknown agency and a PAR area outside the list
    bad = json.loads(json.dumps(good))
    bad["id"] = _inbound_id(seed, 9002)
    bad["data"]["agency_code"] = "99999"
    bad["data"]["par_area"] = "sports"
    out.append((bad["id"], json.dumps(bad, ensure_ascii=False).encode()))
    # 3. required fields missing
    bad = json.loads(json.dumps(good))
    bad["id"] = _inbound_id(seed, 9003)
    del bad["data"]["title"], bad["data"]["results"]
    out.append((bad["id"], json.dumps(bad, ensure_ascii=False).encode()))
    # 4. submitted outside every campaign window (2022)
    bad = json.loads(json.dumps(good))
    bad["id"] = _inbound_id(seed, 9004)
    bad["data"]["title"] = "Sáng kiến gửi ngoài thời hạn tiếp nhận"
    bad["data"]["submitted_at"] = "2022-03-01T02:00:00Z"
    out.append((bad["id"], json.dumps(bad, ensure_ascii=False).encode()))
    return out
