"""What the documents share: the signer, the letter around a body, the way figures and
texts are written, and the rendering to DOCX or PDF (laid out by ``cchc_shared.documents``)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from cchc_reporting.domain.labels import RECOMMENDATION_VI
from cchc_reporting.domain.read_models import CampaignView, EvaluationSummary
from cchc_shared.contracts.text import fold
from cchc_shared.contracts.vocabulary import RECOMMENDATIONS
from cchc_shared.documents import (
    AdministrativeDocument,
    Block,
    Bullets,
    Heading,
    PageBreak,
    Paragraph,
    SurveyPlan,
    format_number,
    render_docx,
    render_pdf,
)
from cchc_shared.documents.model import date_line

BLANK_NUMBER: Final = "\u00a0" * 6  # the clerk (văn thư) writes the number when issuing
RANKING_ROWS: Final = 50  # longer lists go to the XLSX export, not into a letter
TEXT_ITEMS: Final = 12


@dataclass(frozen=True)
class Signer:
    authority: str = "KT. GIÁM ĐỐC"
    title: str = "PHÓ GIÁM ĐỐC"
    name: str = "Ngô Thị Hoàng Các"


@dataclass(frozen=True)
class Grounds:
    """What the documents cite and apply: the survey plan (its number and date once issued)
    and the score from which an initiative is proposed for recognition."""

    plan_number: str = ""
    plan_signed_on: date | None = None
    recommendation_threshold: float = 70.0

    def plan(self, view: CampaignView) -> SurveyPlan:
        """The plan as the campaign names it; these settings only for a campaign that names
        none."""
        named = view.settings
        if named is not None and named.plan_number:
            return SurveyPlan(view.year, named.plan_number, named.plan_signed_on)
        return SurveyPlan(view.year, self.plan_number, self.plan_signed_on)


def doc_number(number: str | None, symbol: str) -> str:
    return f"{number or BLANK_NUMBER}/{symbol}"


def reference(kind: str, number: str | None, symbol: str, issued_on: date | None, year: int) -> str:
    """How an annex or a decision names its document: "Báo cáo số …/BC-SNV ngày … tháng …
    năm 2023 của Sở Nội vụ" (blanks for the clerk until it is issued)."""
    return f"{kind} số {doc_number(number, symbol)} {date_line('', issued_on, year)} của Sở Nội vụ"


def annex_heading(mark: str, title: str, annex_to: str) -> list[Block]:
    """An annex inside its document (ND30): "PHỤ LỤC I", its title, "(Kèm theo …)"."""
    return [
        PageBreak(),
        Paragraph(f"PHỤ LỤC {mark}".strip(), bold=True, align="center"),
        Paragraph(title.upper(), bold=True, align="center"),
        Paragraph(f"(Kèm theo {annex_to})", italic=True, align="center"),
    ]


def dmy(day: date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "…"


def score_cell(value: float | None) -> float | str:
    return value if value is not None else "—"


def count_phrase(count: int, noun: str = "mô hình, giải pháp, sáng kiến") -> str:
    return f"{format_number(count)} {noun}"


def top_texts(texts: Iterable[str], limit: int = TEXT_ITEMS) -> list[str]:
    """The most frequent distinct texts (compared without case or diacritics), most frequent
    first; ties keep their first appearance."""
    counts: Counter[str] = Counter()
    first: dict[str, str] = {}
    for text in texts:
        key = fold(text)
        if not key:
            continue
        counts[key] += 1
        first.setdefault(key, text.strip().rstrip(".;"))
    order = {key: i for i, key in enumerate(first)}
    ranked = sorted(counts, key=lambda k: (-counts[k], order[k]))
    return [first[k] for k in ranked[:limit]]


def recommendation_phrase(summary: EvaluationSummary) -> str:
    parts = [
        f"{summary.tally[r]} phiếu {RECOMMENDATION_VI[r].lower()}"
        for r in RECOMMENDATIONS
        if summary.tally[r]
    ]
    return "; ".join(parts) if parts else "chưa có phiếu đánh giá"


def findings(
    strengths_heading: str,
    limitations_heading: str,
    difficulties_heading: str,
    strengths: Iterable[str],
    limitations: Iterable[str],
    difficulties: Iterable[str],
) -> list[Block]:
    blocks: list[Block] = []
    for heading, texts in (
        (strengths_heading, strengths),
        (limitations_heading, limitations),
        (difficulties_heading, difficulties),
    ):
        blocks.append(Heading(heading, level=2))
        top = top_texts(texts)
        blocks.append(Bullets(top) if top else Paragraph("Chưa có ý kiến của Đoàn khảo sát."))
    return blocks


def decimal(value: float | None) -> str:
    """A score or a figure in running text: two decimals, Vietnamese style ("67,94")."""
    return "—" if value is None else format_number(float(value))


def tally_summary(tally: dict[str, int]) -> EvaluationSummary:
    return EvaluationSummary(
        count=sum(tally.values()),
        mean=None,
        minimum=None,
        maximum=None,
        tally=tally,
    )


def letter(
    signer: Signer,
    *,
    kind: str,
    title: str,
    number: str,
    issued_on: date | None,
    body: Sequence[Block],
    recipients: Sequence[str],
    copies_to: Sequence[str],
    year: int,
    attachments: Sequence[AdministrativeDocument] = (),
) -> AdministrativeDocument:
    return AdministrativeDocument(
        kind=kind,
        title=title,
        number=number,
        issued_on=issued_on,
        body=body,
        recipients=recipients,
        copies_to=copies_to,
        signer_authority=signer.authority,
        signer_title=signer.title,
        signer_name=signer.name,
        # Unissued: the signer fills in the day, in the campaign's year.
        year=issued_on.year if issued_on else year,
        attachments=attachments,
    )


def render(document: AdministrativeDocument, fmt: str) -> bytes:
    if fmt == "pdf":
        return render_pdf(document)
    if fmt == "docx":
        return render_docx(document)
    raise ValueError(f"unknown format {fmt!r}")
