from cchc_evaluation.bootstrap import MIGRATIONS, create_app
from cchc_evaluation.config import EvaluationSettings
from cchc_shared.chassis.main import service_main

raise SystemExit(
    service_main(
        None, settings_factory=EvaluationSettings, app_factory=create_app, migrations=MIGRATIONS
    )
)
