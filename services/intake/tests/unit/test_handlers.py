"""The use cases, driven with in-memory fakes (no database, no broker)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest

from cchc_intake.domain.commands import (
    Actor,
    AmendInitiative,
    SubmitInitiative,
    WithdrawInitiative,
)
from cchc_intake.domain.errors import DuplicateTitle, NotAllowed
from cchc_intake.service_layer import queries
from cchc_intake.service_layer.handlers import attachments, inbound, reference_data, submissions
from cchc_shared.contracts import (
    CloudEvent,
    InboundInitiativeSubmittedV1,
    InitiativeAmendedV1,
    InitiativeRejectedV1,
    InitiativeSubmittedV1,
    InitiativeWithdrawnV1,
)
from cchc_shared.errors import InvalidInput, NotFound, PayloadTooLarge, UnsupportedMediaType
from cchc_shared.reference import load_agencies

from .fakes import FakeStorage, FakeUnitOfWork, inbound_data

NOW = datetime(2023, 5, 10, 3, 0, tzinfo=UTC)
WARD = Actor("agency_submitter:26740", "26740", name="Cán bộ Phường 1")
OTHER_WARD = Actor("agency_submitter:26743", "26743")
STAFF = Actor("secretariat")


@pytest.fixture
async def uow() -> FakeUnitOfWork:
    fake = FakeUnitOfWork()
    await reference_data.seed_reference_data(fake, load_agencies().values(), NOW.date())
    fake.published.clear()  # the seeded campaign's announcement (its own test below)
    fake.messages.clear()
    return fake


def submission(actor: Actor = WARD, **overrides: object) -> SubmitInitiative:
    fields: dict[str, object] = {
        "actor": actor,
        "agency_code": actor.agency_code or "SNV",
        "kind": "model",
        "title": "Mô hình một cửa thông minh",
        "summary": "Tiếp nhận hồ sơ trực tuyến.",
        "par_area": "procedures",
        "applied_since": date(2022, 1, 1),
        "results": "Giảm 30% thời gian.",
    }
    fields.update(overrides)
    return SubmitInitiative(**fields)  # type: ignore[arg-type]


async def test_seeding_is_idempotent_and_keeps_an_admins_changes(uow: FakeUnitOfWork) -> None:
    assert len(uow.agencies.by_code) == len(load_agencies())
    assert set(uow.campaigns.by_year) == {2023}
    plan = uow.campaigns.by_year[2023]
    assert (plan.survey_starts_on, plan.survey_ends_on) == (date(2023, 6, 1), date(2023, 10, 31))
    uow.campaigns.by_year[2023] = plan.change(submission_closes_on=date(2023, 12, 31))
    await reference_data.seed_reference_data(uow, load_agencies().values(), date(2024, 2, 1))
    assert set(uow.campaigns.by_year) == {2023, 2024}
    assert uow.campaigns.by_year[2023].submission_closes_on == date(2023, 12, 31)


async def test_submit_publishes_initiative_submitted(uow: FakeUnitOfWork) -> None:
    initiative = await submissions.submit_initiative(submission(), uow, NOW)
    [event] = uow.events(InitiativeSubmittedV1)
    assert event.initiative_id == initiative.id  # type: ignore[attr-defined]
    assert initiative.campaign_year == 2023
    assert initiative.submitted_by == "agency_submitter:26740"


async def test_submit_names_every_fault(uow: FakeUnitOfWork) -> None:
    with pytest.raises(InvalidInput) as refused:
        await submissions.submit_initiative(
            submission(STAFF, agency_code="99999", title="", campaign_year=2019), uow, NOW
        )
    assert {f.field for f in refused.value.faults} == {"agency_code", "title", "campaign_year"}
    assert uow.published == []


async def test_submitting_for_another_agency_is_not_allowed(uow: FakeUnitOfWork) -> None:
    with pytest.raises(NotAllowed):
        await submissions.submit_initiative(submission(WARD, agency_code="760"), uow, NOW)


async def test_duplicate_title_in_a_campaign_names_the_existing_id(uow: FakeUnitOfWork) -> None:
    first = await submissions.submit_initiative(submission(), uow, NOW)
    with pytest.raises(DuplicateTitle) as clash:
        await submissions.submit_initiative(
            submission(title="  MÔ HÌNH MỘT CỬA   THÔNG MINH"), uow, NOW
        )
    assert clash.value.existing_id == first.id
    assert len(uow.events(InitiativeSubmittedV1)) == 1


async def test_another_agency_cannot_see_amend_or_withdraw(uow: FakeUnitOfWork) -> None:
    initiative = await submissions.submit_initiative(submission(), uow, NOW)
    with pytest.raises(NotFound):
        await queries.read_initiative(OTHER_WARD, initiative.id, uow)
    with pytest.raises(NotFound):
        await submissions.amend_initiative(
            AmendInitiative(OTHER_WARD, initiative.id, {"title": "Của tôi"}), uow, NOW
        )
    with pytest.raises(NotFound):
        await submissions.withdraw_initiative(
            WithdrawInitiative(OTHER_WARD, initiative.id), uow, NOW
        )
    stored, _ = await queries.read_initiative(STAFF, initiative.id, uow)
    assert stored.version == 1 and not stored.is_withdrawn


async def test_amend_then_withdraw(uow: FakeUnitOfWork) -> None:
    initiative = await submissions.submit_initiative(submission(), uow, NOW)
    later = NOW + timedelta(days=1)
    amended = await submissions.amend_initiative(
        AmendInitiative(WARD, initiative.id, {"results": "Giảm 50% thời gian."}), uow, later
    )
    assert amended.version == 2
    await submissions.withdraw_initiative(
        WithdrawInitiative(WARD, initiative.id, "Trùng"), uow, later
    )
    assert len(uow.events(InitiativeAmendedV1)) == 1
    [withdrawn] = uow.events(InitiativeWithdrawnV1)
    assert withdrawn.reason == "Trùng"  # type: ignore[attr-defined]
    # who did each, by subject and display name, with the reason and the record after it
    history = await queries.initiative_history(WARD, initiative.id, uow)
    assert [(h["action"], h["actor"], h["actor_name"]) for h in history] == [
        ("submitted", "agency_submitter:26740", "Cán bộ Phường 1"),
        ("amended", "agency_submitter:26740", "Cán bộ Phường 1"),
        ("withdrawn", "agency_submitter:26740", "Cán bộ Phường 1"),
    ]
    assert history[2]["reason"] == "Trùng"
    assert history[1]["snapshot"]["content"]["results"] == "Giảm 50% thời gian."
    assert history[1]["snapshot"]["version"] == 2
    with pytest.raises(NotFound):  # another agency's trail is as absent as the initiative
        await queries.initiative_history(OTHER_WARD, initiative.id, uow)


async def _chunks(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_attachments_are_typed_by_content_and_capped(uow: FakeUnitOfWork) -> None:
    initiative = await submissions.submit_initiative(submission(), uow, NOW)
    storage = FakeStorage()

    async def attach(*parts: bytes, name: str = "bao-cao.pdf") -> object:
        return await attachments.add_attachment(
            actor=WARD,
            initiative_id=initiative.id,
            filename=name,
            chunks=_chunks(*parts),
            uow=uow,
            storage=storage,
            max_bytes=1000,
            now=NOW,
        )

    stored = await attach(b"%PDF-1.4\n", b"x" * 100)
    assert stored.media_type == "application/pdf"  # type: ignore[attr-defined]
    with pytest.raises(UnsupportedMediaType):
        await attach(b"MZ\x90\x00", name="setup.pdf")
    with pytest.raises(PayloadTooLarge):
        await attach(b"%PDF-1.4\n", b"x" * 1000)
    assert len(uow.initiatives.attachments) == 1


def inbound_event(**overrides: object) -> tuple[CloudEvent, InboundInitiativeSubmittedV1]:
    data = inbound_data(**overrides)
    event = CloudEvent(
        specversion="1.0",
        id=str(uuid.uuid4()),
        source="https://motcua.hochiminhcity.gov.vn",
        type=InboundInitiativeSubmittedV1.event_type(),
        data=data,
    )
    return event, InboundInitiativeSubmittedV1.model_validate(data)


async def test_inbound_is_taken_once_per_source_and_id(uow: FakeUnitOfWork) -> None:
    event, data = inbound_event()
    first = await inbound.accept_inbound(event, data, uow, NOW)
    assert first is not None and first.origin is not None
    assert (first.origin.source, first.origin.id) == (event.source, event.id)
    assert await inbound.accept_inbound(event, data, uow, NOW) is None
    assert len(uow.initiatives.stored) == 1
    assert len(uow.events(InitiativeSubmittedV1)) == 1


async def test_invalid_inbound_leaves_no_trace_so_a_fixed_replay_is_taken(
    uow: FakeUnitOfWork,
) -> None:
    event, data = inbound_event(submitted_at="2023-11-15T01:00:00Z")  # after the window closed
    with pytest.raises(InvalidInput) as refused:
        await inbound.accept_inbound(event, data, uow, datetime(2023, 11, 15, 2, tzinfo=UTC))
    assert [f.field for f in refused.value.faults] == ["campaign_year"]
    assert uow.inbox == set()  # rolled back with the refusal
    uow.campaigns.by_year[2023] = uow.campaigns.by_year[2023].change(
        submission_closes_on=date(2023, 11, 30)
    )
    taken = await inbound.accept_inbound(event, data, uow, datetime(2023, 11, 15, 2, tzinfo=UTC))
    assert taken is not None


async def test_each_refused_message_is_answered_once(uow: FakeUnitOfWork) -> None:
    refused = inbound.RejectedMessage("https://p.example", "m-1", [("$.data.title", "missing")])
    assert await inbound.reject_inbound(refused, uow)
    assert not await inbound.reject_inbound(refused, uow)
    [event] = uow.published
    assert isinstance(event, InitiativeRejectedV1)
    assert event.errors[0].field == "$.data.title"
    [message] = uow.messages
    assert message.event_id == str(
        uuid.uuid5(inbound.REJECTION_NAMESPACE, "https://p.example\nm-1")
    )


async def test_faults_beyond_the_schema_are_found_for_fields_the_schema_accepted(
    uow: FakeUnitOfWork,
) -> None:
    faults = await inbound.faults_beyond_schema(
        uow,
        {"agency_code": "99999", "applied_since": "2030-01-01", "title": 5},
        {"title"},
        NOW,
    )
    assert {f.field for f in faults} == {"agency_code", "applied_since"}
    assert (
        await inbound.faults_beyond_schema(uow, {"agency_code": "99999"}, {"agency_code"}, NOW)
        == []
    )
