"""Tables of the evaluation service's own database (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
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
    text,
)

from cchc_shared.persistence.audit import define_audit_log
from cchc_shared.persistence.campaign_settings import define_campaign_settings
from cchc_shared.persistence.tables import (
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

# What intake announced (InitiativeSubmitted/Amended/Withdrawn).
initiatives = Table(
    "initiatives",
    metadata,
    Column("id", Uuid, primary_key=True),
    campaign_year_column(),
    agency_code_column(),
    Column("status", String(16), nullable=False),
    kind_column(nullable=True),
    title_column(nullable=True),
    Column("summary", Text),
    par_area_column(nullable=True),
    Column("content_as_of", UtcDateTime),
    Column("withdrawn_at", UtcDateTime),
)
Index("ix_initiatives_campaign", initiatives.c.campaign_year)
# A unit's initiatives, read at every change of its PAR-Index contribution.
Index("ix_initiatives_campaign_agency", initiatives.c.campaign_year, initiatives.c.agency_code)

# What scheduling announced (RoundScheduled/Rescheduled/Cancelled).
rounds = Table(
    "rounds",
    metadata,
    Column("id", Uuid, primary_key=True),
    campaign_year_column(),
    Column("sequence", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("starts_on", Date),
    Column("ends_on", Date),
    Column("as_of", UtcDateTime),
    Column("as_of_rank", Integer, nullable=False),
    Column("cancelled_at", UtcDateTime),
    Column("cancel_reason", Text, nullable=False),
)

round_members = Table(
    "round_members",
    metadata,
    Column("round_id", Uuid, primary_key=True),
    Column("member_id", String(64), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("name", String(300), nullable=False),
    Column("role", String(16), nullable=False),
    agency_code_column(),
)
Index("ix_round_members_member", round_members.c.member_id)

visits = Table(
    "visits",
    metadata,
    Column("visit_id", Uuid, primary_key=True),
    Column("round_id", Uuid, nullable=False, index=True),
    Column("position", Integer, nullable=False),
    Column("initiative_id", Uuid, nullable=False, index=True),
    agency_code_column(),
    Column("date", Date, nullable=False),
    Column("starts_at", Time, nullable=False),
)

rubrics = Table(
    "rubrics",
    metadata,
    campaign_year_column(primary_key=True, autoincrement=False),
    Column("definition", JSON, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("updated_by", String(200), nullable=False),
)

evaluations = Table(
    "evaluations",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("initiative_id", Uuid, nullable=False),
    Column("round_id", Uuid, nullable=False),
    Column("visit_id", Uuid, nullable=False),
    Column("evaluator_id", String(64), nullable=False),
    campaign_year_column(index=True),
    Column("scores", JSON, nullable=False),
    Column("total", Float, nullable=False),
    Column("strengths", Text, nullable=False),
    Column("limitations", Text, nullable=False),
    Column("difficulties", Text, nullable=False),
    Column("recommendation", String(20), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    # One evaluation per member per initiative: the database backs the rule.
    UniqueConstraint("initiative_id", "evaluator_id", name="uq_evaluations_member"),
)

# The Idempotency-Key of each evaluation recorded with one (a device's queued submission):
# written in the transaction that records the evaluation, so a retry finds it or finds nothing.
evaluation_request_keys = Table(
    "evaluation_request_keys",
    metadata,
    Column("evaluator_id", String(64), primary_key=True),
    Column("idempotency_key", String(200), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("evaluation_id", Uuid, nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

sector_opinions = Table(
    "sector_opinions",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    agency_code_column(),
    Column("stance", String(32), nullable=False),
    Column("opinion", Text, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    Column("recorded_at", UtcDateTime, nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(index=True),
    Column("decision", String(20), nullable=False),
    Column("scope", String(20)),
    Column("rationale", Text, nullable=False),
    Column("override_reason", Text),
    Column("overridden", Boolean, nullable=False),
    Column("final_score", Float, nullable=False),
    Column("evaluation_count", Integer, nullable=False),
    Column("decided_by", String(200), nullable=False),
    Column("decided_at", UtcDateTime, nullable=False),
)

# The PAR-Index contribution last announced per campaign and unit (ParIndexContributionUpdated):
# kept to announce only changes, each with the next version.
par_contributions = Table(
    "par_contributions",
    metadata,
    *par_contribution_columns(),
    Column("adopted", Integer, nullable=False, server_default=text("0")),
    Column("final_score_method", String(10), nullable=False),
    Column("version", Integer, nullable=False),
    Column("computed_at", UtcDateTime, nullable=False),
)

# Units whose PAR-Index contribution must be computed again: a change marks its units in its
# own transaction; the recomputer deletes the marks it handled in the transaction that saves and
# announces the new contributions. One row per mark (never an upsert): a mark made while a
# recomputer holds the unit's earlier marks stays for the next pass.
par_index_stale = Table(
    "par_index_stale",
    metadata,
    Column("mark_id", Uuid, primary_key=True),
    campaign_year_column(),
    # a unit is named by its agency code: the kit's type for it, under the table's own name
    Column("unit_code", agency_code_column().type, nullable=False),
    Column("marked_at", UtcDateTime, nullable=False),
)
Index("ix_par_index_stale_marked_at", par_index_stale.c.marked_at)

# Replication fed back into the PAR Index: the models recognised (replication.decided.v1) with
# their campaign, and each target agency's latest adoption status (adoption.reported.v1).
recognised_models = Table(
    "recognised_models",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(),
)

adoption_states = Table(
    "adoption_states",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    agency_code_column(primary_key=True),
    Column("quarter", String(7), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String(16), nullable=False),
)

# Every change by a person: evaluations recorded and amended, opinions, decisions, rubrics.
audit_log = define_audit_log(metadata)

# Each campaign's settings as intake announced them (campaign.settings_changed.v1): whether
# the team's secretary scores.
campaign_settings = define_campaign_settings(metadata)
