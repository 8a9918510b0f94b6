"""The MIME message of a notification (the standard library's ``email`` with the SMTP
policy): Vietnamese subject and names as RFC 2047 encoded words, attachment names with
diacritics as RFC 2231 parameters, a plain-text and an HTML part."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.header import Header
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, formataddr, parseaddr


@dataclass(frozen=True)
class FileAttachment:
    filename: str
    media_type: str  # "application/pdf", "text/calendar"
    content: bytes
    params: tuple[tuple[str, str], ...] = ()


def encoded(value: str, header: str) -> str:
    """``value`` as RFC 2047 encoded words of at most 75 characters, its spaces inside the
    words. (The SMTP policy's own folding of a long Vietnamese header may leave a space
    between two encoded words, where every reader drops it: "giải pháp" became "giảipháp".)"""
    if value.isascii():
        return value
    return Header(value, "utf-8", header_name=header).encode()


def address(name: str, email: str, header: str) -> str:
    if name.isascii():
        return formataddr((name, email))
    return f"{encoded(name, header)} <{email}>"


def build_message(
    *,
    mail_from: str,
    to: tuple[str, str],
    subject: str,
    text: str,
    html: str,
    attachments: Sequence[FileAttachment],
    message_id: str,
    date: datetime,
) -> EmailMessage:
    message = EmailMessage(policy=SMTP)
    sender_name, sender_email = parseaddr(mail_from)
    # Stored as written (already encoded), so that the policy does not fold them again.
    message.set_raw("From", address(sender_name, sender_email, "From"))
    message.set_raw("To", address(to[0], to[1], "To"))
    message.set_raw("Subject", encoded(subject, "Subject"))
    message["Date"] = format_datetime(date)
    message["Message-ID"] = message_id
    message["Auto-Submitted"] = "auto-generated"  # RFC 3834: no out-of-office replies
    # Quoted-printable and base64 keep the message 7-bit: any relay accepts it, 8BITMIME or not.
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    for item in attachments:
        maintype, _, subtype = item.media_type.partition("/")
        params = dict(item.params)
        if maintype == "text":
            message.add_attachment(
                item.content.decode("utf-8"),
                subtype=subtype,
                charset="utf-8",
                cte="base64",
                filename=item.filename,
                params=params,
            )
        else:
            message.add_attachment(
                item.content,
                maintype=maintype,
                subtype=subtype,
                filename=item.filename,
                params=params,
            )
    return message
