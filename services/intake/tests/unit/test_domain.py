"""The domain model alone: content rules, campaign windows, the initiative's life."""

from __future__ import annotations

import unicodedata
import uuid
from datetime import UTC, date, datetime

import pytest

from cchc_intake.domain.model import (
    Campaign,
    Content,
    Initiative,
    Status,
    local_date,
    title_key,
)
from cchc_shared.contracts import InitiativeAmendedV1, InitiativeSubmittedV1, InitiativeWithdrawnV1
from cchc_shared.errors import Conflict, InvalidInput
from cchc_shared.files import clean_filename

TODAY = date(2023, 5, 10)
NOW = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)


def content(**overrides: object) -> Content:
    fields: dict[str, object] = {
        "kind": "model",
        "title": "Mô hình “Phường Bến Nghé không hẹn lần hai”",
        "summary": "Trả kết quả trong ngày.",
        "par_area": "procedures",
        "applied_since": date(2022, 3, 1),
        "results": "98% hồ sơ đúng hạn.",
        "limitations": "",
    }
    fields.update(overrides)
    return Content.parse(**fields, today=TODAY)  # type: ignore[arg-type]


def campaign(**overrides: object) -> Campaign:
    fields: dict[str, object] = {
        "year": 2023,
        "title": Campaign.default_title(2023),
        "submission_opens_on": date(2023, 1, 1),
        "submission_closes_on": date(2023, 5, 31),
        "survey_starts_on": date(2023, 6, 1),
        "survey_ends_on": date(2023, 10, 31),
    }
    fields.update(overrides)
    return Campaign(**fields)  # type: ignore[arg-type]


def test_content_is_nfc_and_stripped() -> None:
    parsed = content(title=unicodedata.normalize("NFD", "  Sáng kiến Đổi mới  "))
    assert parsed.title == "Sáng kiến Đổi mới"
    assert unicodedata.is_normalized("NFC", parsed.title)
    assert parsed.title_key == "sang kien doi moi"


def test_content_is_stored_as_it_looks() -> None:
    parsed = content(title="Sáng\u200b kiến\u202e năm ２０２３", summary="Trả\u00ad kết quả.")
    assert parsed.title == "Sáng kiến năm 2023"
    assert parsed.summary == "Trả kết quả."


@pytest.mark.parametrize(
    "lookalike",
    [
        "Sáng kiến đổi mới năm ２０２３",  # fullwidth digits
        "Sáng\u200b kiến đổi\u2060 mới năm 2023",  # zero-width characters
        "S\u0430ng kiến đổi mới n\u0103m 2023",  # Cyrillic а (with its accent)
        "SÁNG KIẾN ĐỔI MỚI NĂM 2023".replace("K", "\u041a"),  # Cyrillic К
        "Sáng kiến đổi mới năm 2023".replace("o", "\u03bf"),  # Greek ο
    ],
)
def test_title_key_reads_a_title_as_it_looks(lookalike: str) -> None:
    key = content(title="Sáng kiến đổi mới năm 2023").title_key
    assert title_key(lookalike) == key == "sang kien doi moi nam 2023"


def test_title_key_keeps_vietnamese_and_numbers_apart_as_before() -> None:
    keys = {title_key(t) for t in ("Đổi mới 1", "Đổi mới 2", "Đôi môi 1 thử", "Đổi mới l")}
    assert len(keys) == 4
    assert title_key("Đổi mới") == title_key("doi moi")  # diacritics and case, as before


def test_content_names_every_fault() -> None:
    with pytest.raises(InvalidInput) as refused:
        content(
            kind="project",
            title="a\nb",
            summary="",
            par_area="sports",
            applied_since=date(2023, 5, 11),
            results="x" * 20_001,
            limitations="\x00",
        )
    faults = {f.field: f for f in refused.value.faults}
    assert set(faults) == {
        "kind",
        "title",
        "summary",
        "par_area",
        "applied_since",
        "results",
        "limitations",
    }
    assert "U+000A" in faults["title"].message_vi and "xuống dòng" in faults["title"].message_vi
    assert faults["limitations"].message_en == "contains a forbidden control character (U+0000)"
    assert "20000" in faults["results"].message_en
    assert "10/05/2023" in faults["applied_since"].message_vi


