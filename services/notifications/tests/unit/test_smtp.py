"""The SMTP transport against a real SMTP server process (aiosmtpd, from the test kit): a
message accepted and parsed back, a 550 for one address raised as a refusal with the server's
reply, and no server at all as a failure to try again."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cchc_notifications.adapters.transports import Refused, SmtpTransport, Unavailable
from cchc_notifications.domain.mail import FileAttachment, build_message
from cchc_testkit.nodes import free_port
from cchc_testkit.smtp import SmtpServer, self_signed

REFUSED = "khongtontai@tphcm.gov.vn"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmtpServer]:
    running = SmtpServer(free_port(), tmp_path_factory.mktemp("smtp"), refuse=(REFUSED,))
    running.start()
    yield running
    running.stop()


def transport(port: int) -> SmtpTransport:
    return SmtpTransport(
        "127.0.0.1", port, security="none", username=None, password=None, timeout=10
    )


def message(to: str) -> object:
    return build_message(
        mail_from="Phòng Cải cách hành chính - Sở Nội vụ TP.HCM <cchc.snv@tphcm.gov.vn>",
        to=("Ủy ban nhân dân Phường Bến Nghé", to),
        subject="Thông báo lịch khảo sát mô hình, giải pháp, sáng kiến CCHC đợt 1 năm 2023",
        text="Kính gửi: Ủy ban nhân dân Phường Bến Nghé,\n",
        html="<p>Kính gửi: Ủy ban nhân dân Phường Bến Nghé,</p>",
        attachments=[
            FileAttachment("Thông báo khảo sát đợt 1 năm 2023.pdf", "application/pdf", b"%PDF-1.7")
        ],
        message_id="<test-1@cchc.hochiminhcity.gov.vn>",
        date=datetime(2023, 6, 1, tzinfo=UTC),
    )


async def test_a_message_reaches_the_server_as_it_was_built(server: SmtpServer) -> None:
    await transport(server.port).send(message("ubnd.pbennghe.q1@tphcm.gov.vn"), "test-1")  # type: ignore[arg-type]
    (received,) = await asyncio.to_thread(server.wait_for, 1, 10)
    assert received.rcpt_tos == ["ubnd.pbennghe.q1@tphcm.gov.vn"]
    assert received.message["Subject"] == (
        "Thông báo lịch khảo sát mô hình, giải pháp, sáng kiến CCHC đợt 1 năm 2023"
    )
    (pdf,) = received.message.iter_attachments()
    assert pdf.get_filename() == "Thông báo khảo sát đợt 1 năm 2023.pdf"
    assert pdf.get_content() == b"%PDF-1.7"


async def test_a_550_is_a_refusal_with_the_servers_reply(server: SmtpServer) -> None:
    with pytest.raises(Refused, match=r"550 5\.1\.1"):
        await transport(server.port).send(message(REFUSED), "test-2")  # type: ignore[arg-type]


async def test_no_server_is_a_failure_to_try_again(tmp_path: Path) -> None:
    with pytest.raises(Unavailable):
        await transport(free_port()).send(message("syt@tphcm.gov.vn"), "test-3")  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return self_signed(tmp_path_factory.mktemp("tls"))


@pytest.mark.parametrize("security", ["starttls", "tls"])
async def test_starttls_or_tls_with_authentication(
    security: str, certificate: tuple[Path, Path], tmp_path: Path
) -> None:
    """The relay of production: TLS (upgraded by STARTTLS, or from the first byte) and a
    login; a wrong password is the settings' fault, the message waits (not refused)."""
    server = SmtpServer(
        free_port(),
        tmp_path / "mail",
        tls=certificate,
        implicit_tls=security == "tls",
        login="cchc.snv@tphcm.gov.vn:mat-khau-thu",
    )
    await asyncio.to_thread(server.start)
    try:

        def relay(password: str) -> SmtpTransport:
            return SmtpTransport(
                "127.0.0.1",
                server.port,
                security=security,
                username="cchc.snv@tphcm.gov.vn",
                password=password,
                timeout=10,
                ca_file=str(certificate[0]),
            )

        await relay("mat-khau-thu").send(message("syt@tphcm.gov.vn"), "tls-1")  # type: ignore[arg-type]
        (received,) = await asyncio.to_thread(server.wait_for, 1, 10)
        assert received.rcpt_tos == ["syt@tphcm.gov.vn"]
        with pytest.raises(Unavailable, match="authentication refused: 535"):
            await relay("sai").send(message("syt@tphcm.gov.vn"), "tls-2")  # type: ignore[arg-type]
        assert len(server.received()) == 1
    finally:
        await asyncio.to_thread(server.stop)
