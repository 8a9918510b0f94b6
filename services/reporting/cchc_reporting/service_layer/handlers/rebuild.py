"""Use case: rebuild every read model from the event log."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from pydantic import ValidationError

from cchc_reporting.domain.facts import FactSet, facts_from_event
from cchc_reporting.ports import UnitOfWork
from cchc_shared.contracts.events import event_for_type

log = logging.getLogger("cchc.reporting")


@dataclass
class RebuildReport:
    events: int = 0
    projected: int = 0
    unknown_types: dict[str, int] = field(default_factory=dict)
    invalid: int = 0
    rows: dict[str, int] = field(default_factory=dict)
    generation: int = 0


async def rebuild(uow: UnitOfWork) -> RebuildReport:
    """Empty every read model and project the whole log again, in one transaction: readers
    see the old read models or the new ones, never a half-built state, and events arriving
    meanwhile wait for it (then project onto the rebuilt facts)."""
    report = RebuildReport()
    facts = FactSet()
    async with uow:
        await uow.log.lock_for_rebuild()
        async for logged in uow.log.stream():
            report.events += 1
            model = event_for_type(logged.event_type)
            if model is None:  # kept for a future version of the service that knows it
                report.unknown_types[logged.event_type] = (
                    report.unknown_types.get(logged.event_type, 0) + 1
                )
                continue
            try:
                data = model.model_validate(logged.data)
            except ValidationError:
                # Only valid events are logged; a contract cannot change incompatibly.
                log.error("logged event no longer valid", extra={"seq": logged.seq})
                report.invalid += 1
                continue
            facts.apply_all(facts_from_event(logged.event_id, logged.occurred_at, data))
            report.projected += 1
        report.rows = await uow.facts.replace_all(facts)
        report.generation = await uow.facts.bump_generation()
        await uow.commit()
    return report
