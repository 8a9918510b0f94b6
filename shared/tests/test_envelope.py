"""CloudEvents envelope: encoding, decoding in structured and binary mode, and the faults named."""

from __future__ import annotations

import json
import unicodedata
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_shared.contracts import (
    CONTENT_TYPE_CLOUDEVENTS,
    DecodeError,
    InboundInitiativeSubmittedV1,
    InitiativeSubmittedV1,
    RoundScheduledV1,
    decode_message,
    encode_event,
    parse_data,
)
from cchc_tools.contracts.schemas import EXAMPLES

SUBMITTED = InitiativeSubmittedV1.model_validate(EXAMPLES["initiative.submitted.v1"])
ROUND = RoundScheduledV1.model_validate(EXAMPLES["round.scheduled.v1"])
WHEN = datetime(2023, 6, 8, 4, 15, tzinfo=UTC)
EVENT_ID = "3f0c2a9e-7d41-4b8e-9a51-0c6d2e8f1b47"


def structured(data: dict[str, Any], **attributes: Any) -> bytes:
    document = {
        "specversion": "1.0",
        "id": EVENT_ID,
        "source": "https://motcua.hochiminhcity.gov.vn",
        "type": InboundInitiativeSubmittedV1.event_type(),
        "data": data,
        **attributes,
    }
    return json.dumps(document, ensure_ascii=False).encode()


def inbound_data(**changes: Any) -> dict[str, Any]:
    return {**EXAMPLES["inbound.initiative.submitted.v1"], **changes}


def decode_errors(body: bytes, headers: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    with pytest.raises(DecodeError) as caught:
        decode_message(body, headers)
    return [(e.field, e.message) for e in caught.value.errors]


def data_errors(data: dict[str, Any]) -> dict[str, str]:
    event = decode_message(structured(data))
    with pytest.raises(DecodeError) as caught:
        parse_data(event, InboundInitiativeSubmittedV1)
    return {e.field: e.message for e in caught.value.errors}


# --- encoding and structured mode -----------------------------------------------------------


@pytest.mark.parametrize("data", [SUBMITTED, ROUND], ids=["submitted", "round"])
def test_structured_round_trip(data: InitiativeSubmittedV1 | RoundScheduledV1) -> None:
    encoded = encode_event(data, source="/cchc/intake", event_id=EVENT_ID, occurred_at=WHEN)
    assert (encoded.exchange, encoded.routing_key) == ("cchc.events", data.routing_key)
    assert encoded.event_id == EVENT_ID and encoded.content_type == CONTENT_TYPE_CLOUDEVENTS
    event = decode_message(encoded.body, encoded.headers, encoded.content_type)
    assert event.specversion == "1.0" and event.id == EVENT_ID and event.source == "/cchc/intake"
    assert event.type == data.event_type() and event.subject == data.subject()
    assert event.time == WHEN and event.dataschema == data.dataschema()
    assert event.datacontenttype == "application/json"
    assert parse_data(event, type(data)) == data


def test_encoded_time_is_utc_with_z() -> None:
    from zoneinfo import ZoneInfo

    local = datetime(2023, 6, 8, 11, 15, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))
    body = json.loads(encode_event(SUBMITTED, source="/cchc/intake", occurred_at=local).body)
    assert body["time"] == "2023-06-08T04:15:00Z"
    assert (
        encode_event(SUBMITTED, source="/x").event_id
        != encode_event(SUBMITTED, source="/x").event_id
    )


def test_unknown_attributes_and_data_fields_are_ignored() -> None:
    body = structured(inbound_data(future_field={"a": 1}), traceparent="00-ab-cd-01", x_new="y")
    event = decode_message(body)
    assert event.model_extra == {"traceparent": "00-ab-cd-01", "x_new": "y"}
    data = parse_data(event, InboundInitiativeSubmittedV1)
    assert "future_field" not in data.model_dump()


# --- binary mode ----------------------------------------------------------------------------


