"""The AsyncAPI 3.0 document of the whole CCHC bus, rendered by FastStream.

Every service's FastStream broker declares its subscribers (one per queue of its routing table)
and its publishers (the events the contract says it owns); a documentation-only broker declares
the other city platforms' publishing on ``cchc.inbound``. ``AsyncAPI(*brokers)`` renders them
all, CloudEvents envelopes included (each payload is the event's ``envelope_model``).

Then one small step, ``complete``, adds what FastStream cannot say:
- one server for the one broker (FastStream makes one per broker object), with its security;
- the CloudEvents facts of each message: content type, the event ``id`` as correlation id,
  titles and the Vietnamese description, and a worked example;
- each queue's arguments (quorum, delivery limit, dead-letter exchange and queue), as the
  ``x-cchc-queue`` extension of its channel;
- which service sends or receives each operation, as tags;
- a null address for the inbound queue's wildcard binding ('#').
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, cast
from urllib.parse import unquote

from faststream.rabbit import ExchangeType, RabbitBroker, RabbitExchange
from faststream.rabbit.subscriber import RabbitSubscriber
from faststream.specification import AsyncAPI

from cchc_shared.contracts.envelope import CONTENT_TYPE_CLOUDEVENTS, encode_event, envelope_model
from cchc_shared.contracts.events import EVENTS, PLATFORMS, EventData
from cchc_tools.contracts.schemas import (
    DESCRIPTIONS_VI,
    ENVELOPE_SCHEMA_ID,
    dump,
    example_of,
    title_of,
)

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
SERVER = "rabbitmq"
SERVICE_TAGS: dict[str, str] = {
    "intake": "Agencies and initiatives; the edge for other platforms (phân hệ tiếp nhận).",
    "scheduling": "Survey rounds, visits, teams, notices (phân hệ lập kế hoạch khảo sát).",
    "evaluation": "Rubric, evaluations, selection (phân hệ đánh giá).",
    "reporting": "Read models, reports and documents (phân hệ báo cáo).",
    "notifications": "The survey's mail, sent once; reads only (phân hệ thông báo).",
    "replication": "Decisions recognising models and their adoption (phân hệ theo dõi nhân rộng).",
    PLATFORMS: "Other city platforms publishing initiatives (nền tảng khác của Thành phố).",
}
_EXAMPLE_TIME = datetime(2023, 6, 8, 4, 15, tzinfo=UTC)
_EXAMPLE_PLATFORM = "https://motcua.hochiminhcity.gov.vn"

DESCRIPTION = (
    "Events of Ho Chi Minh City's administrative-reform initiatives platform "
    "(Sở Nội vụ TP.HCM). Every message is a CloudEvents 1.0 event in structured JSON "
    f"mode (`{CONTENT_TYPE_CLOUDEVENTS}`, schema `{ENVELOPE_SCHEMA_ID}`), with the "
    "AMQP `message_id` equal to its `id` and persistent delivery. The routing key is "
    "the event name `entity.verb.vN`; the CloudEvents `type` is `vn.hcmc.cchc.` + "
    "the routing key. A breaking change is a new version published beside the old "
    "one. Consumers ignore attributes and `data` fields they do not know.\n\n"
    "The services publish on `cchc.events`, each only its own events; any "
    "subscriber given read access may consume them. Other city platforms publish "
    "initiatives on `cchc.inbound`, read by intake only. Each service's channels and "
    "operations are those of its FastStream broker: a publisher per event it owns, a "
    "subscriber per queue of its routing table.\n\n"
    "Mọi thông điệp là sự kiện CloudEvents 1.0 dạng JSON có cấu trúc. Các phân hệ "
    "phát hành trên `cchc.events`; các nền tảng khác của Thành phố gửi sáng kiến vào "
    "`cchc.inbound`."
)


def platforms_broker() -> RabbitBroker:
    """Documentation only: what other city platforms publish (never connected)."""
    broker = RabbitBroker(apply_types=False, description=SERVICE_TAGS[PLATFORMS])
    for model in EVENTS:
        if model.publisher == PLATFORMS:
            broker.publisher(
                exchange=RabbitExchange(model.exchange, type=ExchangeType.TOPIC, durable=True),
                routing_key=model.routing_key,
                persist=True,
                title=f"{model.exchange}:{model.routing_key}",
                description=(
                    f"{model.description} Each platform publishes with its own RabbitMQ user, "
                    "which may write only to `cchc.inbound`. Invalid messages are refused with "
                    "an InitiativeRejected naming each fault and parked for replay."
                ),
                schema=envelope_model(model),
            )
    return broker


def service_brokers() -> dict[str, RabbitBroker]:
    """Each service's broker as its composition root builds it (no connection is made)."""
    from cchc_evaluation.bootstrap import create_app as evaluation
    from cchc_intake.bootstrap import create_app as intake
    from cchc_notifications.bootstrap import create_app as notifications
    from cchc_replication.bootstrap import create_app as replication
    from cchc_reporting.bootstrap import create_app as reporting
    from cchc_scheduling.bootstrap import create_app as scheduling

    factories: dict[str, Callable[[], Any]] = {
        "intake": intake,
        "scheduling": scheduling,
        "evaluation": evaluation,
        "reporting": reporting,
        "notifications": notifications,
        "replication": replication,
    }
    return {name: make().state.runtime.consumers.broker for name, make in factories.items()}


