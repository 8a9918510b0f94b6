from cchc_intake.bootstrap import MIGRATIONS, create_app
from cchc_intake.config import IntakeSettings
from cchc_shared.chassis.main import service_main

raise SystemExit(
    service_main(
        None, settings_factory=IntakeSettings, app_factory=create_app, migrations=MIGRATIONS
    )
)
