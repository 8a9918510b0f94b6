"""Follow-up phase, past the Tờ trình: the Chairman's Quyết định recognises part of the
recommended initiatives, then a year (2024) of quarterly adoption reports from the target
agencies, entered by the PAR office as they arrive (some late, some "không phù hợp", some
agencies never report), and the yearly Báo cáo kết quả triển khai nhân rộng.

Deterministic (seeded) and safe to run twice: an existing decision of the campaign is reused,
and a report already entered is a repeat that the replication service ignores."""

from __future__ import annotations

import asyncio
import random
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from typing import Any

from cchc_shared.reference import district_of, districts
from cchc_tools.demo.client import Api, _gather, _until
from cchc_tools.demo.progress import Progress
from cchc_tools.demo.reporting import _write
from cchc_tools.demo.settings import YEAR, DemoSettings, DemoSummary

DECISION_NUMBER = "4821/QĐ-UBND"
SIGNED_ON = date(YEAR, 12, 20)
FOLLOW_UP_YEAR = YEAR + 1
QUARTERS = tuple(f"{FOLLOW_UP_YEAR}-Q{n}" for n in range(1, 5))
REPORT_DUE_DAYS = 15  # the replication service's default
MODELS_AT_MOST = 5  # a year of reports from every target of each: enough to read


def _quarter_end(quarter: str) -> date:
    number = int(quarter[-1])
    if number == 4:
        return date(FOLLOW_UP_YEAR, 12, 31)
    return date(FOLLOW_UP_YEAR, 3 * number + 1, 1) - timedelta(days=1)


def _targets(candidate: dict[str, Any], rng: random.Random) -> tuple[str, dict[str, Any]]:
    """The scope and targets of a recognised model, from where it came from."""
    if candidate["scope"] == "commune_level":
        home = district_of(candidate["agency_code"]) or districts()[0].code
        others = [d.code for d in districts() if d.code != home]
        return "commune_level", {"wards_of": [home, rng.choice(others)]}
    return "district_level", {"all_districts": True}


