"""The AsyncAPI 3.0 document of the whole CCHC bus, generated from the ``EVENTS`` registry.

FastStream's ``faststream.specification.AsyncAPI`` documents one broker's own publishers and
subscribers with the bare pydantic model as payload; it cannot say that every body is a
CloudEvents envelope whose ``data`` has its own versioned schema, nor describe other platforms'
publishing. So the document is built directly from the contract models.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cchc_shared.contracts.envelope import CONTENT_TYPE_CLOUDEVENTS, encode_event
from cchc_shared.contracts.events import EVENTS, INBOUND_EXCHANGE, EventData
from cchc_shared.contracts.schemas import (
    DESCRIPTIONS_VI,
    ENVELOPE_SCHEMA_ID,
    data_schema,
    dump,
    envelope_schema,
    example_of,
    title_of,
)
from cchc_shared.messaging.topology import all_queues

ASYNCAPI_VERSION = "3.0.0"
DOCUMENT_VERSION = "1.0.0"
AMQP_BINDING_VERSION = "0.3.0"
SERVER = "rabbitmq"
PLATFORMS = "platforms"  # other city platforms, each with its own RabbitMQ user

# Who publishes each entity's events on cchc.events (CONTRACT.md); cchc.inbound is PLATFORMS'.
PUBLISHERS: dict[str, str] = {
    "initiative": "intake",
    "round": "scheduling",
    "evaluation": "evaluation",
    "replication": "evaluation",
    "selection": "evaluation",
}
SERVICE_TAGS: dict[str, str] = {
    "intake": "Agencies and initiatives; the edge for other platforms (phân hệ tiếp nhận).",
    "scheduling": "Survey rounds, visits, teams, notices (phân hệ lập kế hoạch khảo sát).",
    "evaluation": "Rubric, evaluations, selection (phân hệ đánh giá).",
    "reporting": "Read models, reports and documents (phân hệ báo cáo).",
    PLATFORMS: "Other city platforms publishing initiatives (nền tảng khác của Thành phố).",
}

_EXAMPLE_TIME = datetime(2023, 6, 8, 4, 15, tzinfo=UTC)
_EXAMPLE_PLATFORM = "https://motcua.hochiminhcity.gov.vn"


def channel_id(event: type[EventData]) -> str:
    prefix = "inbound" if event.exchange == INBOUND_EXCHANGE else "events"
    return f"{prefix}.{event.routing_key}"


def publisher_of(event: type[EventData]) -> str:
    if event.exchange == INBOUND_EXCHANGE:
        return PLATFORMS
    entity = event.routing_key.split(".", 1)[0]
    try:
        return PUBLISHERS[entity]
    except KeyError:
        raise ValueError(
            f"no publisher known for {event.__name__}: add {entity!r} to asyncapi.PUBLISHERS"
        ) from None


def consumers_of(event: type[EventData]) -> tuple[str, ...]:
    """Who consumes an event: read from the topology that the services declare."""
    return tuple(
        sorted(
            {
                spec.service
                for spec in all_queues()
                if spec.exchange == event.exchange
                and spec.binding_key in (event.routing_key, "#")
            }
        )
    )


def _rewrite_refs(node: Any) -> Any:
    if isinstance(node, dict):
        return {
            key: (
                value.replace("#/$defs/", "#/components/schemas/")
                if key == "$ref" and isinstance(value, str)
                else _rewrite_refs(value)
            )
            for key, value in node.items()
        }
    if isinstance(node, list):
        return [_rewrite_refs(item) for item in node]
    return node


def _component_schemas() -> dict[str, Any]:
    """Every data schema (and its nested definitions) as AsyncAPI components."""
    schemas: dict[str, Any] = {}

    def add(name: str, schema: dict[str, Any]) -> None:
        if name in schemas and schemas[name] != schema:
            raise ValueError(f"two different schemas are named {name!r}")
        schemas[name] = schema

    for event in EVENTS:
        schema = _rewrite_refs(data_schema(event))
        for name, definition in schema.pop("$defs", {}).items():
            add(name, definition)
        for key in ("$schema", "$id", "examples"):
            schema.pop(key, None)
        add(event.__name__, schema)
    envelope = envelope_schema()
    del envelope["$schema"], envelope["$id"]
    add("CloudEvent", envelope)
    return schemas


def _subject_description(event: type[EventData]) -> str:
    example = example_of(event)
    if example is not None:
        subject = example.subject()
        for name, value in example.model_dump(mode="json").items():
            if value == subject:
                return f"The `{name}` of `data`."
    return "What the event is about."


def _message(event: type[EventData]) -> dict[str, Any]:
    publisher = publisher_of(event)
    description = event.description
    if event.schema_name in DESCRIPTIONS_VI:
        description += f"\n\n{DESCRIPTIONS_VI[event.schema_name]}"
    description += (
        f"\n\nCloudEvents type `{event.event_type()}`; `data` follows `{event.dataschema()}`."
    )
    message: dict[str, Any] = {
        "name": event.__name__,
        "title": title_of(event),
        "summary": event.description,
        "description": description,
        "contentType": CONTENT_TYPE_CLOUDEVENTS,
        "correlationId": {
            "description": (
                "The CloudEvents `id` (a UUID, unique per `source`), also sent as the AMQP "
                "`message_id` property. Consumers process a (`source`, `id`) once."
            ),
            "location": "$message.payload#/id",
        },
        "payload": {
            "allOf": [
                {"$ref": "#/components/schemas/CloudEvent"},
                {
                    "type": "object",
                    "properties": {
                        "type": {"const": event.event_type()},
                        "subject": {"type": "string", "description": _subject_description(event)},
                        "dataschema": {"const": event.dataschema()},
                        "data": {"$ref": f"#/components/schemas/{event.__name__}"},
                    },
                },
            ]
        },
        "bindings": {
            "amqp": {"messageType": event.event_type(), "bindingVersion": AMQP_BINDING_VERSION}
        },
    }
    example = example_of(event)
    if example is not None:
        source = _EXAMPLE_PLATFORM if publisher == PLATFORMS else f"/cchc/{publisher}"
        encoded = encode_event(
            example,
            source=source,
            event_id=str(uuid.uuid5(uuid.NAMESPACE_URL, event.dataschema())),
            occurred_at=_EXAMPLE_TIME,
        )
        message["examples"] = [{"name": "example", "payload": json.loads(encoded.body)}]
    return message


def _channel(event: type[EventData]) -> dict[str, Any]:
    return {
        "address": event.routing_key,
        "title": f"{event.exchange} / {event.routing_key}",
        "description": (
            f"Routing key `{event.routing_key}` on the durable topic exchange `{event.exchange}`."
        ),
        "servers": [{"$ref": f"#/servers/{SERVER}"}],
        "messages": {event.__name__: {"$ref": f"#/components/messages/{event.__name__}"}},
        "bindings": {
            "amqp": {
                "is": "routingKey",
                "exchange": {
                    "name": event.exchange,
                    "type": "topic",
                    "durable": True,
                    "autoDelete": False,
                    "vhost": "/",
                },
                "bindingVersion": AMQP_BINDING_VERSION,
            }
        },
    }


def _operations(event: type[EventData]) -> dict[str, Any]:
    channel = channel_id(event)
    channel_ref = {"$ref": f"#/channels/{channel}"}
    message_refs = [{"$ref": f"#/channels/{channel}/messages/{event.__name__}"}]
    publisher = publisher_of(event)
    operations: dict[str, Any] = {
        f"{publisher}.send.{channel}": {
            "action": "send",
            "channel": channel_ref,
            "title": f"{publisher} publishes {title_of(event)}",
            "description": (
                "Published through the transactional outbox with publisher confirms, "
                "persistent (delivery mode 2), `message_id` = the event `id`."
                if publisher != PLATFORMS
                else "Each platform publishes with its own RabbitMQ user, which may write only "
                "to `cchc.inbound`. Invalid messages are refused with an InitiativeRejected "
                "naming each fault and parked for replay."
            ),
            "messages": message_refs,
            "tags": [{"$ref": f"#/components/tags/{publisher}"}],
            "bindings": {"amqp": {"deliveryMode": 2, "bindingVersion": AMQP_BINDING_VERSION}},
        }
    }
    for consumer in consumers_of(event):
        operations[f"{consumer}.receive.{channel}"] = {
            "action": "receive",
            "channel": channel_ref,
            "title": f"{consumer} consumes {title_of(event)}",
            "description": (
                "Read from the service's own durable queue bound to this routing key; each "
                "event id is recorded with its effect (inbox), so a redelivery changes nothing; "
                "what cannot be processed is dead-lettered with its reason."
            ),
            "messages": message_refs,
            "tags": [{"$ref": f"#/components/tags/{consumer}"}],
            "bindings": {"amqp": {"ack": True, "bindingVersion": AMQP_BINDING_VERSION}},
        }
    return operations


def asyncapi_document() -> dict[str, Any]:
    operations: dict[str, Any] = {}
    for event in EVENTS:
        operations.update(_operations(event))
    return {
        "asyncapi": ASYNCAPI_VERSION,
        "id": "urn:vn:hcmc:cchc:event-bus",
        "info": {
            "title": "CCHC event bus — Nền tảng mô hình, giải pháp, sáng kiến cải cách hành chính",
            "version": DOCUMENT_VERSION,
            "description": (
                "Events of Ho Chi Minh City's administrative-reform initiatives platform "
                "(Sở Nội vụ TP.HCM). Every message is a CloudEvents 1.0 event in structured JSON "
                f"mode (`{CONTENT_TYPE_CLOUDEVENTS}`, schema `{ENVELOPE_SCHEMA_ID}`), with the "
                "AMQP `message_id` equal to its `id` and persistent delivery. The routing key is "
                "the event name `entity.verb.vN`; the CloudEvents `type` is `vn.hcmc.cchc.` + "
                "the routing key. A breaking change is a new version published beside the old "
                "one. Consumers ignore attributes and `data` fields they do not know.\n\n"
                "The four services publish on `cchc.events`, each only its own events; any "
                "subscriber given read access may consume them. Other city platforms publish "
                "initiatives on `cchc.inbound`, read by intake only.\n\n"
                "Mọi thông điệp là sự kiện CloudEvents 1.0 dạng JSON có cấu trúc. Các phân hệ "
                "phát hành trên `cchc.events`; các nền tảng khác của Thành phố gửi sáng kiến vào "
                "`cchc.inbound`."
            ),
        },
        "defaultContentType": CONTENT_TYPE_CLOUDEVENTS,
        "servers": {
            SERVER: {
                "host": "localhost:5672",
                "protocol": "amqp",
                "protocolVersion": "0.9.1",
                "pathname": "/",
                "title": "RabbitMQ",
                "description": (
                    "Development default `amqp://guest:guest@localhost:5672/`. Production sets "
                    "the broker URL (host, virtual host, credentials, TLS) in `CCHC_AMQP_URL`."
                ),
                "security": [{"$ref": "#/components/securitySchemes/rabbitmqUser"}],
            }
        },
        "channels": {channel_id(event): _channel(event) for event in EVENTS},
        "operations": operations,
        "components": {
            "schemas": _component_schemas(),
            "messages": {event.__name__: _message(event) for event in EVENTS},
            "securitySchemes": {
                "rabbitmqUser": {
                    "type": "userPassword",
                    "description": (
                        "One RabbitMQ user per service and per external platform, allowed only "
                        "its own exchanges and queues; a platform may write only to "
                        "`cchc.inbound` and cannot read other platforms' messages."
                    ),
                }
            },
            "tags": {
                name: {"name": name, "description": description}
                for name, description in SERVICE_TAGS.items()
            },
        },
    }


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
