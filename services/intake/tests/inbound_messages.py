"""Inbound CloudEvents as another city platform publishes them on cchc.inbound."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import aio_pika

from cchc_shared.reference import load_agencies

PLATFORM = "https://motcua.hochiminhcity.gov.vn"
INBOUND_TYPE = "vn.hcmc.cchc.initiative.submitted.v1"
AGENCY_CODES = sorted(load_agencies())


def inbound_data(number: int, **overrides: Any) -> dict[str, Any]:
    now = datetime.now(UTC)
    data: dict[str, Any] = {
        "campaign_year": now.year,
        "agency_code": AGENCY_CODES[number % len(AGENCY_CODES)],
        "kind": ("model", "solution", "initiative")[number % 3],
        "title": f"Sáng kiến số hóa hồ sơ một cửa số {number}",
        "summary": "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại bộ phận một cửa.",
        "par_area": "digital_government",
        "applied_since": date(2022, 1, 1 + number % 28).isoformat(),
        "results": "Rút ngắn 30% thời gian giải quyết hồ sơ.",
        "limitations": "",
        "submitted_at": (now - timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
    }
    data.update(overrides)
    return data


def cloud_event(data: Any, *, event_id: str | None = None, **attributes: Any) -> dict[str, Any]:
    envelope: dict[str, Any] = {
        "specversion": "1.0",
        "id": event_id or str(uuid.uuid4()),
        "source": PLATFORM,
        "type": INBOUND_TYPE,
        "time": datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": data,
    }
    envelope.update(attributes)
    return envelope


def amqp_message(body: dict[str, Any] | bytes, message_id: str | None = None) -> aio_pika.Message:
    if isinstance(body, dict):
        message_id = message_id or str(body.get("id"))
        body = json.dumps(body, ensure_ascii=False).encode()
    return aio_pika.Message(
        body,
        message_id=message_id,
        content_type="application/cloudevents+json",
        delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
    )


async def publish_inbound(amqp_url: str, messages: list[aio_pika.Message]) -> None:
    """Publish as a platform would, with confirms, on cchc.inbound."""
    connection = await aio_pika.connect(amqp_url)
    try:
        channel = await connection.channel(publisher_confirms=True)
        exchange = await channel.get_exchange("cchc.inbound")
        for message in messages:
            await exchange.publish(message, routing_key="initiative.submitted.v1")
    finally:
        await connection.close()


def malformed_messages() -> dict[str, aio_pika.Message]:
    """Twenty messages, each wrong in its own way, by the id that names them."""
    future = (datetime.now(UTC) + timedelta(days=400)).date().isoformat()
    cases: dict[str, Any] = {
        "not-json": b"{this is not json",
        "not-utf8": b"\xff\xfe\x00 binary garbage",
        "json-array": b"[1, 2, 3]",
        "no-specversion": {"id": "x", "source": PLATFORM, "type": INBOUND_TYPE, "data": {}},
        "bad-specversion": cloud_event(inbound_data(9001), specversion="0.3"),
        "unknown-type": cloud_event(inbound_data(9002), type="vn.hcmc.cchc.initiative.deleted.v1"),
        "other-event-type": cloud_event(inbound_data(9003), type="vn.hcmc.cchc.round.scheduled.v1"),
        "missing-title": cloud_event({k: v for k, v in inbound_data(9004).items() if k != "title"}),
        "missing-title-unknown-agency": cloud_event(
            {k: v for k, v in inbound_data(9005, agency_code="99999").items() if k != "title"}
        ),
        "unknown-ward": cloud_event(inbound_data(9006, agency_code="99999")),
        "unknown-department": cloud_event(inbound_data(9007, agency_code="SXYZ")),
        "impossible-date": cloud_event(inbound_data(9008, applied_since="2023-02-30")),
        "words-for-date": cloud_event(inbound_data(9009, applied_since="last spring")),
        "future-applied-since": cloud_event(inbound_data(9010, applied_since=future)),
        "future-submitted-at": cloud_event(inbound_data(9011, submitted_at=f"{future}T00:00:00Z")),
        "unknown-par-area": cloud_event(inbound_data(9012, par_area="sports")),
        "unknown-kind": cloud_event(inbound_data(9013, kind="project")),
        "nul-in-title": cloud_event(inbound_data(9014, title="Sáng kiến\x00 ẩn")),
        "data-not-object": cloud_event("một chuỗi, không phải đối tượng"),
        "no-such-campaign": cloud_event(inbound_data(9015, campaign_year=2019)),
    }
    messages = {}
    for name, body in cases.items():
        if isinstance(body, dict):
            body["id"] = name
        messages[name] = amqp_message(body, message_id=name)
    return messages
