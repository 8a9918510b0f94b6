from cchc_scheduling.bootstrap import MIGRATIONS, create_app
from cchc_scheduling.config import SchedulingSettings
from cchc_shared.chassis.main import service_main

raise SystemExit(
    service_main(
        None, settings_factory=SchedulingSettings, app_factory=create_app, migrations=MIGRATIONS
    )
)
