"""Tables of the notifications service's own database.

``notifications`` is the outbox of mail: one row per message and recipient, with its stable
id, its content as composed when its cause arrived, and its delivery state. The other
tables keep what the events told (rounds, initiatives, agencies' contacts, evaluations)
and what people chose (preferences, the campaigns' review setting)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Uuid,
)

from cchc_shared.persistence.campaign_settings import define_campaign_settings
from cchc_shared.persistence.tables import (
    agency_code_column,
    campaign_year_column,
    define_kit_tables,
    title_column,
)
from cchc_shared.persistence.types import UtcDateTime

metadata = MetaData()
kit_tables = define_kit_tables(metadata)

notifications = Table(
    "notifications",
    metadata,
    Column("notification_id", Uuid, primary_key=True),
    Column("category", String(32), nullable=False),
    Column("status", String(16), nullable=False),
    Column("recipient_kind", String(16), nullable=False),
    Column("recipient_id", String(64), nullable=False),
    Column("recipient_name", String(300), nullable=False),
    Column("email", String(254)),
    Column("campaign_year", Integer),
    Column("round_id", Uuid),
    Column("cause", String(600), nullable=False),
    Column("subject", String(500), nullable=False),
    Column("body_text", Text, nullable=False),
    Column("body_html", Text, nullable=False),
    Column("attachments", JSON, nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("next_attempt_at", UtcDateTime),
    Column("last_error", Text, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("sent_at", UtcDateTime),
    Column("released_by", String(200)),
    Column("digest_id", Uuid),
    Index("ix_notifications_due", "status", "next_attempt_at"),
    Index("ix_notifications_round", "round_id"),
    Index("ix_notifications_recipient", "email", "status"),
)

rounds = Table(
    "rounds",
    metadata,
    Column("round_id", Uuid, primary_key=True),
    campaign_year_column(nullable=False),
    Column("sequence", Integer, nullable=False),
    Column("version", Integer, nullable=False),
    Column("status", String(16), nullable=False),  # confirmed | cancelled
    Column("data", JSON, nullable=False),  # the last RoundScheduled/Rescheduled data
    Column("updated_at", UtcDateTime, nullable=False),
)

initiatives = Table(
    "initiatives",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(nullable=False),
    agency_code_column(nullable=False),
    title_column(nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

agency_contacts = Table(
    "agency_contacts",
    metadata,
    Column("agency_code", String(16), primary_key=True),
    Column("email", String(254), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

evaluations = Table(
    "evaluations",
    metadata,
    Column("visit_id", Uuid, primary_key=True),
    Column("evaluator_id", String(64), primary_key=True),
    Column("recorded_at", UtcDateTime, nullable=False),
)

preferences = Table(
    "preferences",
    metadata,
    Column("recipient_kind", String(16), primary_key=True),
    Column("recipient_id", String(64), primary_key=True),
    Column("category", String(32), primary_key=True),
    Column("mode", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

campaign_settings = Table(
    "campaign_settings",
    metadata,
    Column("campaign_year", Integer, primary_key=True),
    Column("review_before_release", Boolean, nullable=False),
    Column("updated_by", String(200), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

# Each campaign's settings as intake announced them (campaign.settings_changed.v1): whether
# the secretary scores, and so is reminded of a missing evaluation. (``campaign_settings`` is
# the PAR office's own settings of this service.)
ANNOUNCED_CAMPAIGN_SETTINGS = "announced_campaign_settings"
announced_campaign_settings = define_campaign_settings(metadata, ANNOUNCED_CAMPAIGN_SETTINGS)
