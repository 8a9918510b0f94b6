"""``python -m cchc_notifications [serve|migrate]``."""

from cchc_notifications.bootstrap import MIGRATIONS, create_app
from cchc_notifications.config import NotificationsSettings
from cchc_shared.chassis.main import service_main

raise SystemExit(
    service_main(
        None, settings_factory=NotificationsSettings, app_factory=create_app, migrations=MIGRATIONS
    )
)
