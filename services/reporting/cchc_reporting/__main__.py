"""``python -m cchc_reporting [serve|migrate|rebuild]``.

``rebuild`` empties every read model and projects the whole event log again (the same as
``POST /api/v1/admin/rebuild``); it applies pending migrations first. Safe while the service
runs: events arriving meanwhile wait for the rebuild's transaction.
"""

import sys

from cchc_reporting.bootstrap import MIGRATIONS, create_app
from cchc_reporting.config import ReportingSettings
from cchc_reporting.entrypoints.cli import main as reporting_main
from cchc_shared.chassis.main import service_main

if len(sys.argv) > 1 and sys.argv[1] == "rebuild":
    raise SystemExit(reporting_main(sys.argv[1:]))
raise SystemExit(
    service_main(
        None, settings_factory=ReportingSettings, app_factory=create_app, migrations=MIGRATIONS
    )
)
