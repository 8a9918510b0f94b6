"""The agency's drafts, amendments, withdrawal, discarding and attachments against the fake
intake: what each form sends to the API, and what the page shows after."""

from __future__ import annotations

import json
import re

from ..conftest import Portal


async def _saved_draft(portal: Portal, title: str = "Bản nháp mô hình một cửa") -> str:
    await portal.sign_in()
    form = await portal.client.get("/agency/initiatives/new")
    response = await portal.client.post(
        "/agency/initiatives",
        data={"csrf_token": portal.csrf(form.text), "title": title, "draft": "true"},
    )
    assert response.status_code == 303, response.text
    found = re.search(
        r"/agency/initiatives/([0-9a-f-]{36})\?done=saved$", response.headers["location"]
    )
    assert found
    return found.group(1)


async def test_a_draft_is_saved_with_its_title_only_and_listed_among_the_drafts(
    portal: Portal,
) -> None:
    draft = await _saved_draft(portal)
    sent = portal.intake.requests[-1]
    assert sent.method == "POST" and b'"draft":true' in sent.content.replace(b" ", b"")
    page = await portal.client.get(f"/agency/initiatives/{draft}?done=saved")
    assert "Đã lưu bản nháp" in page.text and "Bản nháp" in page.text
    assert "Tệp đính kèm (báo cáo, hình ảnh) được tải lên sau khi gửi đề xuất" in page.text
    drafts = await portal.client.get("/agency", params={"status": "draft"})
    assert "Bản nháp mô hình một cửa" in drafts.text


async def test_submitting_an_incomplete_draft_names_each_missing_field(portal: Portal) -> None:
    draft = await _saved_draft(portal)
    page = await portal.client.get(f"/agency/initiatives/{draft}")
    refused = await portal.client.post(
        f"/agency/initiatives/{draft}/submit", data={"csrf_token": portal.csrf(page.text)}
    )
    assert refused.status_code == 422
    for name in ("summary", "results", "par_area", "applied_since", "kind"):
        assert f'id="{name}-error"' in refused.text, name
    assert 'value="Bản nháp mô hình một cửa"' in refused.text
    assert 'id="title-error"' not in refused.text


async def test_a_draft_completed_in_the_form_is_submitted(portal: Portal) -> None:
    from .test_pages import FORM

    draft = await _saved_draft(portal, FORM["title"])
    page = await portal.client.get(f"/agency/initiatives/{draft}/edit")
    assert "Sửa bản nháp" in page.text
    response = await portal.client.post(
        f"/agency/initiatives/{draft}", data={"csrf_token": portal.csrf(page.text), **FORM}
    )
    assert response.headers["location"].endswith("?done=created")
    patch, submit = portal.intake.requests[-2:]
    assert patch.method == "PATCH" and b"title" not in patch.content  # unchanged: not sent
    assert submit.url.path.endswith(f"/{draft}/submit")
    assert portal.intake.initiatives[draft]["status"] == "submitted"


async def test_an_amendment_a_withdrawal_and_an_attachment(portal: Portal) -> None:
    from .test_pages import FORM

    draft = await _saved_draft(portal, FORM["title"])
    portal.intake.initiatives[draft].update(FORM, status="submitted")
    edit = await portal.client.get(f"/agency/initiatives/{draft}/edit")
    assert "Chỉnh sửa đề xuất" in edit.text and "Lưu nháp" not in edit.text
    csrf = portal.csrf(edit.text)
    amended = await portal.client.post(
        f"/agency/initiatives/{draft}", data={"csrf_token": csrf, **FORM, "results": "Giảm 55%."}
    )
    assert amended.headers["location"].endswith("?done=changed")
    assert json.loads(portal.intake.requests[-1].content) == {"results": "Giảm 55%."}

    uploaded = await portal.client.post(
        f"/agency/initiatives/{draft}/attachments",
        data={"csrf_token": csrf},
        files={"file": ("bao-cao.pdf", b"%PDF-1.4 report", "application/pdf")},
    )
    assert uploaded.headers["location"].endswith("?done=uploaded")
    assert b"%PDF-1.4 report" in portal.intake.requests[-1].content
    nothing = await portal.client.post(
        f"/agency/initiatives/{draft}/attachments", data={"csrf_token": csrf}
    )
    assert nothing.status_code == 422 and "Chưa chọn tệp để tải lên" in nothing.text

    confirm = await portal.client.get(f"/agency/initiatives/{draft}/withdraw")
    assert "Xác nhận rút đề xuất" in confirm.text
    assert (await portal.client.get(f"/agency/initiatives/{draft}/discard")).status_code == 303
    withdrawn = await portal.client.post(
        f"/agency/initiatives/{draft}/withdraw",
        data={"csrf_token": csrf, "reason": "Hoàn thiện thêm."},
    )
    assert withdrawn.headers["location"].endswith("?done=withdrawn")
    page = await portal.client.get(f"/agency/initiatives/{draft}")
    assert "Đã rút đề xuất" in page.text and "Hoàn thiện thêm." in page.text


async def test_a_draft_is_discarded_and_another_agencys_is_refused(portal: Portal) -> None:
    draft = await _saved_draft(portal)
    await portal.sign_in(agency="769")
    for path in ("", "/edit", "/discard", "/withdraw"):
        response = await portal.client.get(f"/agency/initiatives/{draft}{path}")
        assert response.status_code == 404, path
    await portal.sign_in(agency="760")
    page = await portal.client.get(f"/agency/initiatives/{draft}/discard")
    assert "Xác nhận xoá bản nháp" in page.text
    csrf = portal.csrf(page.text)
    discarded = await portal.client.post(
        f"/agency/initiatives/{draft}/discard", data={"csrf_token": csrf}
    )
    assert discarded.headers["location"] == "/agency?status=draft"
    assert draft not in portal.intake.initiatives
