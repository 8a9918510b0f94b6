from alembic import context

from cchc_intake.adapters.orm import metadata
from cchc_shared.persistence.migrations import run_env

run_env(context, metadata)  # type: ignore[arg-type]
