from alembic import context

from cchc_shared.persistence.migrations import run_env

# The service's metadata, when the caller gives it (autogenerate compares against it).
run_env(context, context.config.attributes.get("target_metadata"))  # type: ignore[arg-type]
