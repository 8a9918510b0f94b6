"""The committed JSON Schemas of the event contract (docs/events/), as validators."""

from __future__ import annotations

import json
import warnings
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from cchc_shared.contracts import EVENTS

DOCS = Path(__file__).resolve().parents[3] / "docs" / "events"


@cache
def validator(schema_name: str) -> Draft202012Validator:
    path = DOCS / f"{schema_name}.json"
    if path.exists():
        schema = json.loads(path.read_text(encoding="utf-8"))
    else:  # until the generated schemas are committed
        warnings.warn(f"{path} is missing; validating against the model's schema", stacklevel=2)
        model = next(e for e in EVENTS if e.schema_name == schema_name)
        schema = model.model_json_schema()
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def assert_contract_valid(envelope: dict[str, Any], schema_name: str) -> None:
    """The whole CloudEvent against cloudevent.json and its data against the event's schema."""
    if (DOCS / "cloudevent.json").exists():
        errors = sorted(validator("cloudevent").iter_errors(envelope), key=str)
        assert not errors, [e.message for e in errors]
    errors = sorted(validator(schema_name).iter_errors(envelope["data"]), key=str)
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors]
