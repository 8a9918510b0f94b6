"""The service layer on a real SQLite database, with the local run's transport (``.eml``
files) or a scripted one: a confirmed round becomes one message per recipient, a
redelivered event adds nothing, a failure is retried with backoff and a 5xx is recorded,
a held round waits for its release, a recipient's choice is honoured, a reminder is due
once, and an unsubmitted draft's reminder is one message to its agency, sent once."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import AsyncIterator, Callable
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.ext.asyncio import AsyncEngine

from cchc_notifications.adapters.documents import DocumentUnavailable
from cchc_notifications.adapters.orm import kit_tables, metadata
from cchc_notifications.adapters.transports import MailDirectory, Refused, Unavailable
from cchc_notifications.domain.messages import Signature
from cchc_notifications.domain.model import Category, DeliveryMode, RecipientKind, Status
from cchc_notifications.service_layer import queries
from cchc_notifications.service_layer.handlers import choices, delivery, events, reminders
from cchc_notifications.service_layer.services import MailPolicy, Services
from cchc_notifications.service_layer.unit_of_work import SqlNotificationsUnitOfWork
from cchc_shared.contracts import CloudEvent, EventData, encode_event
from cchc_shared.contracts.events import (
    DraftReminderDueV1,
    EvaluationRecordedV1,
    InitiativeSubmittedV1,
    SelectionDecidedV1,
    TeamMember,
)
from cchc_shared.errors import InvalidInput
from cchc_shared.persistence import create_engine
from cchc_testkit.fakes import campaign_settings_changed

from .test_mail import I1, I2, a_round

POLICY = MailPolicy(
    signature=Signature("Phòng CCHC, Sở Nội vụ", "86 Lê Thánh Tôn", "cchc.snv@tphcm.gov.vn"),
    mail_from="Phòng CCHC - Sở Nội vụ <cchc.snv@tphcm.gov.vn>",
    organizer=("Phòng CCHC - Sở Nội vụ", "cchc.snv@tphcm.gov.vn"),
    domain="cchc.hochiminhcity.gov.vn",
    retry_base=10.0,
    retry_max=60.0,
    max_attempts=3,
)


class Documents:
    def __init__(self) -> None:
        self.down = False
        self.fetched: list[str] = []

    async def fetch(self, path: str) -> bytes:
        if self.down:
            raise DocumentUnavailable("scheduling: ConnectError")
        self.fetched.append(path)
        return b"%PDF-1.7 " + path.encode()


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2023, 6, 1, 2, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


class Scripted:
    """A transport that fails as told for some addresses, and keeps what it was handed."""

    def __init__(self) -> None:
        self.sent: list[EmailMessage] = []
        self.refuse: set[str] = set()
        self.unavailable = False

    async def send(self, message: EmailMessage, name: str) -> None:
        if self.unavailable:
            raise Unavailable("ConnectionRefusedError")
        to = message["To"].addresses[0].addr_spec
        if to in self.refuse:
            raise Refused(f"{to}: 550 5.1.1 User unknown")
        self.sent.append(message)


@pytest.fixture
async def engine(tmp_path: Path) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'notifications.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


MakeServices = Callable[..., Services]


@pytest.fixture
def make(engine: AsyncEngine) -> MakeServices:
    def build(transport: object, clock: Clock | None = None) -> Services:
        clock = clock or Clock()
        return Services(
            uow=lambda: SqlNotificationsUnitOfWork(
                engine, kit_tables, source="/cchc/notifications"
            ),
            policy=POLICY,
            transport=transport,  # type: ignore[arg-type]
            documents=Documents(),
            clock=clock,
            business_clock=clock,
        )

    return build


def cloud(data: EventData, source: str = "/cchc/scheduling") -> CloudEvent:
    encoded = encode_event(data, source=source)
    return CloudEvent.model_validate_json(encoded.body)


async def test_the_local_run_writes_one_eml_per_message_and_a_redelivery_adds_nothing(
    make: MakeServices, tmp_path: Path
) -> None:
    services = make(MailDirectory(tmp_path / "mail"))
    await known_agencies(services)
    round_ = a_round()
    event = cloud(round_)
    await events.round_state(services, event, round_)
    await events.round_state(services, event, round_)  # the broker delivers it again
    assert await delivery.deliver_due(services) == 3  # two agencies, one member with an address
    assert await delivery.deliver_due(services) == 0
    files = sorted((tmp_path / "mail").glob("*.eml"))
    assert len(files) == 3
    found = await queries.list_notifications(services)
    assert {n.status for n in found} == {Status.SENT, Status.FAILED}  # one member has no address
    assert {f.stem for f in files} == {
        str(n.notification_id) for n in found if n.status is Status.SENT
    }
    message = message_from_bytes(files[0].read_bytes(), policy=policy.default)
    assert message["Message-ID"] == f"<{files[0].stem}@cchc.hochiminhcity.gov.vn>"


async def test_an_unavailable_server_is_retried_with_backoff_and_a_refusal_recorded(
    make: MakeServices,
) -> None:
    clock = Clock()
    transport = Scripted()
    services = make(transport, clock)
    await known_agencies(services)
    round_ = a_round()
    await events.round_state(services, cloud(round_), round_)
    transport.unavailable = True
    assert await delivery.deliver_due(services) == 3
    pending = await queries.list_notifications(services, status=Status.PENDING)
    assert len(pending) == 3 and {n.attempts for n in pending} == {1}
    assert all(n.next_attempt_at == clock.now + timedelta(seconds=10) for n in pending)
    assert "ConnectionRefusedError" in pending[0].last_error
    assert await delivery.deliver_due(services) == 0  # not due yet
    transport.unavailable = False
    transport.refuse = {"ubnd.pbennghe.q1@tphcm.gov.vn"}
    clock.now += timedelta(seconds=11)
    assert await delivery.deliver_due(services) == 3
    assert len(transport.sent) == 2
    failed = await queries.list_notifications(services, status=Status.FAILED)
    refused = [n for n in failed if n.recipient.id == "26740"]
    assert refused and "550 5.1.1" in refused[0].last_error
    # Sent again to a corrected address, it goes.
    await choices.send_again(
        services, refused[0].notification_id, "vanphong.pbennghe@tphcm.gov.vn", "staff"
    )
    assert await delivery.deliver_due(services) == 1
    assert transport.sent[-1]["To"].addresses[0].addr_spec == "vanphong.pbennghe@tphcm.gov.vn"


async def test_scheduling_unavailable_postpones_the_message_until_its_attempts_run_out(
    make: MakeServices,
) -> None:
    clock = Clock()
    transport = Scripted()
    services = make(transport, clock)
    documents = services.documents
    assert isinstance(documents, Documents)
    documents.down = True
    await known_agencies(services)
    round_ = a_round()
    await events.round_state(services, cloud(round_), round_)
    for _ in range(POLICY.max_attempts):
        await delivery.deliver_due(services)
        clock.now += timedelta(seconds=POLICY.retry_max + 1)
    failed = await queries.list_notifications(services, status=Status.FAILED)
    assert len([n for n in failed if n.attempts == POLICY.max_attempts]) == 3
    assert transport.sent == []


async def test_a_held_round_waits_for_its_release(make: MakeServices) -> None:
    transport = Scripted()
    services = make(transport)
    await choices.set_review(services, 2023, True, "secretariat")
    await known_agencies(services)
    round_ = a_round()
    await events.round_state(services, cloud(round_), round_)
    assert await delivery.deliver_due(services) == 0
    held = await queries.list_notifications(services, status=Status.HELD)
    assert len(held) == 3
    # Changed before its release: only the new state's messages are released.
    changed = a_round(version=3, second_visit=False)
    await events.round_state(services, cloud(changed), changed)
    assert await choices.release_round(services, round_.round_id, "secretariat") == 3
    assert await delivery.deliver_due(services) == 3 and len(transport.sent) == 3
    subjects = sorted(m["Subject"] for m in transport.sent)
    assert all(s.startswith("[Điều chỉnh]") or s.startswith("Điều chỉnh lịch") for s in subjects)


async def test_a_decision_honours_the_agencys_choice_and_an_invitation_cannot_be_turned_off(
    make: MakeServices,
) -> None:
    transport = Scripted()
    services = make(transport)
    await known_agencies(services)
    await choices.set_preference(
        services, RecipientKind.AGENCY, "SYT", Category.DECISION, DeliveryMode.OFF
    )
    decided = _decided("SYT")
    await events.selection_decided(services, cloud(decided, "/cchc/evaluation"), decided)
    (skipped,) = await queries.list_notifications(services)
    assert skipped.status is Status.SKIPPED
    with pytest.raises(InvalidInput) as refused:
        await choices.set_preference(
            services, RecipientKind.AGENCY, "SYT", Category.AGENCY_NOTICE, DeliveryMode.OFF
        )
    assert refused.value.faults[0].field == "category"
    assert "bắt buộc" in refused.value.faults[0].message_vi
    await choices.set_preference(
        services, RecipientKind.AGENCY, "SYT", Category.DECISION, DeliveryMode.IMMEDIATE
    )
    again = _decided("SYT")
    await events.selection_decided(services, cloud(again, "/cchc/evaluation"), again)
    assert await delivery.deliver_due(services) == 1
    (message,) = transport.sent
    assert message["Subject"].startswith("Kết quả xét chọn sáng kiến CCHC năm 2023")
    assert "Lý do: Hiệu quả rõ rệt" in message.get_body(("plain",)).get_content()


async def test_a_missing_evaluation_is_reminded_once(make: MakeServices) -> None:
    clock = Clock()
    transport = Scripted()
    services = make(transport, clock)
    await known_agencies(services)
    round_ = a_round()
    await events.round_state(services, cloud(round_), round_)
    head = "snv.ngo-thi-hoang-cac"
    done = EvaluationRecordedV1(
        evaluation_id=uuid.uuid4(),
        initiative_id=round_.visits[0].initiative_id,
        round_id=round_.round_id,
        visit_id=round_.visits[0].visit_id,
        evaluator_id=head,
        scores=[{"criterion": "effectiveness", "score": 20, "max_score": 25}],
        total=80,
        strengths="Tốt",
        limitations="Không",
        difficulties="Không",
        recommendation="replicate",
        recorded_at=clock.now,
    )
    await events.evaluation_recorded(services, cloud(done, "/cchc/evaluation"), done)
    clock.now = datetime(2023, 6, 14, 2, 0, tzinfo=UTC)  # a day after the first visit
    assert await reminders.remind_missing_evaluations(services) == 0
    clock.now = datetime(2023, 6, 17, 2, 0, tzinfo=UTC)  # four days after the first visit
    # The head evaluated the first visit; the other member (no address) did not; the second
    # visit (14 June) is 3 days old: both members are due for it.
    assert await reminders.remind_missing_evaluations(services) == 3
    assert await reminders.remind_missing_evaluations(services) == 0
    due = await queries.list_notifications(services)
    reminded = [n for n in due if n.category is Category.EVALUATION_REMINDER]
    assert sorted(n.recipient.id for n in reminded) == [
        head,
        "stp.dang-van-loc",
        "stp.dang-van-loc",
    ]


def _submitted(agency: str, initiative_id: uuid.UUID, email: str) -> InitiativeSubmittedV1:
    return InitiativeSubmittedV1(
        initiative_id=initiative_id,
        campaign_year=2023,
        agency_code=agency,
        kind="model",
        title="Khám chữa bệnh bằng căn cước công dân gắn chíp",
        summary="Tóm tắt",
        par_area="procedures",
        applied_since=date(2022, 1, 1),
        results="Kết quả",
        limitations="",
        submitted_at=datetime(2023, 4, 1, tzinfo=UTC),
        agency_email=email,
    )


async def known_agencies(services: Services) -> None:
    """The two agencies of ``a_round``, as intake announced their initiatives."""
    for agency, initiative_id, email in (
        ("SYT", I1, "syt@tphcm.gov.vn"),
        ("26740", I2, "ubnd.pbennghe.q1@tphcm.gov.vn"),
    ):
        data = _submitted(agency, initiative_id, email)
        await events.initiative_known(services, cloud(data, "/cchc/intake"), data)


def _decided(agency: str) -> SelectionDecidedV1:
    return SelectionDecidedV1(
        initiative_id=I1,
        campaign_year=2023,
        agency_code=agency,
        title="Khám chữa bệnh bằng căn cước công dân gắn chíp",
        kind="model",
        par_area="procedures",
        decision="replicate",
        scope="city_wide",
        final_score=86.5,
        evaluation_count=3,
        rationale="Hiệu quả rõ rệt, người dân hài lòng.",
        decided_at=datetime(2023, 9, 1, tzinfo=UTC),
    )


async def test_a_member_who_chose_a_digest_gets_one_message_for_the_day(
    make: MakeServices,
) -> None:
    clock = Clock()
    transport = Scripted()
    services = make(transport, clock)
    await known_agencies(services)
    round_ = a_round()
    await events.round_state(services, cloud(round_), round_)
    head = "snv.ngo-thi-hoang-cac"
    await choices.set_preference(
        services, RecipientKind.MEMBER, head, Category.EVALUATION_REMINDER, DeliveryMode.DIGEST
    )
    await delivery.deliver_due(services)  # the invitations (mandatory: never in a digest)
    invitations = len(transport.sent)
    clock.now = datetime(2023, 6, 17, 2, 0, tzinfo=UTC)  # both visits 3+ days old
    await reminders.remind_missing_evaluations(services)
    waiting = await queries.list_notifications(services, status=Status.DIGEST)
    assert len(waiting) == 2 and {n.recipient.id for n in waiting} == {head}
    assert await reminders.send_digests(services) == 0  # not a day yet
    clock.now += timedelta(seconds=POLICY.digest_seconds + 1)
    assert await reminders.send_digests(services) == 1
    assert await reminders.send_digests(services) == 0
    await delivery.deliver_due(services)
    (digest,) = transport.sent[invitations:]
    assert digest["Subject"] == "Tổng hợp thông báo khảo sát CCHC (2 nội dung)"
    assert digest.get_body(("plain",)).get_content().count("Nhắc việc: chưa có phiếu đánh giá") == 2
    assert {n.status for n in await queries.list_notifications(services, round_id=None)} >= {
        Status.DIGESTED
    }


DRAFT = uuid.UUID("5f0c2b9e-3d41-4a8e-9b17-6c2e8d4f1a03")
WARD_EMAIL = "ubnd.pbennghe.q1@tphcm.gov.vn"


def _draft_reminder(**overrides: object) -> DraftReminderDueV1:
    fields: dict[str, object] = {
        "draft_id": DRAFT,
        "campaign_year": 2023,
        "agency_code": "26740",
        "agency_email": WARD_EMAIL,
        "title": "Tổ công nghệ số cộng đồng hỗ trợ thủ tục hành chính",
        "submission_closes_on": date(2023, 10, 31),
        "missing_fields": ["summary", "results"],
        "reminded_at": datetime(2023, 10, 24, 1, 0, tzinfo=UTC),
        **overrides,
    }
    return DraftReminderDueV1.model_validate(fields)


async def test_an_unsubmitted_draft_is_reminded_to_its_agency_once(make: MakeServices) -> None:
    transport = Scripted()
    services = make(transport)
    data = _draft_reminder()
    event = cloud(data, "/cchc/intake")
    await events.draft_reminder_due(services, event, data)
    await events.draft_reminder_due(services, event, data)  # the broker delivers it again
    again = cloud(data, "/cchc/intake")  # the same reminder under another event id
    await events.draft_reminder_due(services, again, data)
    [row] = await queries.list_notifications(services)
    assert (row.category, row.recipient.kind, row.recipient.id) == (
        Category.DRAFT_REMINDER,
        RecipientKind.AGENCY,
        "26740",
    )
    assert await delivery.deliver_due(services) == 1
    assert await delivery.deliver_due(services) == 0
    [mail] = transport.sent
    assert mail["To"].addresses[0].addr_spec == WARD_EMAIL
    subject = (
        "Nhắc nộp hồ sơ đề xuất mô hình, giải pháp, sáng kiến CCHC năm 2023: "
        "hạn cuối ngày 31/10/2023"
    )
    assert mail["Subject"] == subject
    text = mail.get_body(("plain",)).get_content()
    assert unicodedata.is_normalized("NFC", text)
    assert text.startswith("Kính gửi: Ủy ban nhân dân phường Bến Nghé, Quận 1,\n")
    assert "«Tổ công nghệ số cộng đồng hỗ trợ thủ tục hành chính»" in text
    assert "kết thúc vào ngày 31/10/2023 (còn 7 ngày)" in text
    assert "  - Tóm tắt nội dung\n  - Kết quả đạt được\n" in text
    assert "86 Lê Thánh Tôn" in text
    html = mail.get_body(("html",)).get_content()
    assert "<li>Kết quả đạt được</li>" in html


async def test_a_draft_reminder_honours_the_agencys_choice(make: MakeServices) -> None:
    services = make(Scripted())
    await choices.set_preference(
        services, RecipientKind.AGENCY, "26740", Category.DRAFT_REMINDER, DeliveryMode.OFF
    )
    await choices.set_preference(
        services, RecipientKind.AGENCY, "760", Category.DRAFT_REMINDER, DeliveryMode.DIGEST
    )
    off = _draft_reminder()
    digest = _draft_reminder(
        draft_id=uuid.uuid4(), agency_code="760", agency_email="ubnd.q1@tphcm.gov.vn", title=None
    )
    for data in (off, digest):
        await events.draft_reminder_due(services, cloud(data, "/cchc/intake"), data)
    status = {n.recipient.id: n.status for n in await queries.list_notifications(services)}
    assert status == {"26740": Status.SKIPPED, "760": Status.DIGEST}


async def test_a_draft_already_submitted_is_not_reminded(make: MakeServices) -> None:
    services = make(Scripted())
    submitted = _submitted("26740", DRAFT, WARD_EMAIL)  # the initiative keeps the draft's id
    await events.initiative_known(services, cloud(submitted, "/cchc/intake"), submitted)
    data = _draft_reminder()
    await events.draft_reminder_due(services, cloud(data, "/cchc/intake"), data)
    assert await queries.list_notifications(services) == []


async def test_the_secretary_is_reminded_only_where_the_campaign_lets_the_secretary_score(
    make: MakeServices,
) -> None:
    clock = Clock()
    services = make(Scripted(), clock)
    await known_agencies(services)
    planned = a_round(second_visit=False)
    secretary = TeamMember(
        member_id="snv.nguyen-thu-trang",
        name="Nguyễn Thu Trang",
        role="secretary",
        agency_code="SNV",
        email="ntrang.snv@tphcm.gov.vn",
    )
    round_ = planned.model_copy(update={"team": [*planned.team, secretary]})
    await events.round_state(services, cloud(round_), round_)
    clock.now = datetime(2023, 6, 17, 2, 0, tzinfo=UTC)  # four days after the visit

    def reminded(found: list[Any]) -> list[str]:
        return sorted(n.recipient.id for n in found if n.category is Category.EVALUATION_REMINDER)

    assert await reminders.remind_missing_evaluations(services) == 2
    assert secretary.member_id not in reminded(await queries.list_notifications(services))

    allowing = campaign_settings_changed(2, secretary_scores=True)
    await events.campaign_settings_changed(services, cloud(allowing, "/cchc/intake"), allowing)
    late = campaign_settings_changed(1)  # the opening, arriving late: ignored
    await events.campaign_settings_changed(services, cloud(late, "/cchc/intake"), late)
    assert await reminders.remind_missing_evaluations(services) == 1
    assert secretary.member_id in reminded(await queries.list_notifications(services))
