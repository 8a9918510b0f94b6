"""The campaign's survey plan (campaign.settings_changed.v1) through the real broker into the
reporting service (SQLite and PostgreSQL): a redelivered event and an older state arriving
late change nothing, and the documents served cite the plan the campaign names."""

from __future__ import annotations

import io
import unicodedata
from datetime import date

import httpx
import pytest
from pypdf import PdfReader

from ..campaign import DISTINCT_EVENTS, campaign_messages, uid
from ..conftest import SECRETARIAT, publish, wait_logged
from ..unit.test_campaign_plan import CITATION, settings_message

pytestmark = pytest.mark.integration

API = "/api/v1/campaigns/2023"


def pdf_text(content: bytes) -> str:
    text = "\n".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(content)).pages)
    return unicodedata.normalize("NFC", " ".join(text.split()))


async def test_the_documents_cite_the_newest_plan_the_campaign_names(
    client: httpx.AsyncClient, amqp_url: str
) -> None:
    named = settings_message(2, plan_number="2077/KH-SNV", plan_signed_on=date(2023, 5, 26))
    late = settings_message(1)
    await publish(amqp_url, [named, *campaign_messages(), named, late])
    await wait_logged(client, DISTINCT_EVENTS + 2)  # the redelivery is not logged twice
    paths = [
        f"{API}/documents/survey-report.pdf",
        f"{API}/documents/proposal.pdf",
        f"{API}/rounds/{uid('round-1')}/documents/survey-report.pdf",
    ]
    for path in paths:
        answer = await client.get(path, headers=SECRETARIAT)
        assert answer.status_code == 200, (path, answer.text)
        assert CITATION in pdf_text(answer.content), path
