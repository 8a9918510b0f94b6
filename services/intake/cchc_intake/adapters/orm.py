"""Tables of the intake service's own database (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
    false,
    text,
)

from cchc_shared.persistence.audit import define_audit_log
from cchc_shared.persistence.tables import (
    agency_code_column,
    campaign_year_column,
    define_kit_tables,
    kind_column,
    par_area_column,
    stored_file_columns,
    title_column,
)
from cchc_shared.persistence.types import UtcDateTime

metadata = MetaData()
kit_tables = define_kit_tables(metadata)

agencies = Table(
    "agencies",
    metadata,
    Column("code", String(16), primary_key=True),
    Column("name", String(300), nullable=False),
    Column("level", String(20), nullable=False),
    Column("parent_code", String(16), index=True),
    Column("unit_type", String(50)),
    Column("name_key", String(600), nullable=False),  # folded name, for search
)

campaigns = Table(
    "campaigns",
    metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("title", String(300), nullable=False),
    Column("submission_opens_on", Date, nullable=False),
    Column("submission_closes_on", Date, nullable=False),
    Column("survey_starts_on", Date, nullable=False),
    Column("survey_ends_on", Date, nullable=False),
    Column("plan_number", String(40)),
    Column("plan_signed_on", Date),
    Column("secretary_scores", Boolean, nullable=False, server_default=false()),
    Column("version", Integer, nullable=False, server_default=text("1")),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

initiatives = Table(
    "initiatives",
    metadata,
    Column("id", Uuid, primary_key=True),
    campaign_year_column(ForeignKey("campaigns.year")),
    agency_code_column(ForeignKey("agencies.code")),
    kind_column(),
    title_column(),
    Column("title_key", String(1000), nullable=False),
    Column("summary", Text, nullable=False),
    par_area_column(),
    Column("applied_since", Date, nullable=False),
    Column("results", Text, nullable=False),
    Column("limitations", Text, nullable=False),
    # The lineage across years: the earlier campaign's initiative this one builds on (no
    # foreign key: checked when given; an initiative is never deleted) and how.
    Column("builds_on_id", Uuid, index=True),
    Column("builds_on_relation", String(20)),
    Column("status", String(16), nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("origin_source", String(500)),
    Column("origin_id", String(200)),
    Column("amended_at", UtcDateTime),
    Column("withdrawn_at", UtcDateTime),
    Column("withdrawal_reason", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("search_text", Text, nullable=False),  # folded title, summary, results
    Column("created_at", UtcDateTime, nullable=False),
)
Index("ix_initiatives_campaign_agency", initiatives.c.campaign_year, initiatives.c.agency_code)
Index("ix_initiatives_submitted_at", initiatives.c.submitted_at)
# One live initiative per (campaign, agency, folded title): the database backs the 409 rule.
Index(
    "ux_initiatives_title",
    initiatives.c.campaign_year,
    initiatives.c.agency_code,
    initiatives.c.title_key,
    unique=True,
    sqlite_where=text("status = 'submitted'"),
    postgresql_where=text("status = 'submitted'"),
)
Index("ux_initiatives_origin", initiatives.c.origin_source, initiatives.c.origin_id, unique=True)

# Drafts live apart from initiatives: their content may be incomplete, and nothing that
# reads initiatives (lists, the title rule, events) should meet one. On submit the row
# moves to ``initiatives`` under the same id.
drafts = Table(
    "drafts",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("agency_code", String(16), ForeignKey("agencies.code"), nullable=False, index=True),
    Column("campaign_year", Integer, ForeignKey("campaigns.year")),
    Column("fields", JSON, nullable=False),  # the content fields given so far
    Column("created_at", UtcDateTime, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("updated_at", UtcDateTime),
    Column("version", Integer, nullable=False),
)

# One row per reminder sent of an unsubmitted draft, keyed by the draft and the deadline it
# was sent for: written in the transaction that puts DraftReminderDue in the outbox, so a
# sweep repeated, restarted or run by two replicas at once sends each reminder once. No
# foreign key: the record outlives the draft (submitted or discarded).
draft_reminders = Table(
    "draft_reminders",
    metadata,
    Column("draft_id", Uuid, primary_key=True),
    Column("submission_closes_on", Date, primary_key=True),
    campaign_year_column(),
    agency_code_column(),
    Column("reminded_at", UtcDateTime, nullable=False),
)

attachments = Table(
    "attachments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("initiative_id", Uuid, ForeignKey("initiatives.id"), nullable=False, index=True),
    *stored_file_columns(),
)

# Inbound messages refused at the edge, as received (domain/inbound.py): one row per origin,
# written with the InitiativeRejected that answered it; the id is that event's id.
inbound_rejections = Table(
    "inbound_rejections",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("origin_source", String(500), nullable=False),
    Column("origin_id", String(200), nullable=False),
    Column("campaign_year", Integer, index=True),
    Column("errors", JSON, nullable=False),
    Column("body", LargeBinary, nullable=False),
    Column("headers", JSON, nullable=False),
    Column("content_type", String(255)),
    Column("message_id", String(255)),
    Column("exchange", String(255), nullable=False),
    Column("routing_key", String(255), nullable=False),
    Column("publisher", String(255)),  # the broker user the broker verified
    Column("received_at", UtcDateTime, nullable=False),
    Column("rejected_at", UtcDateTime, nullable=False),
    Column("replays", Integer, nullable=False),
    Column("replayed_at", UtcDateTime),
    Column("replayed_by", String(200)),
)
Index(
    "ux_inbound_rejections_origin",
    inbound_rejections.c.origin_source,
    inbound_rejections.c.origin_id,
    unique=True,
)

# Every change by a person or a platform: initiatives, their attachments, campaigns.
audit_log = define_audit_log(metadata)