def asyncapi_document(brokers: dict[str, RabbitBroker] | None = None) -> dict[str, Any]:
    brokers = {**(brokers or service_brokers()), PLATFORMS: platforms_broker()}
    specification = AsyncAPI(
        *brokers.values(),
        title="CCHC event bus — Nền tảng mô hình, giải pháp, sáng kiến cải cách hành chính",
        version=DOCUMENT_VERSION,
        description=DESCRIPTION,
        identifier="urn:vn:hcmc:cchc:event-bus",
        schema_version=ASYNCAPI_VERSION,
    ).to_specification()
    document: dict[str, Any] = json.loads(specification.to_json())
    queues = {
        sub.queue.name: dict(sub.queue.arguments or {})
        for broker in brokers.values()
        for sub in cast(list[RabbitSubscriber], broker.subscribers)
    }
    return complete(document, list(brokers), queues)


# --- what FastStream cannot render ------------------------------------------------------------


def complete(
    document: dict[str, Any], owners: Sequence[str], queues: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    """Add the CloudEvents, queue and ownership facts to FastStream's document. ``owners``
    names the brokers in the order they were rendered (FastStream's Server1, Server2, ...);
    ``queues`` gives each subscriber queue's declared arguments."""
    servers = {f"Server{n}": owner for n, owner in enumerate(owners, start=1)}
    channel_owner: dict[str, str] = {}
    for name, channel in document["channels"].items():
        refs = [ref["$ref"].rsplit("/", 1)[-1] for ref in channel.get("servers", [])]
        channel_owner[name] = servers[refs[0]]
        channel["servers"] = [{"$ref": f"#/servers/{SERVER}"}]
        if "#" in (channel.get("address") or ""):
            # A wildcard binding is no address; AsyncAPI says null for "any" (the parser
            # refuses '#', the URL fragment delimiter).
            channel["address"] = None
        queue = channel.get("bindings", {}).get("amqp", {}).get("queue")
        if queue is not None:
            channel["x-cchc-queue"] = {
                "arguments": queues[queue["name"]],
                "deadLetterQueue": f"{queue['name']}.dlq",
            }
    document["servers"] = {SERVER: _server()}
    for operation in document["operations"].values():
        owner = channel_owner[_target(operation["channel"])]
        operation["tags"] = [{"$ref": f"#/components/tags/{owner}"}]
        verb = "publishes" if operation["action"] == "send" else "consumes"
        operation["title"] = f"{owner} {verb}"
        operation["description"] = (
            "Published through the transactional outbox with publisher confirms, persistent "
            "(delivery mode 2), `message_id` = the event `id`."
            if operation["action"] == "send" and owner != PLATFORMS
            else "Read from the service's own durable quorum queue; each event id is recorded "
            "with its effect (inbox), so a redelivery changes nothing; what cannot be processed "
            "is parked in the queue's dead-letter queue with its reason."
            if operation["action"] == "receive"
            else "Published by another city platform with its own RabbitMQ user."
        )
    by_envelope = {envelope_model(model).__name__: model for model in EVENTS}
    for message in document["components"]["messages"].values():
        schema_ref = message.get("payload", {}).get("$ref", "")
        model = by_envelope.get(schema_ref.rsplit("/", 1)[-1])
        if model is not None:
            message.update(_message_facts(model))
    components = document["components"]
    components["securitySchemes"] = {
        "rabbitmqUser": {
            "type": "userPassword",
            "description": (
                "One RabbitMQ user per service and per external platform, allowed only its own "
                "exchanges and queues; a platform may write only to `cchc.inbound` and cannot "
                "read other platforms' messages."
            ),
        }
    }
    components["tags"] = {
        name: {"name": name, "description": description}
        for name, description in SERVICE_TAGS.items()
    }
    document["defaultContentType"] = CONTENT_TYPE_CLOUDEVENTS
    return document


def _target(reference: dict[str, str]) -> str:
    """The last part of a JSON reference, unescaped (FastStream percent-encodes '#')."""
    return unquote(reference["$ref"].rsplit("/", 1)[-1])


def _server() -> dict[str, Any]:
    return {
        "host": "localhost:5672",
        "protocol": "amqp",
        "protocolVersion": "0.9.1",
        "pathname": "/",
        "title": "RabbitMQ",
        "description": (
            "Development default `amqp://guest:guest@localhost:5672/`. Production sets the "
            "broker URL (host, virtual host, credentials, TLS) in `CCHC_AMQP_URL`."
        ),
        "security": [{"$ref": "#/components/securitySchemes/rabbitmqUser"}],
    }


def _message_facts(model: type[EventData]) -> dict[str, Any]:
    description = model.description
    if model.schema_name in DESCRIPTIONS_VI:
        description += f"\n\n{DESCRIPTIONS_VI[model.schema_name]}"
    description += (
        f"\n\nCloudEvents type `{model.event_type()}`; `data` follows `{model.dataschema()}`."
    )
    facts: dict[str, Any] = {
        "name": model.__name__,
        "title": title_of(model),
        "summary": model.description,
        "description": description,
        "contentType": CONTENT_TYPE_CLOUDEVENTS,
        "correlationId": {
            "description": (
                "The CloudEvents `id` (a UUID, unique per `source`), also sent as the AMQP "
                "`message_id` property. Consumers process a (`source`, `id`) once."
            ),
            "location": "$message.payload#/id",
        },
        "bindings": {"amqp": {"messageType": model.event_type(), "bindingVersion": "0.3.0"}},
    }
    example = example_of(model)
    if example is not None:
        source = _EXAMPLE_PLATFORM if model.publisher == PLATFORMS else f"/cchc/{model.publisher}"
        encoded = encode_event(
            example,
            source=source,
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, model.dataschema())),
            occurred_at=_EXAMPLE_TIME,
        )
        facts["examples"] = [{"name": "example", "payload": json.loads(encoded.body)}]
    return facts


def render_asyncapi() -> str:
    return dump(asyncapi_document())


def write_asyncapi(path: Path) -> bool:
    """Write the document to ``path``; returns whether its content changed."""
    text = render_asyncapi()
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True
