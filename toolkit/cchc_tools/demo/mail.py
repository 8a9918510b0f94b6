"""Mail phase: what the notifications service sent for the campaign — how many messages
each role received, how many were refused, and for each round the time from its
confirmation to its last message. With ``--out``, the figures are saved as
``mail-summary.json`` (the messages themselves are the service's ``.eml`` files in the local
run, or in the mail catcher of the compose stack)."""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from cchc_tools.demo.client import Api, _until
from cchc_tools.demo.progress import Progress
from cchc_tools.demo.settings import YEAR

ROLE_VI = {
    "head": "trưởng đoàn",
    "member": "thành viên",
    "secretary": "thư ký",
    "agency": "đơn vị",
}


@dataclass
class MailReport:
    by_role: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    refused: int = 0
    # Per round: seconds from its confirmation to its last message.
    round_seconds: dict[int, float] = field(default_factory=dict)

    def lines(self) -> list[str]:
        roles = ", ".join(f"{ROLE_VI.get(r, r)} {n}" for r, n in sorted(self.by_role.items()))
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(self.by_category.items()))
        times = sorted(self.round_seconds.values())
        spread = f"{times[0]:.1f}–{times[-1]:.1f} s" if times else "–"
        return [
            f"  thư đã gửi theo vai trò (mail)    : {roles or '0'}",
            f"  theo loại (by kind)               : {kinds or '0'}",
            f"  bị từ chối (refused)              : {self.refused}",
            f"  xác nhận đợt → thư cuối (latency) : {spread} ({len(times)} đợt)",
        ]

    def as_json(self) -> dict[str, Any]:
        return {
            "by_role": self.by_role,
            "by_category": self.by_category,
            "refused": self.refused,
            "round_seconds": {str(k): v for k, v in sorted(self.round_seconds.items())},
        }


async def mail_report(
    api: Api, rounds: list[dict[str, Any]], progress: Progress, timeout: float, out: Path | None
) -> MailReport:
    """Waits until nothing is left to send, then counts what was sent."""
    found: list[dict[str, Any]] = []

    async def settled() -> bool:
        nonlocal found
        found = await api.get(
            "notifications",
            "/api/v1/notifications",
            params={"campaign_year": YEAR, "limit": 10000},
        )
        rounds_told = {n["round_id"] for n in found if n["round_id"]}
        waiting = [n for n in found if n["status"] in ("pending",)]
        return not waiting and rounds_told >= {r["round_id"] for r in rounds}

    progress.start("Chờ gửi thư thông báo", 1)
    await _until("the notifications to be sent", settled, timeout)
    progress.finish()
    # A member's role is the one of the round the message is about (head in one, member in
    # another).
    roles = {
        (round_["round_id"], seat["member_id"]): seat["role"]
        for round_ in rounds
        for seat in round_["team"]
    }
    report = MailReport()
    sent = [n for n in found if n["status"] == "sent"]
    report.by_role = dict(
        Counter(
            "agency"
            if n["recipient_kind"] == "agency"
            else roles.get((n["round_id"], n["recipient_id"]), "member")
            for n in sent
        )
    )
    report.by_category = dict(Counter(n["category"] for n in sent))
    report.refused = sum(1 for n in found if n["status"] == "failed")
    for round_ in rounds:
        # From the round's confirmation reaching the service (its first messages' creation)
        # to its last message sent, both on the outbox's system clock (a campaign clock may
        # date the confirmation itself in 2023).
        told = [n for n in sent if n["round_id"] == round_["round_id"] and n["sent_at"]]
        if told and round_.get("sequence"):
            started = min(datetime.fromisoformat(n["created_at"]) for n in told)
            last = max(datetime.fromisoformat(n["sent_at"]) for n in told)
            report.round_seconds[round_["sequence"]] = (last - started).total_seconds()
    if out is not None:
        await asyncio.to_thread(_save, out, report)
    return report


def _save(out: Path, report: MailReport) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "mail-summary.json").write_text(
        json.dumps(report.as_json(), ensure_ascii=False, indent=1), encoding="utf-8"
    )