def test_today_is_the_date_in_ho_chi_minh_city() -> None:
    assert local_date(datetime(2023, 5, 31, 17, 30, tzinfo=UTC)) == date(2023, 6, 1)


def test_campaign_windows() -> None:
    c = campaign()
    assert c.accepts_submissions_on(date(2023, 5, 31))
    assert not c.accepts_submissions_on(date(2023, 6, 1))
    refusal = c.refuse_submission(date(2023, 6, 1))
    assert refusal is not None
    [fault] = refusal.faults
    assert fault.field == "campaign_year"
    assert "01/01/2023" in fault.message_vi and "31/05/2023" in fault.message_vi
    with pytest.raises(InvalidInput) as bad:
        campaign(submission_closes_on=date(2022, 12, 1), survey_ends_on=date(2023, 5, 1))
    assert {f.field for f in bad.value.faults} == {"submission_closes_on", "survey_ends_on"}
    moved = c.change(survey_starts_on=date(2023, 7, 1))
    assert moved.survey_starts_on == date(2023, 7, 1) and moved.year == 2023
    with pytest.raises(InvalidInput):
        c.change(submission_opens_on=date(2023, 6, 15))


def submitted() -> Initiative:
    return Initiative.submit(
        initiative_id=uuid.uuid4(),
        campaign=campaign(),
        agency_code="26740",
        content=content(),
        submitted_at=NOW,
        submitted_by="agency_submitter:26740",
    )


def test_submission_records_the_event() -> None:
    initiative = submitted()
    [event] = initiative.events
    assert isinstance(event, InitiativeSubmittedV1)
    assert event.initiative_id == initiative.id
    assert event.title == initiative.content.title
    with pytest.raises(InvalidInput):
        Initiative.submit(
            initiative_id=uuid.uuid4(),
            campaign=campaign(),
            agency_code="26740",
            content=content(),
            submitted_at=datetime(2023, 6, 2, tzinfo=UTC),
            submitted_by="x",
        )


def test_amend_and_withdraw() -> None:
    initiative = submitted()
    initiative.events.clear()
    assert not initiative.amend(initiative.content, campaign(), NOW)
    changed = initiative.content.changed(TODAY, results="Tốt hơn")
    assert initiative.amend(changed, campaign(), NOW)
    assert initiative.version == 2
    [amended] = initiative.events
    assert isinstance(amended, InitiativeAmendedV1) and amended.results == "Tốt hơn"

    after_close = datetime(2023, 6, 1, 3, tzinfo=UTC)
    with pytest.raises(Conflict) as closed:
        initiative.amend(initiative.content.changed(TODAY, results="Muộn"), campaign(), after_close)
    assert closed.value.faults[0].field == "campaign_year"

    initiative.withdraw("  Rút để hoàn thiện ", after_close)
    assert initiative.status is Status.WITHDRAWN
    assert initiative.withdrawal_reason == "Rút để hoàn thiện"
    assert isinstance(initiative.events[-1], InitiativeWithdrawnV1)
    with pytest.raises(Conflict):
        initiative.withdraw("", after_close)


@pytest.mark.parametrize(
    ("name", "media_type", "expected"),
    [
        ("Báo cáo.pdf", "application/pdf", "Báo cáo.pdf"),
        ("../../etc/passwd", "application/pdf", "passwd.pdf"),
        ("C:\\Users\\a\\anh.JPEG", "image/jpeg", "anh.jpg"),
        ("anh.png", "image/jpeg", "anh.png.jpg"),
        ("", "image/png", "tep-dinh-kem.png"),
        (
            "bad\x00name.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "badname.docx",
        ),
        ("Báo cáo\u202efdp.jpg", "image/jpeg", "Báo cáofdp.jpg"),  # shown as "gpj.pdf"
        ("\u200bBáo\u200d cáo\ufeff.pdf", "application/pdf", "Báo cáo.pdf"),
        ("Báo cáo ２０２３.pdf", "application/pdf", "Báo cáo 2023.pdf"),
        ("thư mục／anh.png", "image/png", "anh.png"),
    ],
)
def test_clean_filename(name: str, media_type: str, expected: str) -> None:
    assert clean_filename(name, media_type) == expected
