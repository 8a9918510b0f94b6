"""The lineage across years (pure): initiatives naming the earlier one they build on, each
year's outcome, the People's Committee's recognition and the adopter's report."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from cchc_reporting.domain.facts import (
    AdoptionFact,
    FactSet,
    FollowUpFacts,
    InitiativeFact,
    RecognitionFact,
    facts_from_event,
)
from cchc_reporting.domain.lineage import ancestors, lineage
from cchc_reporting.domain.read_models import InitiativeLife
from cchc_reporting.domain.views import build_campaign_view
from cchc_shared.contracts.events import (
    AdoptionReportedV1,
    EventData,
    InitiativeAmendedV1,
    InitiativeSubmittedV1,
    ReplicationDecidedV1,
    SelectionDecidedV1,
)
from cchc_shared.contracts.visibility import evaluation_visibility

from .test_views import campaign_facts

MODEL_2023, ADOPTION_2024, IMPROVED_2025 = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
DECISION = uuid.uuid4()


def submitted(
    initiative_id: uuid.UUID, year: int, agency: str, title: str, builds_on: Any = None
) -> InitiativeSubmittedV1:
    return InitiativeSubmittedV1.model_validate(
        {
            "initiative_id": str(initiative_id),
            "campaign_year": year,
            "agency_code": agency,
            "kind": "model",
            "title": title,
            "summary": "Tóm tắt.",
            "par_area": "procedures",
            "applied_since": f"{year - 1}-03-01",
            "results": "Giảm thời gian.",
            "limitations": "",
            "submitted_at": f"{year}-04-03T02:00:00Z",
            "builds_on": builds_on,
        }
    )


def events() -> list[EventData]:
    return [
        submitted(MODEL_2023, 2023, "760", "Mô hình “Một cửa số” Quận 1"),
        SelectionDecidedV1.model_validate(
            {
                "initiative_id": str(MODEL_2023),
                "campaign_year": 2023,
                "agency_code": "760",
                "title": "Mô hình “Một cửa số” Quận 1",
                "kind": "model",
                "par_area": "procedures",
                "decision": "replicate",
                "scope": "district_level",
                "final_score": 88.5,
                "evaluation_count": 3,
                "rationale": "Hiệu quả.",
                "decided_at": "2023-10-20T02:00:00Z",
            }
        ),
        ReplicationDecidedV1.model_validate(
            {
                "decision_id": str(DECISION),
                "decision_number": "4821/QĐ-UBND",
                "signed_on": "2023-12-20",
                "signer_name": "Phan Văn Mãi",
                "signer_title": "CHỦ TỊCH",
                "campaign_year": 2023,
                "models": [
                    {
                        "initiative_id": str(MODEL_2023),
                        "campaign_year": 2023,
                        "agency_code": "760",
                        "title": "Mô hình “Một cửa số” Quận 1",
                        "kind": "model",
                        "par_area": "procedures",
                        "scope": "district_level",
                        "targets": ["761", "764"],
                        "deadline": "2024-09-30",
                    }
                ],
                "recorded_at": "2023-12-22T03:00:00Z",
            }
        ),
        AdoptionReportedV1.model_validate(
            {
                "report_id": str(uuid.uuid4()),
                "decision_id": str(DECISION),
                "initiative_id": str(MODEL_2023),
                "agency_code": "761",
                "quarter": "2024-Q1",
                "revision": 1,
                "status": "adopted",
                "started_on": "2024-02-01",
                "reported_at": "2024-04-05T03:00:00Z",
            }
        ),
        submitted(
            ADOPTION_2024,
            2024,
            "761",
            "Mô hình “Một cửa số” Quận 3",
            {"initiative_id": str(MODEL_2023), "relation": "adoption"},
        ),
        submitted(
            IMPROVED_2025,
            2025,
            "761",
            "Mô hình “Một cửa số” Quận 3, bản hoàn thiện",
            {"initiative_id": str(ADOPTION_2024), "relation": "resubmission"},
        ),
    ]


def project(found: list[EventData]) -> FactSet:
    facts = FactSet()
    for data in found:
        facts.apply_all(facts_from_event(str(uuid.uuid4()), None, data))
    return facts


def initiatives(facts: FactSet) -> dict[uuid.UUID, InitiativeFact]:
    return {f.initiative_id: f for f in facts.of_kind(InitiativeFact)}  # type: ignore[misc]


def lives(facts: FactSet) -> dict[uuid.UUID, InitiativeLife]:
    found: dict[uuid.UUID, InitiativeLife] = {}
    for year in (2023, 2024, 2025):
        found.update(build_campaign_view(campaign_facts(facts, year)).lives)
    return found


def follow_up(facts: FactSet) -> FollowUpFacts:
    return FollowUpFacts(
        recognitions=list(facts.of_kind(RecognitionFact)),  # type: ignore[arg-type]
        adoptions=list(facts.of_kind(AdoptionFact)),  # type: ignore[arg-type]
    )


def test_the_reference_is_a_fact_and_an_amendment_can_change_it() -> None:
    facts = project(events())
    by_id = initiatives(facts)
    assert by_id[ADOPTION_2024].builds_on_id == MODEL_2023
    assert by_id[ADOPTION_2024].builds_on_relation == "adoption"
    assert by_id[MODEL_2023].builds_on_id is None
    amended = InitiativeAmendedV1.model_validate(
        {
            **submitted(ADOPTION_2024, 2024, "761", "Mô hình “Một cửa số” Quận 3").model_dump(
                mode="json"
            ),
            "amended_at": "2024-04-10T02:00:00Z",
            "builds_on": {"initiative_id": str(MODEL_2023), "relation": "improvement"},
        }
    )
    facts.apply_all(facts_from_event("amended", None, amended))
    assert initiatives(facts)[ADOPTION_2024].builds_on_relation == "improvement"


def test_the_chain_is_followed_back_and_forward_with_each_years_outcome() -> None:
    facts = project(events())
    by_id = initiatives(facts)
    current = by_id[ADOPTION_2024]
    earlier = ancestors(current, by_id.get)
    assert [f.initiative_id for f in earlier] == [MODEL_2023]
    found = lineage(
        current,
        earlier,
        [by_id[IMPROVED_2025]],
        lives=lives(facts),
        seen=lambda life: evaluation_visibility(
            "secretariat", initiative_agency=life.agency.code, decided=True, agency_code=None
        ),
        follow_up=follow_up(facts),
        as_of=date(2024, 6, 30),
    )
    model, this, later = found.entries
    assert (model.place, this.place, later.place) == ("earlier", "this", "later")
    assert model.campaign_year == 2023 and model.decision == "replicate"
    assert model.score == 88.5
    assert model.recognition is not None
    assert model.recognition.decision_number == "4821/QĐ-UBND"
    assert (model.recognition.targets, model.recognition.adopted) == (2, 1)
    assert this.relation == "adoption" and this.builds_on_id == MODEL_2023
    assert this.adoption_status == "adopted"  # Quận 3's report on the 2023 model
    assert later.relation == "resubmission" and later.adoption_status is None
    assert found.earlier == (model,) and found.later == (later,)


def test_another_agency_sees_the_public_recognition_not_the_score() -> None:
    facts = project(events())
    by_id = initiatives(facts)
    found = lineage(
        by_id[ADOPTION_2024],
        ancestors(by_id[ADOPTION_2024], by_id.get),
        [],
        lives=lives(facts),
        seen=lambda life: evaluation_visibility(
            "agency_submitter",
            initiative_agency=life.agency.code,
            decided=life.decision is not None,
            agency_code="761",
        ),
        follow_up=follow_up(facts),
        as_of=date(2024, 6, 30),
    )
    model = found.entries[0]
    assert model.score is None and model.decision is None
    assert model.recognition is not None  # the Committee's decision is public


def test_a_broken_or_cyclic_chain_stops() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    facts = project(
        [
            submitted(a, 2023, "760", "A", {"initiative_id": str(b), "relation": "improvement"}),
            submitted(b, 2022, "760", "B", {"initiative_id": str(a), "relation": "improvement"}),
        ]
    )
    by_id = initiatives(facts)
    assert [f.initiative_id for f in ancestors(by_id[a], by_id.get)] == [b]
    missing = project(
        [submitted(a, 2023, "760", "A", {"initiative_id": str(b), "relation": "improvement"})]
    )
    assert ancestors(initiatives(missing)[a], initiatives(missing).get) == []