@pytest.mark.parametrize("prefix", ["cloudEvents_", "cloudEvents:", "ce-"])
@pytest.mark.parametrize("as_bytes", [False, True], ids=["str", "bytes"])
def test_binary_mode(prefix: str, as_bytes: bool) -> None:
    attributes = {
        "specversion": "1.0",
        "id": EVENT_ID,
        "source": "https://motcua.hochiminhcity.gov.vn",
        "type": InboundInitiativeSubmittedV1.event_type(),
        "subject": "26740",
        "time": "2023-06-08T04:15:00Z",
    }
    headers: dict[str, Any] = {
        prefix + key: value.encode() if as_bytes else value for key, value in attributes.items()
    }
    headers["x-unrelated"] = "ignored"
    body = json.dumps(inbound_data(), ensure_ascii=False).encode()
    event = decode_message(body, headers, "application/json; charset=utf-8")
    assert (event.id, event.subject, event.time) == (EVENT_ID, "26740", WHEN)
    assert event.datacontenttype == "application/json; charset=utf-8"
    assert "x-unrelated" not in (event.model_extra or {})
    data = parse_data(event, InboundInitiativeSubmittedV1)
    assert data.title == EXAMPLES["inbound.initiative.submitted.v1"]["title"]


def test_binary_mode_text_data_and_bad_json() -> None:
    headers = {"ce-specversion": "1.0", "ce-id": "1", "ce-source": "/p", "ce-type": "t"}
    assert decode_message(b"hello", headers, "text/plain").data == "hello"
    assert decode_message(b"", headers).data is None
    assert decode_errors(b"{oops", headers)[0][0] == ""
    with pytest.raises(DecodeError, match="not UTF-8"):
        decode_message(b"\xff", headers, "text/plain")


def test_binary_mode_missing_attribute_is_named() -> None:
    headers = {"ce-specversion": "1.0", "ce-id": "1", "ce-type": "t"}
    assert [field for field, _ in decode_errors(b"{}", headers)] == ["$.source"]


def test_binary_header_that_is_not_utf8_is_refused() -> None:
    headers = {"ce-specversion": "1.0", "ce-id": b"\xff\xfe", "ce-source": "/p", "ce-type": "t"}
    assert decode_errors(b"{}", headers) == [("$.id", "header value is not UTF-8 text")]


# --- faults in the body ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "body is not valid JSON"),
        (b"", "body is not valid JSON"),
        ("Sáng kiến".encode("utf-16"), "body is not UTF-8 text"),
        (b"\xc3\x28", "body is not UTF-8 text"),
        (b"[1, 2]", "a JSON object was expected"),
        (b'"text"', "a JSON object was expected"),
        (b"1" * 5000, "body is not acceptable JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "body is not acceptable JSON"),
    ],
    ids=["not-json", "empty", "utf-16", "bad-utf8", "array", "string", "huge-int", "deep"],
)
def test_body_faults(body: bytes, message: str) -> None:
    ((field, text),) = decode_errors(body)
    assert field == "" and message in text


def test_each_missing_attribute_is_named() -> None:
    for name in ("specversion", "id", "source", "type"):
        document = json.loads(structured(inbound_data()))
        del document[name]
        assert [f for f, _ in decode_errors(json.dumps(document).encode())] == [f"$.{name}"]
    assert [f for f, _ in decode_errors(b"{}")] == ["$.specversion", "$.id", "$.source", "$.type"]


def test_bad_attributes_are_named() -> None:
    errors = dict(decode_errors(structured({}, specversion="0.3", id="", time="yesterday")))
    assert set(errors) == {"$.specversion", "$.id", "$.time"}


# --- faults in data -------------------------------------------------------------------------


def test_bad_data_fields_are_named_by_path() -> None:
    data = inbound_data(par_area="sports", campaign_year="năm nay", agency_code="snv")
    del data["title"]
    errors = data_errors(data)
    assert set(errors) == {
        "$.data.par_area",
        "$.data.campaign_year",
        "$.data.agency_code",
        "$.data.title",
    }
    assert "Field required" in errors["$.data.title"]


def test_nested_data_fields_are_named_by_path() -> None:
    data = ROUND.model_dump(mode="json")
    data["team"][0]["role"] = "chair"
    data["visits"][0]["starts_at"] = "25:00"
    event = decode_message(structured(data, type=RoundScheduledV1.event_type()))
    with pytest.raises(DecodeError) as caught:
        parse_data(event, RoundScheduledV1)
    assert {e.field for e in caught.value.errors} == {
        "$.data.team[0].role",
        "$.data.visits[0].starts_at",
    }


