"""Settings of the intake service (environment variables ``CCHC_INTAKE_*``)."""

from pathlib import Path
from typing import ClassVar

from pydantic import Field

from cchc_shared.chassis.settings import ServiceSettings


class IntakeSettings(ServiceSettings):
    service_name: ClassVar[str] = "intake"
    default_http_port: ClassVar[int] = 8001

    # One uploaded report file; JSON bodies keep the kit's smaller max_body_bytes.
    attachment_max_bytes: int = 20 * 1024 * 1024
    attachments_dir: Path | None = None  # default: <CCHC_DATA_DIR>/intake-attachments

    # Reminders of unsubmitted drafts: due from draft_reminder_days before the submission
    # window closes (once per draft and deadline), looked for every draft_reminder_interval
    # seconds (and at start).
    draft_reminder_days: int = Field(7, ge=1, le=90)
    draft_reminder_interval: float = Field(3600.0, gt=0)

    @property
    def resolved_attachments_dir(self) -> Path:
        return self.attachments_dir or self.data_dir / "intake-attachments"
