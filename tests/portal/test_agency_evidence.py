"""Evidence attachments of an adoption report in the browser, over the real services: the
Committee recognised Quận 1's model for every district; Quận 3's staff send their quarterly
report with files (multipart, no script). A file of a refused type comes back beside the
field, with everything typed and the accepted file kept ticked; sent again, the report
attaches it; the next visit lists it with a download link. ``check_page`` at 390 × 844."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from cchc_shared.auth import AuthSettings, issue_token
from cchc_shared.contracts import ReplicationRecommendedV1
from cchc_testkit.bus import publish_as_services
from cchc_testkit.decisions import recognise_for_all_districts

from .conftest import SECRET, Stack, check_page

pytestmark = [pytest.mark.integration, pytest.mark.timeout(300)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n" + b"Bien ban. " * 100
QUAN3 = "770"


async def recognised_model(stack: Stack) -> uuid.UUID:
    """Evaluation's recommendation of a model of Quận 1, and the Committee's decision."""
    model = ReplicationRecommendedV1(
        initiative_id=uuid.uuid4(),
        agency_code="760",
        title="Mô hình “Một cửa số” Quận 1",
        kind="model",
        par_area="procedures",
        final_score=90,
        evaluation_count=4,
        scope="district_level",
        rationale="Hiệu quả, dễ áp dụng.",
        decided_at=datetime(2023, 11, 20, 3, 0, tzinfo=UTC),
        campaign_year=2023,
    )
    await publish_as_services(stack.processes.amqp_url, model, publisher="evaluation")
    staff = {"Authorization": "Bearer " + issue_token(AuthSettings(secret=SECRET), "secretariat")}
    async with httpx.AsyncClient(timeout=30) as client:
        decided = await recognise_for_all_districts(
            client, stack.url("replication") + "/api/v1", staff, model.initiative_id
        )
        assert decided.status_code == 201, decided.text
    return model.initiative_id


# The model comes in on the bus and is decided on with a development token.
@pytest.mark.parametrize("stack", ["development"], indirect=True)
async def test_an_agency_attaches_evidence_to_its_report(page: Any, stack: Stack) -> None:
    model = await recognised_model(stack)
    await page.goto("/sign-in")
    await page.get_by_label("Vai trò").select_option("agency_submitter")
    await page.get_by_label("Mã cơ quan, đơn vị (cán bộ cơ quan)").fill(QUAN3)
    await page.get_by_role("button", name="Đăng nhập").click()
    await page.wait_for_url(re.compile(r"/agency$"))
    form_url = f"/agency/nhan-rong/{model}/bao-cao"
    await page.goto(form_url)
    await check_page(page, "evidence-01-form")
    await page.locator("[name=quarter]").fill("2024-Q1")
    await page.get_by_label("Tình hình triển khai").select_option("adopted")
    await page.locator("[name=started_on]").fill("2024-02-01")
    adaptation = "Bố trí tổ một cửa số tại bộ phận tiếp nhận của Quận 3."
    await page.locator("[name=adaptation]").fill(adaptation)
    await page.locator("[name='indicators.satisfaction_percent']").fill("96")
    await page.locator("#evidence").set_input_files(
        [
            {"name": "Biên bản kiểm tra.pdf", "mimeType": "application/pdf", "buffer": PDF},
            {
                "name": "bao-cao.pdf",
                "mimeType": "application/pdf",
                "buffer": b"MZ\x90\x00" + b"\x00" * 64,
            },
        ]
    )
    await page.get_by_role("button", name="Gửi báo cáo").click()
    await page.wait_for_load_state("load")
    await check_page(page, "evidence-02-refused-file")

    # beside the field, with the file's name and the Vietnamese reason; the rest kept
    error = page.locator("#evidence-error")
    assert (await error.inner_text()).startswith("bao-cao.pdf: Chỉ nhận tệp PDF, DOCX")
    assert await page.locator(".field.has-error", has=page.locator("#evidence")).count() == 1
    assert await page.locator("[name=quarter]").input_value() == "2024-Q1"
    assert await page.locator("[name=adaptation]").input_value() == adaptation
    assert await page.locator("[name='indicators.satisfaction_percent']").input_value() == "96"
    assert await page.get_by_label("Tình hình triển khai").input_value() == "adopted"
    kept = page.get_by_label("Biên bản kiểm tra.pdf")
    assert await kept.is_checked()  # the accepted file is stored, and ticked

    await page.get_by_role("button", name="Gửi báo cáo").click()
    await page.wait_for_url(re.compile(r"/agency/nhan-rong\?sent=1$"))

    # the report attaches it: listed on the next visit, downloadable by the agency
    await page.goto(form_url)
    await check_page(page, "evidence-03-listed")
    link = page.get_by_role("link", name="Tải về")
    assert await link.count() == 1
    href = await link.get_attribute("href")
    assert href is not None
    got = await page.request.get(href)
    assert got.status == 200 and await got.body() == PDF
