from cchc_replication.bootstrap import MIGRATIONS, create_app
from cchc_replication.config import ReplicationSettings
from cchc_shared.chassis.main import service_main

raise SystemExit(
    service_main(
        None, settings_factory=ReplicationSettings, app_factory=create_app, migrations=MIGRATIONS
    )
)
