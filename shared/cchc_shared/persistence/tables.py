"""The kit's own tables, added to each service's metadata and created by its migrations, and
the columns every service stores alike: the contracts' identifiers and codes."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Float,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

from cchc_shared.persistence.types import UtcDateTime

# SQLite only autoincrements an INTEGER PRIMARY KEY.
SequenceInteger = BigInteger().with_variant(Integer(), "sqlite")


# Columns named and typed as the event data name and bound them (cchc_shared.contracts). Each
# takes Column's other arguments (a ForeignKey, primary_key, index, ...); not null unless told.


def _column(name: str, type_: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Column[Any]:
    kwargs.setdefault("nullable", False)
    return Column(name, type_, *args, **kwargs)


def campaign_year_column(*args: Any, **kwargs: Any) -> Column[Any]:
    """``campaign_year``: the campaign a row belongs to."""
    return _column("campaign_year", Integer, args, kwargs)


def agency_code_column(*args: Any, **kwargs: Any) -> Column[Any]:
    """``agency_code``: an agency's code (SNV, a 3-digit district, a 5-digit ward)."""
    return _column("agency_code", String(16), args, kwargs)


def kind_column(*args: Any, **kwargs: Any) -> Column[Any]:
    """``kind``: an initiative's kind (model, solution, initiative)."""
    return _column("kind", String(20), args, kwargs)


def title_column(*args: Any, **kwargs: Any) -> Column[Any]:
    """``title``: an initiative's title."""
    return _column("title", String(300), args, kwargs)


def par_area_column(*args: Any, **kwargs: Any) -> Column[Any]:
    """``par_area``: the PAR area an initiative belongs to."""
    return _column("par_area", String(32), args, kwargs)


def par_contribution_columns() -> list[Column[Any]]:
    """A unit's PAR-Index contribution to a campaign (par_index_contribution.updated.v1), keyed
    by campaign and unit: what evaluation computes and announces, and reporting shows."""
    return [
        campaign_year_column(primary_key=True),
        agency_code_column(primary_key=True),
        Column("submitted", Integer, nullable=False),
        Column("surveyed", Integer, nullable=False),
        Column("recommended", Integer, nullable=False),
        Column("mean_score", Float),
        Column("points", Float, nullable=False),
        Column("rule", JSON, nullable=False),
    ]


@dataclass(frozen=True)
class KitTables:
    outbox: Table
    inbox: Table


def define_kit_tables(metadata: MetaData) -> KitTables:
    outbox = Table(
        "outbox",
        metadata,
        Column("seq", SequenceInteger, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(200), nullable=False),
        Column("exchange", String(100), nullable=False),
        Column("routing_key", String(200), nullable=False),
        Column("content_type", String(100), nullable=False),
        Column("headers", JSON, nullable=False),
        Column("body", LargeBinary, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("available_at", DateTime(timezone=True), nullable=False),
        Column("attempts", Integer, nullable=False, server_default=text("0")),
        Column("claimed_by", String(100)),
        Column("claimed_until", DateTime(timezone=True)),
        Column("sent_at", DateTime(timezone=True)),
        Column("last_error", Text),
    )
    Index(
        "ix_outbox_pending",
        outbox.c.available_at,
        outbox.c.seq,
        postgresql_where=outbox.c.sent_at.is_(None),
        sqlite_where=outbox.c.sent_at.is_(None),
    )
    Index("ix_outbox_sent_at", outbox.c.sent_at)
    inbox = Table(
        "inbox",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("event_source", String(500), nullable=False),
        Column("event_id", String(200), nullable=False),
        Column("event_type", String(200), nullable=False),
        Column("received_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("consumer", "event_source", "event_id", name="pk_inbox"),
    )
    return KitTables(outbox=outbox, inbox=inbox)


def stored_file_columns() -> list[Column[Any]]:
    """What a service keeps of a file it stored (``cchc_shared.files``): its cleaned name, the
    type its content announced, size and digest, where the bytes are, who put it there, when."""
    return [
        Column("filename", String(200), nullable=False),
        Column("media_type", String(100), nullable=False),
        Column("size", BigInteger, nullable=False),
        Column("sha256", String(64), nullable=False),
        Column("storage_key", String(200), nullable=False),
        Column("uploaded_at", UtcDateTime, nullable=False),
        Column("uploaded_by", String(200), nullable=False),
    ]
