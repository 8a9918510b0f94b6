"""Commands of the reporting service beyond the chassis' ``serve`` and ``migrate``."""

from __future__ import annotations

import argparse
import asyncio
import json

from cchc_reporting.bootstrap import MIGRATIONS, uow_factory
from cchc_reporting.config import ReportingSettings
from cchc_reporting.service_layer import handlers
from cchc_shared.persistence import create_engine
from cchc_shared.persistence.migrations import upgrade_async


async def rebuild(settings: ReportingSettings) -> handlers.RebuildReport:
    await upgrade_async(settings.resolved_database_url, MIGRATIONS)
    engine = create_engine(settings.resolved_database_url)
    try:
        return await handlers.rebuild(uow_factory(engine, settings.source)())
    finally:
        await engine.dispose()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m cchc_reporting rebuild",
        description="Rebuild every read model of the reporting service from its event log.",
    )
    parser.add_argument("command", choices=["rebuild"])
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    args = parser.parse_args(argv)
    report = asyncio.run(rebuild(ReportingSettings()))
    if args.json:
        print(json.dumps(vars(report), ensure_ascii=False))
    else:
        print(
            f"reporting: rebuilt the read models from {report.events} logged events "
            f"({report.projected} projected, {sum(report.unknown_types.values())} of types "
            f"not projected, {report.invalid} invalid); generation {report.generation}"
        )
        for table, count in sorted(report.rows.items()):
            print(f"  {table}: {count} rows")
    return 0
