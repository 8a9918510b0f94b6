"""The contact directory of agencies: each agency's official mailbox (hộp thư công vụ), part
of intake's reference data (``data/agency-contacts.json``). Intake carries it on its
initiative events, so that a service writing to an agency keeps no directory of its own."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def agency_contacts() -> dict[str, str]:
    text = (
        resources.files("cchc_intake")
        .joinpath("data", "agency-contacts.json")
        .read_text(encoding="utf-8")
    )
    contacts: dict[str, str] = json.loads(text)["contacts"]
    return contacts


def agency_email(code: str) -> str | None:
    """The agency's contact address, or None for a code the directory does not know."""
    return agency_contacts().get(code)
