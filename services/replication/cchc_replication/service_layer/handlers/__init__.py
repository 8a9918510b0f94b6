"""The write side, one module per use case."""

from cchc_replication.service_layer.handlers.adoption import (
    ReportOutcome,
    SubmitReport,
    evidence_file,
    submit_report,
    upload_evidence,
)
from cchc_replication.service_layer.handlers.candidates import on_recommended
from cchc_replication.service_layer.handlers.decisions import (
    ModelChoice,
    RecordDecision,
    record_decision,
)

__all__ = [
    "ModelChoice",
    "RecordDecision",
    "ReportOutcome",
    "SubmitReport",
    "evidence_file",
    "on_recommended",
    "record_decision",
    "submit_report",
    "upload_evidence",
]
