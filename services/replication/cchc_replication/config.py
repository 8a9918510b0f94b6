"""Settings of the replication service (environment variables ``CCHC_REPLICATION_*``)."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from cchc_shared.chassis.settings import ServiceSettings
from cchc_shared.files import DEFAULT_MAX_BYTES


class ReplicationSettings(ServiceSettings):
    service_name: ClassVar[str] = "replication"
    default_http_port: ClassVar[int] = 8006

    # A quarter's report is due this many days after the quarter ends (later ones are late).
    report_due_days: int = Field(15, ge=0, le=90)

    # One evidence file of an adoption report (as intake's attachments); JSON bodies keep the
    # kit's smaller max_body_bytes.
    evidence_max_bytes: int = Field(DEFAULT_MAX_BYTES, ge=1)
    evidence_dir: Path | None = None  # default: <CCHC_DATA_DIR>/replication-evidence

    @property
    def resolved_evidence_dir(self) -> Path:
        return self.evidence_dir or self.data_dir / "replication-evidence"