def test_data_must_be_an_object() -> None:
    event = decode_message(structured([1, 2]))  # type: ignore[arg-type]
    with pytest.raises(DecodeError) as caught:
        parse_data(event, InboundInitiativeSubmittedV1)
    assert [e.field for e in caught.value.errors] == ["$.data"]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("title", "Mô hình\x00", "U+0000"),
        ("title", "Tab\tinside", "U+0009"),
        ("title", "two\nlines", "U+000A"),
        ("summary", "bell \x07", "U+0007"),
        ("summary", "C1 \x85 next line", "U+0085"),
        ("results", "escape \x1b[31m", "U+001B"),
    ],
)
def test_control_characters_are_refused(field: str, value: str, code: str) -> None:
    errors = data_errors(inbound_data(**{field: value}))
    assert list(errors) == [f"$.data.{field}"] and code in errors[f"$.data.{field}"]


def test_multiline_text_keeps_line_breaks_and_tabs() -> None:
    event = decode_message(structured(inbound_data(summary="Dòng 1\r\n\tDòng 2")))
    assert parse_data(event, InboundInitiativeSubmittedV1).summary == "Dòng 1\r\n\tDòng 2"


def test_text_is_normalised_to_nfc_and_trimmed() -> None:
    title = unicodedata.normalize("NFD", "  Mô hình “Phường Bến Nghé” ")
    assert title.strip() != unicodedata.normalize("NFC", title.strip())
    event = decode_message(structured(inbound_data(title=title, summary=title)))
    data = parse_data(event, InboundInitiativeSubmittedV1)
    assert data.title == data.summary == "Mô hình “Phường Bến Nghé”"
    assert unicodedata.is_normalized("NFC", data.title)


# --- decode_message never raises anything but DecodeError -----------------------------------

_PREFIXES = st.sampled_from(["cloudEvents_", "cloudEvents:", "ce-", "ce_", "x-", ""])
_NAMES = st.sampled_from(
    ["specversion", "id", "source", "type", "time", "subject", "data", "datacontenttype", ""]
)
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
_HEADER_VALUES = (
    st.binary(max_size=20)
    | st.text(max_size=20)
    | st.sampled_from(["1.0", "2023-06-08T04:15:00Z", "2023-06-08T04:15:00"])
    | st.integers()
    | st.none()
    | st.datetimes()
    | st.lists(st.integers(), max_size=3)
)
_HEADERS = st.dictionaries(
    st.builds(lambda p, n: p + n, _PREFIXES, _NAMES) | st.text(max_size=12),
    _HEADER_VALUES,
    max_size=8,
)


@st.composite
def _bodies(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["bytes", "json", "envelope", "deep", "digits"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "json":
        return json.dumps(draw(_JSON)).encode()
    if kind == "deep":
        depth = draw(st.sampled_from([5, 900, 1_100, 5_000, 100_000]))
        return b'{"specversion":"1.0","id":"1","source":"/s","type":"t","data":' + (
            b"[" * depth + b"]" * depth + b"}"
        )
    if kind == "digits":
        return b"-" * draw(st.integers(0, 1)) + b"7" * draw(st.sampled_from([9, 4300, 4301, 9999]))
    envelope: dict[str, Any] = draw(
        st.fixed_dictionaries(
            {},
            optional={
                "specversion": st.sampled_from(["1.0", "0.3"]) | _JSON,
                "id": st.text(max_size=10) | _JSON,
                "source": st.text(max_size=10) | _JSON,
                "type": st.text(max_size=10) | _JSON,
                "time": st.sampled_from(["2023-06-08T04:15:00Z", "nope"]) | _JSON,
                "subject": _JSON,
                "data": _JSON,
            },
        )
    )
    envelope.update(draw(st.dictionaries(st.text(max_size=8), _JSON, max_size=3)))
    return json.dumps(envelope).encode()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    body=_bodies(),
    headers=st.none() | _HEADERS,
    content_type=st.none() | st.sampled_from(["application/json", "text/plain", "", "x/y;json"]),
)
def test_decode_message_only_ever_raises_decode_error(
    body: bytes, headers: dict[str, Any] | None, content_type: str | None
) -> None:
    try:
        event = decode_message(body, headers, content_type)
    except DecodeError as exc:
        assert exc.errors and all(isinstance(e.field, str) and e.message for e in exc.errors)
    else:
        assert event.specversion == "1.0"
        try:
            parse_data(event, InboundInitiativeSubmittedV1)
        except DecodeError as exc:
            assert all(e.field.startswith("$.data") for e in exc.errors)
