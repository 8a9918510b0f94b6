"""A refused message's AMQP headers kept as JSON come back exactly as they were received."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal

from cchc_shared.messaging.consumer import headers_as_json, headers_from_json


def test_headers_survive_a_json_column() -> None:
    headers = {
        "cloudEvents:id": "abc",
        "count": 3,
        "ratio": 0.5,
        "flag": True,
        "nothing": None,
        "raw": b"\x00\xffbytes",
        "at": datetime(2023, 6, 1, 9, 30, tzinfo=UTC),
        "amount": Decimal("12.50"),
        "x-death": [{"queue": "q", "count": 2, "reason": b"rejected"}],
        "looks-tagged": {"$bytes": "not really"},
    }
    stored = json.loads(json.dumps(headers_as_json(headers)))
    assert headers_from_json(stored) == headers
