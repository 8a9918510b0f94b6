"""The rules of a Quyết định and of an adoption report (pure: no I/O)."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime

import pytest

from cchc_replication.domain.model import (
    AttachedEvidence,
    Candidate,
    EvidenceFile,
    Indicators,
    RecognisedModel,
    ReportContent,
    TargetSelection,
)
from cchc_replication.domain.rules import (
    decision_number_faults,
    evidence_faults,
    model_faults,
    report_faults,
    resolve_targets,
    target_faults,
)
from cchc_shared.contracts.quarters import Quarter
from cchc_shared.reference import districts, wards_of

QUAN_1 = "760"
BEN_NGHE = "26740"


def _model(targets: tuple[str, ...]) -> RecognisedModel:
    return RecognisedModel(
        initiative_id=uuid.uuid4(),
        decision_id=uuid.uuid4(),
        campaign_year=2023,
        agency_code=BEN_NGHE,
        title="Mô hình “Phường không hẹn lần hai”",
        kind="model",
        par_area="procedures",
        scope="commune_level",
        targets=targets,
        deadline=date(2024, 12, 31),
    )


def test_quarters_have_their_dates_and_order() -> None:
    q = Quarter.parse("2024-Q4")
    assert q is not None
    assert (q.starts_on, q.ends_on, q.due_on(15)) == (
        date(2024, 10, 1),
        date(2024, 12, 31),
        date(2025, 1, 15),
    )
    assert Quarter.of(date(2024, 2, 29)) == Quarter(2024, 1) < q
    assert Quarter.parse("2024-Q5") is None
    assert str(Quarter(2024, 4).next()) == "2025-Q1"


def test_the_wards_of_a_district_leave_out_the_models_own_agency() -> None:
    targets, faults = resolve_targets(
        "models[0].targets", TargetSelection(wards_of=(QUAN_1,)), "commune_level", BEN_NGHE
    )
    assert faults == []
    assert targets == tuple(w.code for w in wards_of(QUAN_1) if w.code != BEN_NGHE)


def test_all_districts_and_named_agencies_resolve_once_each() -> None:
    targets, faults = resolve_targets(
        "t", TargetSelection(all_districts=True, agency_codes=(QUAN_1, "SNV")), "city_wide", "STP"
    )
    assert faults == []
    assert targets == (*(d.code for d in districts()), "SNV")


@pytest.mark.parametrize(
    ("selection", "scope", "field", "words"),
    [
        (TargetSelection(wards_of=("26740",)), "commune_level", "t.wards_of[0]", "quận"),
        (TargetSelection(agency_codes=("99999",)), "city_wide", "t.agency_codes[0]", "99999"),
        (TargetSelection(wards_of=(QUAN_1,)), "district_level", "t", "cấp huyện"),
        (TargetSelection(agency_codes=(BEN_NGHE,)), "commune_level", "t", "Chưa có đơn vị"),
    ],
)
def test_wrong_targets_are_refused_with_the_field(
    selection: TargetSelection, scope: str, field: str, words: str
) -> None:
    _, faults = resolve_targets("t", selection, scope, BEN_NGHE)
    assert [f.field for f in faults] == [field]
    assert words in faults[0].message_vi


def test_only_a_recommended_initiative_with_a_later_deadline_is_recognised() -> None:
    initiative = uuid.uuid4()
    faults = model_faults(
        "models[0]", initiative, None, None, date(2023, 12, 1), date(2023, 12, 20)
    )
    assert [f.field for f in faults] == ["models[0].initiative_id", "models[0].deadline"]
    candidate = Candidate(
        initiative,
        2023,
        BEN_NGHE,
        "x",
        "model",
        "procedures",
        "commune_level",
        90.0,
        datetime(2023, 11, 1, tzinfo=UTC),
    )
    assert (
        model_faults("m", initiative, candidate, None, date(2024, 6, 30), date(2023, 12, 20)) == []
    )
    assert decision_number_faults("4821/QĐ-UBND") == []
    assert [f.field for f in decision_number_faults("QĐ 4821")] == ["decision_number"]


def _faults(content: ReportContent, agency: str = "26743", quarter: str = "2024-Q2") -> list[str]:
    model = _model(("26743", "26746"))
    _, faults = report_faults(
        model=model,
        agency_code=agency,
        quarter_text=quarter,
        content=content,
        decided_on=date(2023, 12, 20),
        today=date(2024, 7, 10),
    )
    return [f.field for f in faults]


def test_a_plain_report_passes() -> None:
    content = ReportContent(
        "adopted",
        started_on=date(2024, 4, 2),
        indicators=Indicators(date(2024, 4, 1), date(2024, 6, 30), 5, 2.5, 96.5, 300),
    )
    assert _faults(content) == []


@pytest.mark.parametrize(
    ("content", "agency", "quarter", "fields"),
    [
        (ReportContent("not_started"), "SNV", "2024-Q2", ["agency_code"]),
        (ReportContent("not_started"), "26743", "2023-Q3", ["quarter"]),
        (ReportContent("not_started"), "26743", "2024-Q4", ["quarter"]),
        (ReportContent("not_suitable"), "26743", "2024-Q2", ["reason"]),
        (ReportContent("adopted"), "26743", "2024-Q2", ["started_on"]),
        (
            ReportContent("in_progress", started_on=date(2024, 8, 1)),
            "26743",
            "2024-Q2",
            ["started_on"],
        ),
        (
            ReportContent(
                "in_progress",
                started_on=date(2024, 4, 1),
                indicators=Indicators(date(2024, 6, 30), date(2024, 4, 1)),
            ),
            "26743",
            "2024-Q2",
            ["indicators.measured_to"],
        ),
        (
            ReportContent(
                "adopted",
                started_on=date(2024, 4, 1),
                indicators=Indicators(satisfaction_percent=101),
            ),
            "26743",
            "2024-Q2",
            ["indicators.satisfaction_percent"],
        ),
        (
            ReportContent(
                "adopted", started_on=date(2024, 4, 1), indicators=Indicators(cases_handled=10**12)
            ),
            "26743",
            "2024-Q2",
            ["indicators.cases_handled"],
        ),
        (
            ReportContent("not_started", indicators=Indicators(cases_handled=3)),
            "26743",
            "2024-Q2",
            ["indicators"],
        ),
    ],
)
def test_a_wrong_report_names_its_field(
    content: ReportContent, agency: str, quarter: str, fields: list[str]
) -> None:
    assert _faults(content, agency, quarter) == fields


def test_a_report_attaches_only_the_agencys_own_evidence_for_the_model() -> None:
    model = _model((QUAN_1,))
    own, others = uuid.uuid4(), uuid.uuid4()

    def file(evidence_id: uuid.UUID, agency: str) -> EvidenceFile:
        return EvidenceFile(
            evidence_id,
            model.initiative_id,
            agency,
            "bien-ban.pdf",
            "application/pdf",
            10,
            "0" * 64,
            "00/" + "0" * 64,
            datetime(2024, 4, 1, tzinfo=UTC),
            "agency_submitter:760",
        )

    found = {own: file(own, QUAN_1), others: file(others, "770")}
    assert evidence_faults([own], found, model.initiative_id, QUAN_1) == []
    faults = evidence_faults([own, others, own, uuid.uuid4()], found, model.initiative_id, QUAN_1)
    assert [f.field for f in faults] == ["evidence_ids[1]", "evidence_ids[2]", "evidence_ids[3]"]
    assert faults[1].message_vi == "Tệp minh chứng được đính kèm hai lần"
    assert [f.field for f in target_faults(model, "770")] == ["agency_code"]
    attached = AttachedEvidence.of(found[own])
    assert AttachedEvidence.from_dict(attached.as_dict()) == attached
    with_file = ReportContent(status="adopted", evidence=(attached,))
    assert with_file != ReportContent(status="adopted")  # other files: an amendment
