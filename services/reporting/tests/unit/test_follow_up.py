"""The follow-up of replication from the replication service's events (pure: facts, views,
the yearly report read back from its PDF's text)."""

from __future__ import annotations

import asyncio
import io
import unicodedata
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pypdf

from cchc_reporting.adapters.district_map import district_map_svg
from cchc_reporting.adapters.documents import DocumentBuilder, render
from cchc_reporting.domain.documents import Issue
from cchc_reporting.domain.facts import (
    AdoptionFact,
    FactSet,
    FollowUpFacts,
    RecognitionFact,
    facts_from_event,
)
from cchc_reporting.domain.follow_up import follow_up_of, overdue
from cchc_shared.contracts.events import AdoptionReportedV1, ReplicationDecidedV1
from cchc_shared.reference import districts, get_agency

MODEL = uuid.uuid4()
DECISION = uuid.uuid4()
TARGETS = [d.code for d in districts() if d.code != "760"]


def _decided() -> ReplicationDecidedV1:
    return ReplicationDecidedV1.model_validate(
        {
            "decision_id": str(DECISION),
            "decision_number": "4821/QĐ-UBND",
            "signed_on": "2023-12-20",
            "signer_name": "Phan Văn Mãi",
            "signer_title": "CHỦ TỊCH",
            "campaign_year": 2023,
            "models": [
                {
                    "initiative_id": str(MODEL),
                    "campaign_year": 2023,
                    "agency_code": "760",
                    "title": "Giải pháp “Một cửa số liên thông cấp huyện”",
                    "kind": "solution",
                    "par_area": "procedures",
                    "scope": "district_level",
                    "targets": TARGETS,
                    "deadline": "2024-09-30",
                }
            ],
            "recorded_at": "2023-12-22T03:00:00Z",
        }
    )


def _reported(agency: str, quarter: str, revision: int = 1, **content: Any) -> AdoptionReportedV1:
    return AdoptionReportedV1.model_validate(
        {
            "report_id": str(uuid.uuid4()),
            "decision_id": str(DECISION),
            "initiative_id": str(MODEL),
            "agency_code": agency,
            "quarter": quarter,
            "revision": revision,
            "reported_at": datetime(2024, 7, 1, tzinfo=UTC).isoformat(),
            **content,
        }
    )


def _facts(*events: Any) -> FollowUpFacts:
    facts = FactSet()
    for data in events:
        facts.apply_all(facts_from_event(str(uuid.uuid4()), None, data))
    return FollowUpFacts(
        recognitions=list(facts.of_kind(RecognitionFact)),  # type: ignore[arg-type]
        adoptions=list(facts.of_kind(AdoptionFact)),  # type: ignore[arg-type]
    )


ADOPTED = {"status": "adopted", "started_on": "2024-02-01"}


def _events() -> list[Any]:
    return [
        _decided(),
        _reported(TARGETS[0], "2024-Q1", status="in_progress", started_on="2024-02-01"),
        _reported(TARGETS[0], "2024-Q2", **ADOPTED, indicators={"cases_handled": 300}),
        _reported(TARGETS[1], "2024-Q2", **ADOPTED, indicators={"satisfaction_percent": 90}),
        # An amendment arrives before the report it amends: the higher revision still wins.
        _reported(TARGETS[2], "2024-Q1", 2, status="not_suitable", reason="Đã có mô hình riêng."),
        _reported(TARGETS[2], "2024-Q1", 1, status="not_started"),
        _reported(TARGETS[3], "2024-Q1", status="in_progress", started_on="2024-03-01", late=True),
    ]


def test_targets_against_adopters_timeline_and_districts() -> None:
    facts = _facts(*_events())
    [model] = facts.recognitions
    view = follow_up_of(model, facts, date(2024, 12, 31))
    assert (len(view.targets), view.adopted) == (21, 2)
    assert view.adoption_percent == round(100 * 2 / 21, 1)
    assert (view.count("not_suitable"), view.count("in_progress"), view.count("no_report")) == (
        1,
        1,
        17,
    )
    assert [p.quarter for p in view.timeline] == ["2023-Q4", *(f"2024-Q{n}" for n in range(1, 5))]
    assert [p.adopted for p in view.timeline] == [0, 0, 2, 2, 2]
    assert view.timeline[1].late == 1
    assert sum(d.targets for d in view.districts) == 21 and len(view.districts) == 22
    assert view.results.cases_handled == 300 and view.results.satisfaction_percent == 90
    assert "<title>" in district_map_svg(model.title, view.districts)


def test_overdue_names_who_is_past_the_deadline() -> None:
    facts = _facts(*_events())
    late = overdue(facts, date(2024, 10, 20))
    past = {i.agency_code for i in late if i.reason == "past_deadline"}
    assert past == set(TARGETS) - {TARGETS[0], TARGETS[1], TARGETS[2]}
    before = overdue(facts, date(2024, 7, 20))
    # Before the deadline: who did not report on the last quarter due (Q2, due 15 July).
    assert {i.agency_code for i in before} == set(TARGETS) - {TARGETS[0], TARGETS[1], TARGETS[2]}
    assert {i.quarter for i in before} == {"2024-Q2"}


def _text(pdf: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    return " ".join(
        unicodedata.normalize("NFC", " ".join(p.extract_text() or "" for p in reader.pages)).split()
    )


def test_the_yearly_reports_pdf_text_has_the_counts_and_the_agencies() -> None:
    facts = _facts(*_events())
    as_of = date(2024, 12, 31)
    views = [follow_up_of(m, facts, as_of) for m in facts.recognitions]
    document = DocumentBuilder().follow_up_report(
        2024, views, overdue(facts, as_of), as_of, Issue("12", date(2025, 1, 10))
    )
    text = _text(render(document, "pdf"))
    assert "Có 2/21 cơ quan, đơn vị đã áp dụng" in text
    for code in TARGETS[:2]:
        agency = get_agency(code)
        assert agency is not None and agency.name in text
    unsuitable = get_agency(TARGETS[2])
    assert unsuitable is not None
    assert f"{unsuitable.name} báo cáo không phù hợp: Đã có mô hình riêng." in text
    assert "12/BC-SNV" in text


def test_the_decision_record_names_the_targets_as_a_clerk_would() -> None:
    from cchc_reporting.adapters.documents.decision_record import targets_phrase
    from cchc_shared.reference import wards_of

    assert targets_phrase(TARGETS) == (
        "Ủy ban nhân dân thành phố Thủ Đức và các quận, huyện (trừ Quận 1)"
    )
    wards = [w.code for w in wards_of("760") if w.code != "26740"]
    assert targets_phrase([*wards, "SNV"]) == (
        "Ủy ban nhân dân các phường, xã, thị trấn thuộc Quận 1; Sở Nội vụ"
    )
    facts = _facts(_decided())
    document = DocumentBuilder().decision_record_document
    content = asyncio.run(document(list(facts.recognitions), "pdf", Issue()))
    text = _text(content)
    assert "Kèm theo Quyết định số 4821/QĐ-UBND ngày 20/12/2023" in text
    assert "(21 đơn vị)" in text and "30/09/2024" in text
