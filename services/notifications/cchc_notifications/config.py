"""Settings of the notifications service (environment variables ``CCHC_NOTIFICATIONS_*``)."""

from typing import ClassVar, Literal

from pydantic import Field, SecretStr

from cchc_shared.chassis.settings import ServiceSettings


class NotificationsSettings(ServiceSettings):
    service_name: ClassVar[str] = "notifications"
    default_http_port: ClassVar[int] = 8005

    # Delivery: ``file`` writes one .eml per message under $CCHC_DATA_DIR/mail/ (the local
    # run); ``smtp`` sends to the server below (production).
    mail_transport: Literal["file", "smtp"] = "file"
    smtp_host: str = "localhost"
    smtp_port: int = Field(587, ge=1, le=65535)
    # starttls: plain connection upgraded by STARTTLS (port 587); tls: TLS from the first
    # byte (port 465); none: only for a mail catcher on the same host.
    smtp_security: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = None
    smtp_password: SecretStr | None = None
    smtp_timeout: float = Field(30.0, gt=0, le=600)
    # The CA bundle the relay's certificate is checked against, when it is not the system's.
    smtp_ca_file: str | None = None
    mail_from: str = "Phòng Cải cách hành chính - Sở Nội vụ TP.HCM <cchc.snv@tphcm.gov.vn>"
    message_id_domain: str = "cchc.hochiminhcity.gov.vn"

    # The signature block of every message, as in the Department's plan.
    signature_department: str = "Phòng Cải cách hành chính, Sở Nội vụ Thành phố Hồ Chí Minh"
    signature_address: str = "Số 86 Lê Thánh Tôn, phường Bến Nghé, Quận 1, Thành phố Hồ Chí Minh"
    signature_email: str = "cchc.snv@tphcm.gov.vn"

    # The notices' PDFs come from scheduling's API, with this service's own credentials: a
    # development token in the local run; with a client secret, a client-credentials token
    # from the provider (its token endpoint found by discovery, or documents_token_url).
    scheduling_url: str = "http://127.0.0.1:8002"
    documents_timeout: float = Field(30.0, gt=0, le=600)
    documents_token_url: str | None = None
    documents_client_id: str = "cchc-notifications"
    documents_client_secret: SecretStr | None = None

    # The delivery loop: a failed attempt is retried after retry_base * 2^attempts seconds,
    # at most retry_max, until max_attempts; a refusal (5xx) is final at once.
    delivery_poll_interval: float = Field(2.0, gt=0, le=300)
    delivery_batch_size: int = Field(20, ge=1, le=500)
    delivery_concurrency: int = Field(4, ge=1, le=32)  # messages being sent at once
    delivery_lease: float = Field(120.0, gt=0)
    retry_base: float = Field(2.0, gt=0)
    retry_max: float = Field(300.0, gt=0)
    max_attempts: int = Field(40, ge=1)

    # Reminders: a team member whose evaluation of a visit is missing N days after it (and
    # not later than the window after that), checked every reminder_interval seconds.
    evaluation_reminder_days: int = Field(3, ge=1, le=60)
    evaluation_reminder_window_days: int = Field(14, ge=1, le=365)
    reminder_interval: float = Field(3600.0, gt=0)
    # Digests: what a person chose to receive as a digest is bundled once per interval.
    digest_interval: float = Field(86400.0, gt=0)
    # How long a visit lasts in the calendars (scheduling's CCHC_SCHEDULING_VISIT_MINUTES).
    visit_minutes: int = Field(90, ge=15, le=480)
