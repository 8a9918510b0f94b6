"""Settings of the replication service (environment variables ``CCHC_REPLICATION_*``)."""

from typing import ClassVar

from pydantic import Field

from cchc_shared.chassis.settings import ServiceSettings


class ReplicationSettings(ServiceSettings):
    service_name: ClassVar[str] = "replication"
    default_http_port: ClassVar[int] = 8006

    # A quarter's report is due this many days after the quarter ends (later ones are late).
    report_due_days: int = Field(15, ge=0, le=90)
