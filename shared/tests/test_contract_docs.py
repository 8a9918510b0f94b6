"""The committed contract documents (docs/events/*.json, docs/asyncapi.json) are current,
valid, and agree with the pydantic models."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from cchc_shared.contracts import EVENTS, EventData, encode_event
from cchc_shared.messaging.routing import all_queues
from cchc_tools.contracts.generate import ASYNCAPI_FILE, COMMAND, SCHEMAS_DIR, stale_files
from cchc_tools.contracts.schemas import (
    DIALECT,
    ENVELOPE_SCHEMA_NAME,
    EXAMPLES,
    render_schemas,
)

REPO = Path(__file__).resolve().parents[2]
TOOLS = REPO / "tools" / "asyncapi"
EVENT_IDS = [event.schema_name for event in EVENTS]


def committed(name: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads((REPO / SCHEMAS_DIR / f"{name}.json").read_text("utf-8"))
    return result


def validator(name: str) -> Draft202012Validator:
    schema = committed(name)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def sample(event: type[EventData]) -> dict[str, Any]:
    return event.model_validate(EXAMPLES[event.schema_name]).model_dump(mode="json")


# --- (a) the committed copies are what the code generates ------------------------------------


def test_committed_documents_are_up_to_date() -> None:
    stale = [str(path) for path in stale_files(REPO)]
    assert not stale, f"stale contract documents {stale}: run `{COMMAND}` and commit them"


def test_no_schema_file_without_a_model() -> None:
    on_disk = {path.name for path in (REPO / SCHEMAS_DIR).glob("*.json")}
    assert on_disk == set(render_schemas()), f"run `{COMMAND}` and remove orphaned files"


def test_rendering_is_deterministic() -> None:
    assert render_schemas() == render_schemas()


# --- (b) the JSON Schemas agree with the models ----------------------------------------------


@pytest.mark.parametrize("event", EVENTS, ids=EVENT_IDS)
def test_schema_identity(event: type[EventData]) -> None:
    schema = committed(event.schema_name)
    assert schema["$schema"] == DIALECT
    assert schema["$id"] == event.dataschema()
    assert schema["title"] and event.description in schema["description"]
    assert schema.get("additionalProperties", True) is True  # consumers ignore unknown fields


@pytest.mark.parametrize("event", EVENTS, ids=EVENT_IDS)
def test_sample_is_valid(event: type[EventData]) -> None:
    assert event.schema_name in EXAMPLES, "every event needs a documented example"
    data = sample(event)
    validator(event.schema_name).validate(data)
    assert committed(event.schema_name)["examples"] == [data]
    # Unknown fields are allowed by both.
    validator(event.schema_name).validate({**data, "x_future_field": [1, 2]})
    event.model_validate({**data, "x_future_field": [1, 2]})


@pytest.mark.parametrize("event", EVENTS, ids=EVENT_IDS)
def test_fields_with_defaults_may_be_left_out(event: type[EventData]) -> None:
    data = sample(event)
    optional = [name for name, f in event.model_fields.items() if not f.is_required()]
    minimal = {key: value for key, value in data.items() if key not in optional}
    event.model_validate(minimal)
    validator(event.schema_name).validate(minimal)


@pytest.mark.parametrize("event", EVENTS, ids=EVENT_IDS)
def test_each_required_field_is_required(event: type[EventData]) -> None:
    data = sample(event)
    check = validator(event.schema_name)
    for name, field in event.model_fields.items():
        if field.is_required():
            incomplete = {key: value for key, value in data.items() if key != name}
            assert not check.is_valid(incomplete), name
            with pytest.raises(ValidationError):
                event.model_validate(incomplete)


def _with(data: dict[str, Any], path: tuple[str | int, ...], value: Any) -> dict[str, Any]:
    changed = copy.deepcopy(data)
    target: Any = changed
    for part in path[:-1]:
        target = target[part]
    target[path[-1]] = value
    return changed


INVALID: list[tuple[str, tuple[str | int, ...], Any]] = [
    ("initiative.submitted.v1", ("par_area",), "sports"),
    ("initiative.submitted.v1", ("kind",), "idea"),
    ("initiative.submitted.v1", ("agency_code",), "snv"),
    ("initiative.submitted.v1", ("agency_code",), "7601"),
    ("initiative.submitted.v1", ("campaign_year",), 1999),
    ("initiative.submitted.v1", ("campaign_year",), "2023x"),
    ("initiative.submitted.v1", ("title",), ""),
    ("initiative.submitted.v1", ("title",), "Mô hình\x00A"),
    ("initiative.submitted.v1", ("title",), "dòng 1\ndòng 2"),
    ("initiative.submitted.v1", ("summary",), "chuông \x07"),
    ("initiative.submitted.v1", ("initiative_id",), "not-a-uuid"),
    ("initiative.submitted.v1", ("applied_since",), "2023-13-01"),
    ("inbound.initiative.submitted.v1", ("results",), 42),
    ("initiative.rejected.v1", ("errors",), []),
    ("initiative.rejected.v1", ("errors", 0, "message"), ""),
    ("round.scheduled.v1", ("sequence",), 0),
    ("round.scheduled.v1", ("team",), []),
    ("round.scheduled.v1", ("team", 0, "role"), "chair"),
    ("round.scheduled.v1", ("team", 0, "member_id"), "a b"),
    ("round.scheduled.v1", ("visits", 0, "starts_at"), "25:00"),
    ("evaluation.recorded.v1", ("total",), 100.5),
    ("evaluation.recorded.v1", ("scores", 0, "max_score"), 0),
    ("evaluation.recorded.v1", ("recommendation",), "maybe"),
    ("replication.recommended.v1", ("scope",), "national"),
    ("replication.recommended.v1", ("evaluation_count",), 0),
]


@pytest.mark.parametrize(("name", "path", "value"), INVALID)
def test_invalid_data_is_refused_by_schema_and_model(
    name: str, path: tuple[str | int, ...], value: Any
) -> None:
    event = next(e for e in EVENTS if e.schema_name == name)
    data = _with(sample(event), path, value)
    assert not validator(name).is_valid(data)
    with pytest.raises(ValidationError):
        event.model_validate(data)


@pytest.mark.parametrize("event", EVENTS, ids=EVENT_IDS)
def test_encoded_envelope_matches_envelope_schema(event: type[EventData]) -> None:
    encoded = encode_event(event.model_validate(sample(event)), source="/cchc/test")
    document = json.loads(encoded.body)
    check = validator(ENVELOPE_SCHEMA_NAME)
    check.validate(document)
    validator(event.schema_name).validate(document["data"])
    assert document["dataschema"] == event.dataschema()
    for broken in (
        {**document, "specversion": "0.3"},
        {**document, "type": "initiative.submitted.v1"},
        {**document, "data": "text"},
        {key: value for key, value in document.items() if key != "id"},
    ):
        assert not check.is_valid(broken)


# --- (c) the AsyncAPI document ---------------------------------------------------------------


def _asyncapi() -> dict[str, Any]:
    result: dict[str, Any] = json.loads((REPO / ASYNCAPI_FILE).read_text("utf-8"))
    return result


def _send_operation(document: dict[str, Any], event: type[EventData]) -> dict[str, Any]:
    """The one send operation of ``event``: on its exchange and routing key, by its owner."""
    found = []
    for operation in document["operations"].values():
        channel = document["channels"][_target(operation["channel"])]
        exchange = channel["bindings"]["amqp"].get("exchange", {})
        if (
            operation["action"] == "send"
            and channel["address"] == event.routing_key
            and exchange.get("name") == event.exchange
        ):
            found.append(operation)
    assert len(found) == 1, f"{event.__name__}: {len(found)} send operations"
    return found[0]


def _target(reference: dict[str, str]) -> str:
    return unquote(reference["$ref"].rsplit("/", 1)[-1])


def test_asyncapi_comes_from_faststream_and_covers_every_event() -> None:
    document = _asyncapi()
    assert document["asyncapi"] == "3.0.0"
    assert document["servers"]["rabbitmq"]["host"] == "localhost:5672"
    assert "CCHC_AMQP_URL" in document["servers"]["rabbitmq"]["description"]
    schemas = document["components"]["schemas"]
    for event in EVENTS:
        send = _send_operation(document, event)
        assert send["tags"] == [{"$ref": f"#/components/tags/{event.publisher}"}]
        [message_ref] = send["messages"]
        channel = document["channels"][_target(send["channel"])]
        in_channel = channel["messages"][_target(message_ref)]
        message = document["components"]["messages"][_target(in_channel)]
        assert message["name"] == event.__name__
        assert message["contentType"] == "application/cloudevents+json"
        # FastStream rendered the envelope: the event's own schema is its `data`.
        envelope = schemas[_target(message["payload"])]
        assert envelope["properties"]["type"]["const"] == event.event_type()
        assert _target(envelope["properties"]["data"]) == event.__name__
        payload = message["examples"][0]["payload"]
        validator(ENVELOPE_SCHEMA_NAME).validate(payload)
        validator(event.schema_name).validate(payload["data"])
        assert payload["type"] == event.event_type()


def test_asyncapi_receive_operations_are_the_routing_tables() -> None:
    """Every queue of every service's routing table is a receive operation, and no other."""
    document = _asyncapi()
    received = {
        document["channels"][_target(op["channel"])]["bindings"]["amqp"]["queue"]["name"]
        for op in document["operations"].values()
        if op["action"] == "receive"
    }
    expected = {spec.name for spec in all_queues()}
    assert received == expected
    inbound = document["channels"]["intake.inbound"]
    assert inbound["x-cchc-queue"]["arguments"]["x-queue-type"] == "quorum"
    assert inbound["x-cchc-queue"]["deadLetterQueue"] == "intake.inbound.dlq"


def _tool(name: str) -> str:
    path = shutil.which(name)
    assert path, f"{name} is needed to validate the AsyncAPI document (node >= 20 with npm)"
    return path


def test_asyncapi_document_passes_the_official_parser() -> None:
    node, npm = _tool("node"), _tool("npm")
    if not (TOOLS / "node_modules" / "@asyncapi" / "parser").is_dir():
        installed = subprocess.run(
            [npm, "ci", "--prefix", str(TOOLS), "--no-audit", "--no-fund"],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        assert installed.returncode == 0, f"npm ci failed:\n{installed.stdout}{installed.stderr}"
    result = subprocess.run(
        [node, str(TOOLS / "validate.mjs"), str(REPO / ASYNCAPI_FILE)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, f"AsyncAPI parser refused the document:\n{result.stderr}"
    assert "valid AsyncAPI 3.0.0" in result.stdout
