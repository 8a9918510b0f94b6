"""Tables of the reporting service's own database.

``event_log`` keeps every received event, append-only, exactly as it arrived. The ``rm_*``
tables are the read models' facts, projected from the log; ``python -m cchc_reporting
rebuild`` empties and refills them from the log.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Date,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    Uuid,
)

from cchc_shared.persistence.tables import (
    SequenceInteger,
    agency_code_column,
    campaign_year_column,
    define_kit_tables,
    kind_column,
    par_area_column,
    par_contribution_columns,
    title_column,
)
from cchc_shared.persistence.types import UtcDateTime

metadata = MetaData()
kit_tables = define_kit_tables(metadata)


# Version tie-breaks compare event ids as Python does (code points): byte order on PostgreSQL.
EventIdText = String(200).with_variant(String(200, collation="C"), "postgresql")
Version = BigInteger


def _version_columns() -> list[Column[Any]]:
    return [
        Column("version", Version, nullable=False),
        Column("version_event_id", EventIdText, nullable=False),
    ]


event_log = Table(
    "event_log",
    metadata,
    Column("seq", SequenceInteger, primary_key=True, autoincrement=True),
    Column("event_source", String(500), nullable=False),
    Column("event_id", String(200), nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("subject", String(500)),
    Column("occurred_at", UtcDateTime),
    Column("data", JSON, nullable=False),
    Column("received_at", UtcDateTime, nullable=False),
    UniqueConstraint("event_source", "event_id", name="ux_event_log_event"),
)

rm_initiative = Table(
    "rm_initiative",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(),
    agency_code_column(),
    kind_column(),
    title_column(),
    Column("summary", Text, nullable=False),
    par_area_column(),
    Column("applied_since", Date, nullable=False),
    Column("results", Text, nullable=False),
    Column("limitations", Text, nullable=False),
    Column("submitted_at", UtcDateTime, nullable=False),
    Column("amended_at", UtcDateTime),
    *_version_columns(),
    # The lineage across years: the earlier initiative it builds on (no foreign key: events
    # arrive in any order) and how.
    Column("builds_on_id", Uuid, index=True),
    Column("builds_on_relation", String(20)),
)
Index("ix_rm_initiative_year", rm_initiative.c.campaign_year)

rm_withdrawal = Table(
    "rm_withdrawal",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(),
    agency_code_column(),
    Column("reason", Text, nullable=False),
    Column("withdrawn_at", UtcDateTime, nullable=False),
    *_version_columns(),
)
Index("ix_rm_withdrawal_year", rm_withdrawal.c.campaign_year)

rm_round = Table(
    "rm_round",
    metadata,
    Column("round_id", Uuid, primary_key=True),
    campaign_year_column(),
    Column("sequence", Integer, nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("team", JSON, nullable=False),
    Column("rescheduled", Boolean, nullable=False),
    Column("reason", Text, nullable=False),
    *_version_columns(),
)
Index("ix_rm_round_year", rm_round.c.campaign_year)

rm_visit = Table(
    "rm_visit",
    metadata,
    Column("round_id", Uuid, primary_key=True),
    Column("visit_id", Uuid, primary_key=True),
    Column("position", Integer, nullable=False),
    Column("initiative_id", Uuid, nullable=False),
    agency_code_column(),
    Column("visit_date", Date, nullable=False),
    Column("starts_at", Time, nullable=False),
)
Index("ix_rm_visit_initiative", rm_visit.c.initiative_id)

rm_round_cancellation = Table(
    "rm_round_cancellation",
    metadata,
    Column("round_id", Uuid, primary_key=True),
    campaign_year_column(),
    Column("sequence", Integer, nullable=False),
    Column("reason", Text, nullable=False),
    Column("cancelled_at", UtcDateTime, nullable=False),
    *_version_columns(),
)
Index("ix_rm_round_cancellation_year", rm_round_cancellation.c.campaign_year)

rm_evaluation = Table(
    "rm_evaluation",
    metadata,
    Column("evaluation_id", Uuid, primary_key=True),
    Column("initiative_id", Uuid, nullable=False),
    Column("round_id", Uuid, nullable=False),
    Column("visit_id", Uuid, nullable=False),
    Column("evaluator_id", String(64), nullable=False),
    Column("scores", JSON, nullable=False),
    Column("total", Float, nullable=False),
    Column("strengths", Text, nullable=False),
    Column("limitations", Text, nullable=False),
    Column("difficulties", Text, nullable=False),
    Column("recommendation", String(20), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    *_version_columns(),
)
Index("ix_rm_evaluation_initiative", rm_evaluation.c.initiative_id)
Index("ix_rm_evaluation_round", rm_evaluation.c.round_id)

rm_recommendation = Table(
    "rm_recommendation",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(),
    agency_code_column(),
    title_column(),
    kind_column(),
    par_area_column(),
    Column("final_score", Float, nullable=False),
    Column("evaluation_count", Integer, nullable=False),
    Column("scope", String(20), nullable=False),
    Column("rationale", Text, nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    *_version_columns(),
)
Index("ix_rm_recommendation_year", rm_recommendation.c.campaign_year)

rm_decision = Table(
    "rm_decision",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(),
    Column("decision", String(20), nullable=False),
    Column("scope", String(20)),
    Column("final_score", Float, nullable=False),
    Column("evaluation_count", Integer, nullable=False),
    Column("rationale", Text, nullable=False),
    Column("overridden", Boolean, nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
    *_version_columns(),
)
Index("ix_rm_decision_year", rm_decision.c.campaign_year)

rm_rejection = Table(
    "rm_rejection",
    metadata,
    Column("origin_source", String(500), primary_key=True),
    Column("origin_id", String(200), primary_key=True),
    Column("errors", JSON, nullable=False),
    Column("occurred_at", UtcDateTime),
    campaign_year_column(nullable=True),
    *_version_columns(),
)

# Each unit's PAR-Index contribution as the evaluation service announced it (the newest version).
rm_par_contribution = Table(
    "rm_par_contribution",
    metadata,
    *par_contribution_columns(),
    Column("computed_at", UtcDateTime, nullable=False),
    *_version_columns(),
)

# One row per setting; ``generation`` grows at every rebuild so cached views are dropped.
rm_meta = Table(
    "rm_meta",
    metadata,
    Column("key", String(50), primary_key=True),
    Column("value", BigInteger, nullable=False),
)

# The follow-up of replication (replication.decided.v1, adoption.reported.v1).
rm_recognition = Table(
    "rm_recognition",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    Column("decision_id", Uuid, nullable=False),
    Column("decision_number", String(40), nullable=False),
    Column("signed_on", Date, nullable=False),
    Column("signer_name", String(300), nullable=False),
    Column("signer_title", String(300), nullable=False),
    campaign_year_column(),
    agency_code_column(),
    title_column(),
    kind_column(),
    par_area_column(),
    Column("scope", String(20), nullable=False),
    Column("targets", JSON, nullable=False),  # list of agency codes
    Column("deadline", Date, nullable=False),
    *_version_columns(),
)

rm_adoption = Table(
    "rm_adoption",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    agency_code_column(primary_key=True),
    Column("quarter", String(7), primary_key=True),
    Column("report_id", Uuid, nullable=False),
    Column("decision_id", Uuid, nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("started_on", Date),
    Column("adaptation", Text, nullable=False),
    Column("measured_from", Date),
    Column("measured_to", Date),
    Column("processing_days_before", Float),
    Column("processing_days_after", Float),
    Column("satisfaction_percent", Float),
    Column("cases_handled", Integer),
    Column("late", Boolean, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    *_version_columns(),
)

READ_MODEL_TABLES: tuple[Table, ...] = (
    rm_initiative,
    rm_withdrawal,
    rm_round,
    rm_visit,
    rm_round_cancellation,
    rm_evaluation,
    rm_recommendation,
    rm_decision,
    rm_rejection,
    rm_par_contribution,
    rm_recognition,
    rm_adoption,
)

# Each campaign's settings as intake announced them (campaign.settings_changed.v1).
rm_campaign_settings = Table(
    "rm_campaign_settings",
    metadata,
    campaign_year_column(primary_key=True),
    Column("plan_number", String(40)),
    Column("plan_signed_on", Date),
    Column("secretary_scores", Boolean, nullable=False),
    *_version_columns(),
)
