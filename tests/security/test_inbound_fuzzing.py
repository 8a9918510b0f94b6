"""Property-based fuzzing of the edge where other platforms' messages come in.

``shared/tests/test_envelope.py`` already fuzzes ``decode_message`` with arbitrary envelopes
(only ``DecodeError`` ever escapes). This adds what it does not cover:

* near-valid inbound initiatives with one ``data`` field replaced by arbitrary JSON: the
  decoder either accepts them or refuses them with a ``DecodeError`` whose every fault names
  exactly that field (``$.data.<field>``) and carries a message, never anything else;
* arbitrary CloudEvent attributes on an otherwise valid message: faults name the attribute;
* intake's ``origin_of`` (how a refused message is named in the InitiativeRejected answer and
  the parked reason) for any body and AMQP properties: never raises, and stays within the
  inbox's column sizes.
"""

from __future__ import annotations

import contextlib
import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_intake.entrypoints.messages import _ID_MAX, _SOURCE_MAX, origin_of
from cchc_shared.contracts import (
    DecodeError,
    InboundInitiativeSubmittedV1,
    decode_message,
    parse_data,
)
from cchc_shared.messaging.consumer import IncomingMessage

from .figures import count

INBOUND_TYPE = InboundInitiativeSubmittedV1.event_type()
_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40)
    | st.sampled_from(["", " ", "\x00", "2023-02-30", "9999-12-31", "26740", "x" * 5000]),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)


def valid_data() -> dict[str, Any]:
    now = datetime.now(UTC)
    return {
        "campaign_year": now.year,
        "agency_code": "26740",
        "kind": "model",
        "title": "Sáng kiến số hóa hồ sơ một cửa",
        "summary": "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính tại bộ phận một cửa.",
        "par_area": "digital_government",
        "applied_since": "2022-01-01",
        "results": "Rút ngắn 30% thời gian giải quyết hồ sơ.",
        "limitations": "",
        "submitted_at": (now - timedelta(minutes=5)).isoformat().replace("+00:00", "Z"),
    }


def envelope(data: Any, **attributes: Any) -> dict[str, Any]:
    document: dict[str, Any] = {
        "specversion": "1.0",
        "id": str(uuid.uuid4()),
        "source": "https://motcua.hochiminhcity.gov.vn",
        "type": INBOUND_TYPE,
        "time": "2023-06-08T04:15:00Z",
        "datacontenttype": "application/json",
        "data": data,
    }
    document.update(attributes)
    return document


FIELDS = sorted(valid_data())
FUZZ = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


AREA = "inbound validator"


def test_the_valid_baseline_is_accepted() -> None:
    event = decode_message(json.dumps(envelope(valid_data())).encode(), {}, None)
    parse_data(event, InboundInitiativeSubmittedV1)


@FUZZ
@given(field=st.sampled_from(FIELDS), value=_JSON | st.just(...))
def test_a_bad_data_field_is_refused_with_its_own_path(field: str, value: Any) -> None:
    data = valid_data()
    if value is ...:
        del data[field]
    else:
        data[field] = value
    body = json.dumps(envelope(data)).encode()
    count(AREA, "mutated events")
    try:
        event = decode_message(body, {}, "application/cloudevents+json")
        parse_data(event, InboundInitiativeSubmittedV1)
    except DecodeError as exc:
        count(AREA, "refused with a field and a reason")
        assert exc.errors
        for error in exc.errors:
            assert isinstance(error.message, str) and error.message.strip()
            assert error.field == f"$.data.{field}" or error.field.startswith(
                (f"$.data.{field}.", f"$.data.{field}[")
            ), (field, value, error.field)
    else:
        count(AREA, "still valid, accepted")


@FUZZ
@given(
    attribute=st.sampled_from(["specversion", "id", "source", "type", "time", "datacontenttype"]),
    value=_JSON | st.just(...),
)
def test_a_bad_attribute_is_refused_by_name(attribute: str, value: Any) -> None:
    document = envelope(valid_data())
    if value is ...:
        del document[attribute]
    else:
        document[attribute] = value
    count(AREA, "mutated events")
    try:
        event = decode_message(json.dumps(document).encode(), {}, None)
        parse_data(event, InboundInitiativeSubmittedV1)
    except DecodeError as exc:
        count(AREA, "refused with a field and a reason")
        assert exc.errors
        for error in exc.errors:
            assert error.message.strip()
            assert attribute in error.field or error.field.startswith("$.data"), (
                attribute,
                error.field,
            )
    else:
        count(AREA, "still valid, accepted")


@FUZZ
@given(
    body=st.binary(max_size=300)
    | _JSON.map(lambda v: json.dumps(v).encode())
    | st.fixed_dictionaries(
        {"source": _JSON, "id": _JSON}, optional={"data": _JSON, "type": _JSON}
    ).map(lambda v: json.dumps(v).encode()),
    message_id=st.none() | st.text(max_size=300),
    exchange=st.sampled_from(["cchc.inbound", ""]),
    routing_key=st.text(max_size=50),
)
def test_a_refused_message_is_always_named_within_bounds(
    body: bytes, message_id: str | None, exchange: str, routing_key: str
) -> None:
    incoming = IncomingMessage(
        body=body,
        headers={},
        content_type=None,
        message_id=message_id,
        exchange=exchange,
        routing_key=routing_key,
    )
    event = None
    count(AREA, "arbitrary messages named for the answer")
    with contextlib.suppress(DecodeError):
        event = decode_message(body, {}, None)
    source, origin_id = origin_of(incoming, event)
    assert isinstance(source, str) and source and len(source) <= _SOURCE_MAX
    assert isinstance(origin_id, str) and origin_id and len(origin_id) <= _ID_MAX
