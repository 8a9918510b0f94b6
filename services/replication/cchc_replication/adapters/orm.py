"""Tables of the replication service's own database (SQLAlchemy Core)."""

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
    UniqueConstraint,
    Uuid,
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

# The initiatives evaluation recommended (ReplicationRecommended): only these are recognised.
candidates = Table(
    "candidates",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    campaign_year_column(),
    agency_code_column(),
    title_column(),
    kind_column(),
    par_area_column(),
    Column("scope", String(20), nullable=False),
    Column("final_score", Float, nullable=False),
    Column("recommended_at", UtcDateTime, nullable=False),
)

decisions = Table(
    "decisions",
    metadata,
    Column("decision_id", Uuid, primary_key=True),
    Column("decision_number", String(40), nullable=False, unique=True),
    Column("signed_on", Date, nullable=False),
    Column("signer_name", String(300), nullable=False),
    Column("signer_title", String(300), nullable=False),
    campaign_year_column(),
    Column("recorded_at", UtcDateTime, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

# One row per recognised initiative: an initiative is recognised by one decision only.
recognised_models = Table(
    "recognised_models",
    metadata,
    Column("initiative_id", Uuid, primary_key=True),
    Column("decision_id", Uuid, ForeignKey("decisions.decision_id"), nullable=False, index=True),
    campaign_year_column(),
    agency_code_column(),
    title_column(),
    kind_column(),
    par_area_column(),
    Column("scope", String(20), nullable=False),
    Column("deadline", Date, nullable=False),
    Column("position", Integer, nullable=False),  # its order in the decision
)

model_targets = Table(
    "model_targets",
    metadata,
    Column(
        "initiative_id",
        Uuid,
        ForeignKey("recognised_models.initiative_id"),
        primary_key=True,
    ),
    Column("agency_code", String(16), primary_key=True),
    Column("position", Integer, nullable=False),
)
Index("ix_model_targets_agency", model_targets.c.agency_code)

# Every revision of every report: the history is the record, nothing is updated in place.
adoption_reports = Table(
    "adoption_reports",
    metadata,
    Column("report_id", Uuid, primary_key=True),
    Column("decision_id", Uuid, nullable=False),
    Column("initiative_id", Uuid, nullable=False),
    agency_code_column(),
    Column("quarter", String(7), nullable=False),
    Column("revision", Integer, nullable=False),
    Column("status", String(16), nullable=False),
    Column("reason", Text, nullable=False),
    Column("started_on", Date),
    Column("adaptation", Text, nullable=False),
    Column("indicators", JSON, nullable=False),
    # The evidence files attached (their metadata; rows before evidence existed have none).
    Column("evidence", JSON, nullable=False, server_default=text("'[]'")),
    Column("late", Boolean, nullable=False),
    Column("reported_at", UtcDateTime, nullable=False),
    Column("reported_by", String(200), nullable=False),
    UniqueConstraint(
        "initiative_id", "agency_code", "quarter", "revision", name="uq_adoption_revision"
    ),
)
Index("ix_adoption_agency", adoption_reports.c.agency_code)

# The evidence files an agency uploaded for its reports on a model; the bytes are in the
# service's file storage (content-addressed), the row says whose they are.
adoption_evidence = Table(
    "adoption_evidence",
    metadata,
    Column("evidence_id", Uuid, primary_key=True),
    Column("initiative_id", Uuid, nullable=False),
    agency_code_column(),
    *stored_file_columns(),
)
Index(
    "ix_adoption_evidence_model_agency",
    adoption_evidence.c.initiative_id,
    adoption_evidence.c.agency_code,
)

# Who recorded each decision and each report (the person, beside the events' data).
audit_log = define_audit_log(metadata)
