"""The documents the Department sends to the City People's Committee, built from the views:

* Báo cáo kết quả khảo sát — for the campaign and for one round (``…/BC-SNV``);
* Tờ trình đề xuất công nhận và nhân rộng — to the Chairman (``…/TTr-SNV``);
* Phụ lục — the PAR-Index contribution table.

Each document's content is its own module; ``cchc_shared.documents`` lays them out (Nghị
định 30/2020/NĐ-CP) as DOCX and PDF. ``DocumentBuilder`` is the service layer's
``DocumentWriter``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date

from cchc_reporting.adapters.documents import (
    decision_record,
    follow_up_report,
    par_annex,
    proposal,
    survey_report,
)
from cchc_reporting.adapters.documents.common import Grounds, Signer, render
from cchc_reporting.domain.documents import Issue
from cchc_reporting.domain.facts import RecognitionFact
from cchc_reporting.domain.follow_up import ModelFollowUp, OverdueItem
from cchc_reporting.domain.read_models import CampaignView, RoundResult
from cchc_shared.documents import AdministrativeDocument


class DocumentBuilder:
    def __init__(self, signer: Signer | None = None, grounds: Grounds | None = None) -> None:
        self.signer = signer or Signer()
        self.grounds = grounds or Grounds()

    def campaign_report(
        self, view: CampaignView, number: str | None = None, issued_on: date | None = None
    ) -> AdministrativeDocument:
        return survey_report.campaign_report(self.signer, view, number, issued_on, self.grounds)

    def round_report(
        self,
        view: CampaignView,
        result: RoundResult,
        number: str | None = None,
        issued_on: date | None = None,
    ) -> AdministrativeDocument:
        return survey_report.round_report(
            self.signer, view, result, number, issued_on, self.grounds
        )

    def proposal(
        self, view: CampaignView, number: str | None = None, issued_on: date | None = None
    ) -> AdministrativeDocument:
        return proposal.proposal(self.signer, view, number, issued_on, self.grounds)

    def par_index_annex(
        self, view: CampaignView, number: str | None = None, issued_on: date | None = None
    ) -> AdministrativeDocument:
        return par_annex.par_index_annex(self.signer, view, number, issued_on)

    def campaign_document_model(
        self, view: CampaignView, kind: str, number: str | None, issued_on: date | None
    ) -> AdministrativeDocument:
        if kind == "survey-report":
            return self.campaign_report(view, number, issued_on)
        if kind == "proposal":
            return self.proposal(view, number, issued_on)
        if kind == "par-index-annex":
            return self.par_index_annex(view, number, issued_on)
        raise ValueError(f"unknown document {kind!r}")

    async def campaign_document(
        self, view: CampaignView, kind: str, fmt: str, issue: Issue
    ) -> bytes:
        document = self.campaign_document_model(view, kind, issue.number, issue.issued_on)
        return await _rendered(document, fmt)

    async def round_report_bytes(
        self, view: CampaignView, result: RoundResult, fmt: str, issue: Issue
    ) -> bytes:
        document = self.round_report(view, result, issue.number, issue.issued_on)
        return await _rendered(document, fmt)

    def follow_up_report(
        self,
        year: int,
        follow_ups: Sequence[ModelFollowUp],
        overdue: Sequence[OverdueItem],
        as_of: date,
        issue: Issue,
    ) -> AdministrativeDocument:
        return follow_up_report.follow_up_report(
            self.signer, year, follow_ups, overdue, as_of, issue.number, issue.issued_on
        )

    async def follow_up_document(
        self,
        year: int,
        follow_ups: Sequence[ModelFollowUp],
        overdue: Sequence[OverdueItem],
        as_of: date,
        fmt: str,
        issue: Issue,
    ) -> bytes:
        document = self.follow_up_report(year, follow_ups, overdue, as_of, issue)
        return await _rendered(document, fmt)

    async def decision_record_document(
        self, models: Sequence[RecognitionFact], fmt: str, issue: Issue
    ) -> bytes:
        document = decision_record.decision_record(
            self.signer, models, issue.number, issue.issued_on
        )
        return await _rendered(document, fmt)


async def _rendered(document: AdministrativeDocument, fmt: str) -> bytes:
    # CPU-bound: a thread keeps the event loop responsive.
    return await asyncio.to_thread(render, document, fmt)
