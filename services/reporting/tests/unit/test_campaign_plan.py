"""The survey plan the campaign names (campaign.settings_changed.v1) is what every report,
round report and Tờ trình cites, read from the PDF's own text; the highest version wins
whatever the order of arrival; the service setting serves only a campaign that names none."""

from __future__ import annotations

import io
from datetime import date

from pypdf import PdfReader

from cchc_reporting.adapters.documents import DocumentBuilder, Grounds, render
from cchc_reporting.domain.facts import CampaignSettingsFact, FactSet, Version, facts_from_event
from cchc_reporting.domain.read_models import CampaignView
from cchc_shared.contracts import EncodedMessage, encode_event
from cchc_testkit.fakes import campaign_settings_changed

from ..campaign import at, campaign_messages, uid
from .test_views import view_of

CITATION = "Kế hoạch số 2077/KH-SNV ngày 26 tháng 5 năm 2023 của Sở Nội vụ"


def settings_message(version: int, **changes: object) -> EncodedMessage:
    return encode_event(
        campaign_settings_changed(version, **changes),
        source="/cchc/intake",
        event_id=str(uid(f"campaign-settings-{version}")),
        occurred_at=at(5, 1),
    )


def pdf_texts(view: CampaignView, builder: DocumentBuilder) -> dict[str, str]:
    round_2 = next(r for r in view.rounds if r.round_id == uid("round-2"))
    documents = {
        "report": builder.campaign_report(view, "125", date(2023, 11, 15)),
        "proposal": builder.proposal(view),
        "round": builder.round_report(view, round_2),
    }
    return {
        name: " ".join(
            "\n".join(
                p.extract_text() for p in PdfReader(io.BytesIO(render(d, "pdf"))).pages
            ).split()
        )
        for name, d in documents.items()
    }


def test_every_document_cites_the_plan_the_campaign_names() -> None:
    named = settings_message(2, plan_number="2077/KH-SNV", plan_signed_on=date(2023, 5, 26))
    opening = settings_message(1)
    # The newer state first, then a redelivery and the older one arriving late.
    view = view_of([named, *campaign_messages(), named, opening])
    assert view.settings is not None and view.settings.plan_number == "2077/KH-SNV"
    fallback = Grounds(plan_number="1582/KH-SNV", plan_signed_on=date(2023, 5, 10))
    for name, text in pdf_texts(view, DocumentBuilder(grounds=fallback)).items():
        assert CITATION in text, name
        assert "1582/KH-SNV" not in text, name


def test_a_campaign_that_names_no_plan_cites_the_service_setting() -> None:
    view = view_of([settings_message(1), *campaign_messages()])
    fallback = Grounds(plan_number="1582/KH-SNV", plan_signed_on=date(2023, 5, 10))
    for name, text in pdf_texts(view, DocumentBuilder(grounds=fallback)).items():
        assert "Kế hoạch số 1582/KH-SNV ngày 10 tháng 5 năm 2023 của Sở Nội vụ" in text, name


def test_the_highest_version_of_the_settings_wins_in_any_order() -> None:
    states = [
        campaign_settings_changed(n, plan_number=f"{n}/KH-SNV", plan_signed_on=date(2023, 5, n))
        for n in (1, 2, 3)
    ]
    for order in ((0, 1, 2), (2, 0, 1), (1, 2, 0)):
        facts = FactSet()
        for i in order:
            facts.apply_all(facts_from_event(f"e{i}", None, states[i]))
        [kept] = list(facts.of_kind(CampaignSettingsFact))
        assert kept == CampaignSettingsFact(
            2023, "3/KH-SNV", date(2023, 5, 3), False, Version.numbered(3, "e2")
        )
