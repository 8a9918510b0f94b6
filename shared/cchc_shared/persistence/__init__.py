"""Persistence kit: engines from a URL (SQLite by default, PostgreSQL in production),
the outbox and inbox tables, the unit of work and Alembic helpers."""

from cchc_shared.persistence.database import create_engine, normalise_database_url
from cchc_shared.persistence.tables import KitTables, define_kit_tables
from cchc_shared.persistence.unit_of_work import SqlAlchemyUnitOfWork

__all__ = [
    "KitTables",
    "SqlAlchemyUnitOfWork",
    "create_engine",
    "define_kit_tables",
    "normalise_database_url",
]
