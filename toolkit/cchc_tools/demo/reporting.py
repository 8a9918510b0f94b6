"""Reporting phase: wait for reporting's dashboard, download the documents."""

from __future__ import annotations

import asyncio
from functools import partial
from pathlib import Path
from typing import Any

from cchc_tools.demo.client import Api, _gather, _until
from cchc_tools.demo.progress import Progress
from cchc_tools.demo.settings import YEAR, DemoError, DemoSummary


async def wait_for_reporting(
    api: Api, expected: dict[str, int], progress: Progress, timeout: float
) -> dict[str, Any]:
    progress.start("Chờ phân hệ báo cáo cập nhật", 1)
    state: dict[str, Any] = {}

    async def caught_up() -> bool:
        response = await api.call(
            "GET", "reporting", f"/api/v1/campaigns/{YEAR}/dashboard", ok=(200, 404)
        )
        if response.status_code != 200:
            return False
        state["dashboard"] = dashboard = response.json()
        return all(dashboard.get(k) == v for k, v in expected.items())

    try:
        await _until("reporting's dashboard to agree", caught_up, timeout, interval=1.0)
    except DemoError as exc:
        got = {k: state.get("dashboard", {}).get(k) for k in expected}
        raise DemoError(f"{exc}: expected {expected}, reporting shows {got}") from exc
    progress.finish()
    dashboard: dict[str, Any] = state["dashboard"]
    return dashboard


async def download(
    api: Api, out: Path, rounds: list[dict[str, Any]], summary: DemoSummary, progress: Progress
) -> None:
    targets: list[tuple[str, str, Path]] = []
    for kind in ("survey-report", "proposal", "par-index-annex"):
        for fmt in ("docx", "pdf"):
            targets.append(
                (
                    "reporting",
                    f"/api/v1/campaigns/{YEAR}/documents/{kind}.{fmt}",
                    out / f"{YEAR}-{kind}.{fmt}",
                )
            )
    notices = out / "notices"
    for round_ in sorted(rounds, key=lambda r: r["sequence"] or 0):
        n = round_["sequence"]
        rid = round_["round_id"]
        targets.append(
            (
                "reporting",
                f"/api/v1/campaigns/{YEAR}/rounds/{rid}/documents/survey-report.pdf",
                out / "rounds" / f"{YEAR}-dot-{n:02d}-survey-report.pdf",
            )
        )
        head = next((s for s in round_["team"] if s["role"] == "head"), round_["team"][0])
        agency = round_["visits"][0]["agency_code"]
        # Every member's invitation as PDF; the head's also as DOCX.
        for seat in round_["team"]:
            for fmt in ("docx", "pdf") if seat is head else ("pdf",):
                targets.append(
                    (
                        "scheduling",
                        f"/api/v1/rounds/{rid}/notices/members/{seat['member_id']}.{fmt}",
                        notices / f"dot-{n:02d}-giay-moi-{seat['member_id']}.{fmt}",
                    )
                )
        for fmt in ("docx", "pdf"):
            targets.append(
                (
                    "scheduling",
                    f"/api/v1/rounds/{rid}/notices/agencies/{agency}.{fmt}",
                    notices / f"dot-{n:02d}-thong-bao-{agency}.{fmt}",
                )
            )
    progress.start("Tải văn bản", len(targets))

    async def fetch(service: str, path: str, target: Path) -> None:
        response = await api.call("GET", service, path, timeout=180)
        await asyncio.to_thread(_write, target, response.content)
        summary.files.append(str(target))
        progress.advance()

    await _gather(2, (partial(fetch, *t) for t in targets))
    progress.finish()


def _write(target: Path, content: bytes) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content)
