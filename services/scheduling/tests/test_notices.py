"""The notices as a clerk reads them (the PDF's own text): who signs, who is addressed, what
they cite, how units and times are written."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import UTC, date, datetime, time

from pypdf import PdfReader

from cchc_scheduling.adapters.holiday_calendar import vietnam_calendar
from cchc_scheduling.adapters.notices import (
    NoticeData,
    NoticeSettings,
    agency_notice,
    invitation,
    render,
)
from cchc_shared.persistence.campaign_settings import CampaignSettings

from .factories import initiative, member, round_of, visit

SETTINGS = NoticeSettings(
    plan_number="1582/KH-SNV",
    plan_signed_on=date(2023, 5, 10),
    head_assignment="Quyết định số 1650/QĐ-SNV ngày 19 tháng 5 năm 2023 của Giám đốc Sở Nội vụ",
)


def _text(document: object) -> str:
    pdf = render(document, "pdf")  # type: ignore[arg-type]
    return " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())


def _data(head_name: str) -> NoticeData:
    ward = initiative(agency="26740", title="Số hóa hồ sơ tại phường Bến Nghé, Quận 1")
    members = {
        "head": member("head", "SNV", head=True, name=head_name),
        "other-deputy": member("other-deputy", "SNV", head=True, name="Trần Quốc Hưng"),
        "stp": member("stp", "STP", name="Đặng Văn Lộc"),
        "clerk": member("clerk", "SNV", secretary=True, name="Phạm Minh Đức"),
    }
    round_ = round_of(
        [("head", "head"), ("stp", "member"), ("clerk", "secretary")],
        [visit(ward, date(2023, 6, 5), time(8, 0))],
    )
    round_.confirm(1, members, datetime(2023, 5, 22, 2, tzinfo=UTC))
    return NoticeData(
        round_, members, {ward.initiative_id: ward}, vietnam_calendar((2023,)), SETTINGS
    )


def test_nobody_signs_their_own_invitation_and_other_agencies_send_their_member() -> None:
    data = _data("Ngô Thị Hoàng Các")
    own = _text(invitation(data, "head"))
    assert "Kính gửi: Ông Ngô Thị Hoàng Các" in own
    assert own.endswith("Trần Quốc Hưng")  # another Deputy Director signs
    other = _text(invitation(data, "stp"))
    assert "Kính gửi: Sở Tư pháp." in other
    assert "kính mời Sở Tư pháp cử Ông Đặng Văn Lộc" in other
    assert other.endswith("Ngô Thị Hoàng Các")
    assert "ngày 22 tháng 5 năm 2023" in other  # issued on confirmation, before the round
    assert "Căn cứ Kế hoạch số 1582/KH-SNV ngày 10 tháng 5 năm 2023 của Sở Nội vụ" in other
    assert "phân công" not in other  # the plan names this head
    assert "08 giờ 00" in other and "05/06/2023" in other


def test_a_head_the_plan_does_not_name_is_backed_by_the_assignment() -> None:
    text = _text(agency_notice(_data("Lê Thị Mỹ Hạnh"), "26740"))
    assert "Căn cứ Quyết định số 1650/QĐ-SNV ngày 19 tháng 5 năm 2023" in text
    assert "Kính gửi: Ủy ban nhân dân phường Bến Nghé, Quận 1." in text
    assert "tại phường Bến Nghé, Quận 1" in text
    assert "Ủy ban nhân dân Quận 1 (để phối hợp)" in text


def test_the_notices_cite_the_plan_the_campaign_names_before_the_service_setting() -> None:
    data = _data("Ngô Thị Hoàng Các")
    campaign = CampaignSettings(2023, 2, "2077/KH-SNV", date(2023, 5, 26))
    named = replace(data, campaign=campaign)
    for document in (invitation(named, "stp"), agency_notice(named, "26740")):
        text = _text(document)
        assert "Căn cứ Kế hoạch số 2077/KH-SNV ngày 26 tháng 5 năm 2023 của Sở Nội vụ" in text
        assert "1582/KH-SNV" not in text
    unnamed = replace(data, campaign=CampaignSettings(2023, 1))
    assert "Kế hoạch số 1582/KH-SNV ngày 10 tháng 5 năm 2023" in _text(
        agency_notice(unnamed, "26740")
    )
