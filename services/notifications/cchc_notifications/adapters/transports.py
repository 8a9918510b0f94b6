"""Where a message goes: a directory of ``.eml`` files (the local run: nothing to install)
or an SMTP server (production: aiosmtplib, STARTTLS or TLS, authentication from settings).

A transport raises ``Refused`` when the server refused the message for good (a 5xx reply:
retrying would not help) and ``Unavailable`` for what may pass (no connection, a 4xx reply,
a timeout)."""

from __future__ import annotations

import os
import tempfile
from email.message import EmailMessage
from pathlib import Path
from typing import Protocol

import aiosmtplib


class Refused(Exception):
    """The mail server refused the message for good (SMTP 5xx)."""


class Unavailable(Exception):
    """The message could not be handed over now; it is tried again later."""


class Transport(Protocol):
    async def send(self, message: EmailMessage, name: str) -> None:
        """Hands ``message`` over; ``name`` is its stable id."""


class MailDirectory:
    """One ``<id>.eml`` per message under ``directory``, written atomically: sending the
    same notification again rewrites the same file, never a second one."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    async def send(self, message: EmailMessage, name: str) -> None:
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            target = self.directory / f"{name}.eml"
            handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
            with os.fdopen(handle, "wb") as out:
                out.write(message.as_bytes())
            os.replace(temporary, target)
        except OSError as exc:
            raise Unavailable(f"cannot write the message: {exc}") from exc


def _reply(code: int, message: str) -> str:
    return f"{code} {message}".strip()


class SmtpTransport:
    def __init__(
        self,
        host: str,
        port: int,
        *,
        security: str,
        username: str | None,
        password: str | None,
        timeout: float,
        ca_file: str | None = None,
    ) -> None:
        self.host, self.port, self.security = host, port, security
        self.username, self.password, self.timeout = username, password, timeout
        self.ca_file = ca_file

    async def send(self, message: EmailMessage, name: str) -> None:
        try:
            await aiosmtplib.send(
                message,
                hostname=self.host,
                port=self.port,
                username=self.username,
                password=self.password,
                use_tls=self.security == "tls",
                start_tls=self.security == "starttls",
                timeout=self.timeout,
                cert_bundle=self.ca_file,
            )
        except aiosmtplib.SMTPAuthenticationError as exc:
            # The relay's login is wrong: the settings are at fault, not the message, which
            # waits until they are corrected.
            raise Unavailable(f"authentication refused: {_reply(exc.code, exc.message)}") from exc
        except aiosmtplib.SMTPRecipientsRefused as exc:
            reasons = "; ".join(
                f"{r.recipient}: {_reply(r.code, r.message)}" for r in exc.recipients
            )
            if all(r.code >= 500 for r in exc.recipients):
                raise Refused(reasons) from exc
            raise Unavailable(reasons) from exc
        except aiosmtplib.SMTPResponseException as exc:
            if exc.code >= 500:
                raise Refused(_reply(exc.code, exc.message)) from exc
            raise Unavailable(_reply(exc.code, exc.message)) from exc
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as exc:
            raise Unavailable(f"{type(exc).__name__}: {exc}") from exc
