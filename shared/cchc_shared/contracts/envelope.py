"""CloudEvents 1.0 envelope: encoding (structured JSON mode) and decoding (structured or
binary mode, as other platforms may send either)."""

from __future__ import annotations

import functools
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, create_model

from cchc_shared import clock
from cchc_shared.contracts.events import EventData

CONTENT_TYPE_CLOUDEVENTS = "application/cloudevents+json"
SPEC_VERSION = "1.0"
# Header prefixes of binary-mode CloudEvents over AMQP, as different SDKs spell them.
_BINARY_PREFIXES = ("cloudEvents_", "cloudEvents:", "ce-", "ce_")
_REQUIRED_ATTRIBUTES = ("specversion", "id", "source", "type")

E = TypeVar("E", bound=EventData)


@dataclass(frozen=True)
class FieldError:
    """One fault in a message: a JSON path into the event (empty for an encoding fault)."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message}


class DecodeError(Exception):
    """The message cannot be accepted; ``errors`` names every fault found."""

    def __init__(self, errors: list[FieldError]) -> None:
        self.errors = errors
        super().__init__("; ".join(f"{e.field or '<message>'}: {e.message}" for e in errors))


class CloudEvent(BaseModel):
    """A CloudEvents 1.0 event. Unknown extension attributes are kept, never required."""

    model_config = ConfigDict(frozen=True, extra="allow")

    specversion: str = Field(pattern=r"^1\.0$")
    id: str = Field(min_length=1, max_length=200)
    source: str = Field(min_length=1, max_length=500)
    type: str = Field(min_length=1, max_length=200)
    subject: str | None = Field(default=None, max_length=500)
    time: AwareDatetime | None = None
    datacontenttype: str | None = None
    dataschema: str | None = None
    data: Any = None


@dataclass(frozen=True)
class EncodedMessage:
    """Everything needed to publish one event: kept as-is in the outbox."""

    event_id: str
    event_type: str
    exchange: str
    routing_key: str
    body: bytes
    headers: dict[str, Any] = field(default_factory=dict)
    content_type: str = CONTENT_TYPE_CLOUDEVENTS


def encode_event(
    data: EventData,
    *,
    source: str,
    event_id: str | None = None,
    subject: str | None = None,
    occurred_at: datetime | None = None,
) -> EncodedMessage:
    """Wrap ``data`` in a structured-mode CloudEvent ready for the outbox."""
    event_id = event_id or str(uuid.uuid4())
    envelope = {
        "specversion": SPEC_VERSION,
        "id": event_id,
        "source": source,
        "type": data.event_type(),
        "subject": subject if subject is not None else data.subject(),
        "time": (occurred_at or clock.now()).astimezone(UTC).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "dataschema": data.dataschema(),
        "data": data.model_dump(mode="json"),
    }
    body = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return EncodedMessage(
        event_id=event_id,
        event_type=data.event_type(),
        exchange=data.exchange,
        routing_key=data.routing_key,
        body=body,
    )


def _binary_attributes(headers: Mapping[str, Any]) -> dict[str, Any]:
    attributes: dict[str, Any] = {}
    for key, value in headers.items():
        for prefix in _BINARY_PREFIXES:
            if key.startswith(prefix):
                name = key[len(prefix) :].lower()
                if isinstance(value, bytes):
                    try:
                        value = value.decode("utf-8")
                    except UnicodeDecodeError as exc:
                        raise DecodeError(
                            [FieldError(f"$.{name}", "header value is not UTF-8 text")]
                        ) from exc
                attributes[name] = value
                break
    return attributes


def _parse_json(body: bytes) -> Any:
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DecodeError([FieldError("", f"body is not UTF-8 text: {exc.reason}")]) from exc
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        raise DecodeError([FieldError("", message)]) from exc
    except (ValueError, RecursionError) as exc:  # an over-long integer; too deep nesting
        raise DecodeError([FieldError("", f"body is not acceptable JSON: {exc}")]) from exc


def json_path(location: tuple[int | str, ...], root: str = "$") -> str:
    path = root
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def _errors_from_validation(exc: ValidationError, root: str) -> list[FieldError]:
    return [
        FieldError(json_path(tuple(err["loc"]), root), err["msg"])
        for err in exc.errors(include_url=False)
    ]


def decode_message(
    body: bytes, headers: Mapping[str, Any] | None = None, content_type: str | None = None
) -> CloudEvent:
    """Read a CloudEvent from an AMQP message in structured or binary mode.

    Raises DecodeError naming every fault; never anything else for bad input.
    """
    headers = headers or {}
    binary = _binary_attributes(headers)
    if binary and "specversion" in binary:
        attributes = dict(binary)
        attributes.setdefault("datacontenttype", content_type)
        if body:
            media = (content_type or "application/json").split(";")[0].strip().lower()
            if media.endswith("json"):
                attributes["data"] = _parse_json(body)
            else:
                try:
                    attributes["data"] = body.decode("utf-8")
                except UnicodeDecodeError as exc:
                    raise DecodeError([FieldError("", "binary-mode data is not UTF-8")]) from exc
    else:
        document = _parse_json(body)
        if not isinstance(document, dict):
            raise DecodeError(
                [FieldError("", "body is not a CloudEvent: a JSON object was expected")]
            )
        missing = [name for name in _REQUIRED_ATTRIBUTES if name not in document]
        if missing:
            raise DecodeError(
                [
                    FieldError(f"$.{name}", "required CloudEvents attribute is missing")
                    for name in missing
                ]
            )
        attributes = document
    try:
        return CloudEvent.model_validate(attributes)
    except ValidationError as exc:
        raise DecodeError(_errors_from_validation(exc, "$")) from exc


def parse_data(event: CloudEvent, model: type[E]) -> E:
    """Validate the event's ``data`` against its contract model, naming each fault by path."""
    if not isinstance(event.data, dict):
        raise DecodeError([FieldError("$.data", "data must be a JSON object")])
    try:
        return model.model_validate(event.data)
    except ValidationError as exc:
        raise DecodeError(_errors_from_validation(exc, "$.data")) from exc


@functools.cache
def envelope_model(model: type[EventData]) -> type[CloudEvent]:
    """The CloudEvent that carries ``model`` as its ``data``: the payload that FastStream
    documents for a subscriber or a publisher (never used to validate: ``parse_data`` does)."""
    # The constants are types made at run time, which a type checker cannot follow.
    event_type: Any = Literal[model.event_type()]
    dataschema: Any = Literal[model.dataschema()]
    return create_model(
        f"{model.__name__}Event",
        __base__=CloudEvent,
        __doc__=f"A CloudEvents 1.0 event (structured JSON mode) of type {model.event_type()}.",
        type=(event_type, Field(description="The CloudEvents type.")),
        dataschema=(dataschema | None, None),
        data=(model, Field(description=model.description)),
    )
