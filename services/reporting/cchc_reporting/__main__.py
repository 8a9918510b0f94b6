from cchc_reporting.bootstrap import MIGRATIONS, create_app
from cchc_reporting.config import ReportingSettings
from cchc_shared.chassis.main import service_main

raise SystemExit(
    service_main(
        None, settings_factory=ReportingSettings, app_factory=create_app, migrations=MIGRATIONS
    )
)
