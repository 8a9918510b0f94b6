"""Tables of the scheduling service's own database (SQLAlchemy Core)."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    Float,
    ForeignKey,
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
    title_column,
)
from cchc_shared.persistence.types import UtcDateTime

metadata = MetaData()
kit_tables = define_kit_tables(metadata)

members = Table(
    "members",
    metadata,
    Column("member_id", String(64), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("honorific", String(10), nullable=False),
    Column("position", String(300), nullable=False),
    agency_code_column(),
    Column("expertise", JSON, nullable=False),  # list of PAR area codes
    Column("may_head", Boolean, nullable=False),
    Column("may_be_secretary", Boolean, nullable=False),
    Column("unavailable", JSON, nullable=False),  # list of ISO dates
    Column("email", String(200), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)

pool = Table(
    "pool",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(),
    agency_code_column(),
    kind_column(),
    title_column(),
    par_area_column(),
    Column("status", String(16), nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_pool_campaign_status", pool.c.campaign_year, pool.c.status)

rounds = Table(
    "rounds",
    metadata,
    Column("round_id", Uuid, primary_key=True),
    campaign_year_column(),
    Column("sequence", Integer),
    Column("status", String(16), nullable=False),
    Column("title", String(300), nullable=False),
    Column("reason", Text, nullable=False),
    Column("version", Integer, nullable=False),
    Column("starts_on", Date),
    Column("ends_on", Date),
    Column("confirmed_at", UtcDateTime),
    Column("cancelled_at", UtcDateTime),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    UniqueConstraint("campaign_year", "sequence", name="uq_rounds_sequence"),
)
Index("ix_rounds_campaign_status", rounds.c.campaign_year, rounds.c.status)

team_seats = Table(
    "team_seats",
    metadata,
    Column("round_id", Uuid, ForeignKey("rounds.round_id"), primary_key=True),
    Column("member_id", String(64), primary_key=True),
    Column("role", String(16), nullable=False),
    Column("position", Integer, nullable=False),
)
Index("ix_team_seats_member", team_seats.c.member_id)

visits = Table(
    "visits",
    metadata,
    Column("visit_id", Uuid, primary_key=True),
    Column("round_id", Uuid, ForeignKey("rounds.round_id"), nullable=False, index=True),
    Column("initiative_id", Uuid, nullable=False),
    agency_code_column(),
    Column("date", Date, nullable=False),
    Column("starts_at", Time, nullable=False),
    Column("place", String(300), nullable=False),
    Column("active", Boolean, nullable=False),
)
# One visit per initiative per campaign: the database backs the rule for active rounds.
Index(
    "ux_visits_initiative",
    visits.c.initiative_id,
    unique=True,
    sqlite_where=text("active"),
    postgresql_where=text("active"),
)
Index("ix_visits_agency", visits.c.agency_code)

proposals = Table(
    "plan_proposals",
    metadata,
    Column("proposal_id", Uuid, primary_key=True),
    campaign_year_column(),
    Column("status", String(16), nullable=False),
    Column("request", JSON, nullable=False),
    Column("result", JSON, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
)

# Planner jobs: the search runs in one replica, the owner, under a lease it renews while it
# runs; another replica takes over a job whose lease has expired (its owner stopped).
plan_jobs = Table(
    "plan_jobs",
    metadata,
    Column("job_id", Uuid, primary_key=True),
    campaign_year_column(),
    Column("proposal_id", Uuid, nullable=False, unique=True),
    Column("status", String(16), nullable=False),  # running, done, failed, stopped
    Column("request", JSON, nullable=False),
    Column("owner", String(64), nullable=False),
    Column("lease_until", UtcDateTime, nullable=False),
    Column("stop_requested", Boolean, nullable=False),
    Column("elapsed_seconds", Float, nullable=False),
    Column("solutions", JSON, nullable=False),  # [{elapsed_seconds, objective, bound, gap}]
    Column("best", JSON),  # the best plan so far (rounds, quality, warnings)
    Column("error", JSON),  # why it failed: the rule and what blocks it
    Column("created_by", String(200), nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
)
Index("ix_plan_jobs_status_lease", plan_jobs.c.status, plan_jobs.c.lease_until)

# Every change by a person: rounds drafted, edited, rescheduled, confirmed, cancelled; plans.
audit_log = define_audit_log(metadata)

# Each campaign's settings as intake announced them (campaign.settings_changed.v1): the survey
# plan the notices cite.
campaign_settings = define_campaign_settings(metadata)