def _plan(rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    """One target agency's year: (quarter, report content) in order; empty if it never
    reports."""
    roll = rng.random()
    if roll < 0.15:
        return []
    if roll < 0.25:
        quarter = rng.choice(QUARTERS[:2])
        return [
            (
                quarter,
                {
                    "status": "not_suitable",
                    "reason": rng.choice(
                        [
                            "Địa bàn đã triển khai mô hình tương tự do Thành phố chỉ đạo.",
                            "Số lượng hồ sơ của đơn vị ít, chưa cần tổ chức riêng theo mô hình.",
                            "Chưa đủ hạ tầng công nghệ thông tin để áp dụng.",
                        ]
                    ),
                },
            )
        ]
    start = rng.randrange(3)
    started_on = date(FOLLOW_UP_YEAR, 3 * start + 1, 1) + timedelta(days=rng.randrange(60))
    before = round(rng.uniform(5, 10), 1)
    plan: list[tuple[str, dict[str, Any]]] = []
    for i, quarter in enumerate(QUARTERS):
        if i < start:
            plan.append((quarter, {"status": "not_started"}))
            continue
        if rng.random() < 0.1:
            continue  # a quarter it forgot to report
        adopted = i > start or rng.random() < 0.3
        plan.append(
            (
                quarter,
                {
                    "status": "adopted" if adopted else "in_progress",
                    "started_on": started_on.isoformat(),
                    "adaptation": rng.choice(
                        [
                            "Bố trí thêm công chức hướng dẫn hồ sơ trực tuyến tại bộ phận một cửa.",
                            "Áp dụng theo quy trình của mô hình, rút gọn bước luân chuyển hồ sơ.",
                            "Kết hợp với tổ công nghệ số cộng đồng để hỗ trợ người cao tuổi.",
                        ]
                    ),
                    "indicators": {
                        "measured_from": max(
                            started_on, _quarter_end(quarter).replace(day=1) - timedelta(days=60)
                        ).isoformat(),
                        "measured_to": _quarter_end(quarter).isoformat(),
                        "processing_days_before": before,
                        "processing_days_after": round(before * rng.uniform(0.4, 0.75), 1),
                        "satisfaction_percent": round(rng.uniform(82, 98), 1),
                        "cases_handled": rng.randrange(60, 600),
                    },
                },
            )
        )
    return plan


def _received_on(quarter: str, rng: random.Random) -> str:
    """When the report reached the Department: mostly within the due date, one in five late."""
    due = _quarter_end(quarter) + timedelta(days=REPORT_DUE_DAYS)
    days = rng.randrange(5, 40) if rng.random() < 0.2 else -rng.randrange(0, 14)
    return (due + timedelta(days=days)).isoformat()


async def _decision(api: Api, rng: random.Random) -> dict[str, Any] | None:
    existing = await api.get("replication", "/api/v1/decisions", params={"campaign_year": YEAR})
    if existing:
        return dict(existing[0])
    candidates = await api.get("replication", "/api/v1/candidates", params={"campaign_year": YEAR})
    if not candidates:
        return None
    # The Chairman recognises about two thirds of the recommended, the best first.
    chosen = candidates[: max(1, (2 * len(candidates)) // 3)][:MODELS_AT_MOST]
    models = []
    for i, candidate in enumerate(chosen):
        scope, targets = _targets(candidate, rng)
        deadline = date(FOLLOW_UP_YEAR, 9, 30) if i % 3 == 0 else date(FOLLOW_UP_YEAR, 12, 31)
        models.append(
            {
                "initiative_id": candidate["initiative_id"],
                "scope": scope,
                "targets": targets,
                "deadline": deadline.isoformat(),
            }
        )
    response = await api.call(
        "POST",
        "replication",
        "/api/v1/decisions",
        json={
            "decision_number": DECISION_NUMBER,
            "signed_on": SIGNED_ON.isoformat(),
            "signer_name": "Phan Văn Mãi",
            "signer_title": "CHỦ TỊCH",
            "campaign_year": YEAR,
            "models": models,
        },
        ok=(201,),
    )
    return dict(response.json())


async def follow_up(
    api: Api, settings: DemoSettings, summary: DemoSummary, progress: Progress
) -> None:
    """The decision, the year of reports and, with ``--out``, the follow-up's documents."""
    recommended = summary.recommended
    if recommended == 0:
        return

    async def candidates_arrived() -> bool:
        found = await api.get("replication", "/api/v1/candidates", params={"campaign_year": YEAR})
        return len(found) >= recommended

    await _until(
        "replication to hold the recommendations", candidates_arrived, settings.wait_timeout
    )
    decision = await _decision(api, random.Random(settings.seed + 17))
    if decision is None:
        return
    summary.recognised = len(decision["models"])
    jobs = []
    for model in decision["models"]:
        for target in model["targets"]:
            summary.adoption_targets += 1
            # Each agency's year from its own seed: a second run sends the same reports.
            rng = random.Random(f"{settings.seed}:{model['initiative_id']}:{target['agency_code']}")
            for quarter, content in _plan(rng):
                body = {
                    "initiative_id": model["initiative_id"],
                    "agency_code": target["agency_code"],
                    "quarter": quarter,
                    "received_on": _received_on(quarter, rng),
                    **content,
                }
                jobs.append(body)
    progress.start("Báo cáo triển khai nhân rộng theo quý", len(jobs))

    async def one(body: dict[str, Any]) -> None:
        response = await api.call(
            "POST", "replication", "/api/v1/adoption-reports", json=body, ok=(200, 201)
        )
        if response.status_code == 201:
            summary.adoption_reports += 1
        progress.advance()

    await _gather(settings.concurrency, (partial(one, b) for b in jobs))
    progress.finish()

    async def reporting_caught_up() -> bool:
        log = await api.get("reporting", "/api/v1/admin/log")
        return int(log["by_type"].get("vn.hcmc.cchc.adoption.reported.v1", 0)) >= len(jobs)

    await _until(
        "reporting to receive every adoption report", reporting_caught_up, settings.wait_timeout
    )
    if settings.out is not None:
        await _download(api, settings.out, decision, summary.files)


async def _download(api: Api, out: Path, decision: dict[str, Any], files: list[str]) -> None:
    """The decision record and the yearly report (DOCX, PDF), the XLSX export and each model's
    map."""
    record = f"/api/v1/follow-up/decisions/{decision['decision_id']}/record"
    downloads = [
        (f"/api/v1/follow-up/reports/{FOLLOW_UP_YEAR}.{fmt}", f"nhan-rong-{FOLLOW_UP_YEAR}.{fmt}")
        for fmt in ("docx", "pdf")
    ] + [(f"{record}.{fmt}", f"quyet-dinh-cong-nhan.{fmt}") for fmt in ("docx", "pdf")]
    downloads.append(("/api/v1/follow-up/export.xlsx", "theo-doi-nhan-rong.xlsx"))
    models = await api.get("reporting", "/api/v1/follow-up/models")
    for i, model in enumerate(models[: len(decision["models"])], start=1):
        downloads.append(
            (
                f"/api/v1/follow-up/models/{model['initiative_id']}/map.svg",
                f"ban-do-mo-hinh-{i}.svg",
            )
        )
    for path, name in downloads:
        response = await api.call("GET", "reporting", path)
        target = out / name
        await asyncio.to_thread(_write, target, response.content)
        files.append(str(target))
