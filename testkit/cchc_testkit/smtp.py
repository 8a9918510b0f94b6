"""A real SMTP server for the mail tests: aiosmtpd's server in a process of its own
(``python -m cchc_testkit.smtp --port P --maildir DIR [--refuse ADDRESS ...]``).

Each accepted message is written to ``DIR`` as ``<n>.eml`` with a ``<n>.json`` beside it
(the envelope: sender and recipients); an address given with ``--refuse`` is refused at
``RCPT TO`` with ``550 5.1.1``, as a real server refuses an unknown mailbox. The test side,
``SmtpServer``, starts, stops and kills the process and reads back what it received, parsed
with the standard ``email`` library."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import ssl
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from cchc_testkit.nodes import _wait_port


class _Recorder:
    def __init__(self, maildir: Path, refused: set[str], delay: float) -> None:
        self.maildir = maildir
        self.refused = refused
        self.delay = delay
        self.count = len(list(maildir.glob("*.eml")))
        self.lock = threading.Lock()

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, options: list[str]
    ) -> str:
        if address.lower() in self.refused:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        if self.delay:  # a slow server: a test can stop it in the middle of a batch
            await asyncio.sleep(self.delay)
        with self.lock:
            self.count += 1
            name = f"{self.count:05d}-{os.getpid()}"
        content = envelope.original_content or envelope.content
        (self.maildir / f"{name}.json").write_text(
            json.dumps({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos})
        )
        temporary = self.maildir / f"{name}.part"
        temporary.write_bytes(content)
        temporary.replace(self.maildir / f"{name}.eml")
        return "250 2.0.0 Message accepted for delivery"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--maildir", type=Path, required=True)
    parser.add_argument("--refuse", action="append", default=[])
    parser.add_argument("--delay", type=float, default=0.0, help="seconds before each 250")
    parser.add_argument("--cert", type=Path, help="certificate (with --key): STARTTLS required")
    parser.add_argument("--key", type=Path)
    parser.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte")
    parser.add_argument("--login", help="USER:PASSWORD required (AUTH PLAIN/LOGIN, over TLS)")
    args = parser.parse_args(argv)
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    args.maildir.mkdir(parents=True, exist_ok=True)
    handler = _Recorder(args.maildir, {a.lower() for a in args.refuse}, args.delay)
    options: dict[str, Any] = {}
    if args.cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.cert, args.key)
        if args.implicit_tls:
            options["ssl_context"] = context
        else:
            options |= {"tls_context": context, "require_starttls": True}
    if args.login:
        user, _, password = args.login.partition(":")

        def authenticate(
            server: Any, session: Any, envelope: Any, mechanism: str, data: Any
        ) -> Any:
            ok = data.login.decode() == user and data.password.decode() == password
            return AuthResult(success=ok, handled=False)  # aiosmtpd answers 235 or 535

        # Over implicit TLS aiosmtpd does not see the connection as encrypted: it must be told
        # not to insist on STARTTLS before AUTH.
        options |= {
            "authenticator": authenticate,
            "auth_required": True,
            "auth_require_tls": not args.implicit_tls,
        }
    controller = Controller(handler, hostname=args.host, port=args.port, **options)
    controller.start()
    done = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: done.set())
    done.wait()
    controller.stop()
    return 0


@dataclass(frozen=True)
class Received:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage
    raw: bytes


class SmtpServer:
    """The server process, seen from a test."""

    def __init__(
        self,
        port: int,
        maildir: Path,
        refuse: tuple[str, ...] = (),
        delay: float = 0.0,
        *,
        tls: tuple[Path, Path] | None = None,
        implicit_tls: bool = False,
        login: str | None = None,
    ) -> None:
        self.port, self.maildir, self.refuse, self.delay = port, maildir, refuse, delay
        self.tls, self.implicit_tls, self.login = tls, implicit_tls, login
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "cchc_testkit.smtp", "--port", str(self.port)]
        command += ["--maildir", str(self.maildir)]
        for address in self.refuse:
            command += ["--refuse", address]
        if self.delay:
            command += ["--delay", str(self.delay)]
        if self.tls:
            command += ["--cert", str(self.tls[0]), "--key", str(self.tls[1])]
        if self.implicit_tls:
            command.append("--implicit-tls")
        if self.login:
            command += ["--login", self.login]
        self.process = subprocess.Popen(command)
        _wait_port(self.port, 30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(20)
        self.process = None

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(20)
        self.process = None

    def received(self) -> list[Received]:
        found = []
        for eml in sorted(self.maildir.glob("*.eml")):
            envelope = json.loads(eml.with_suffix(".json").read_text())
            raw = eml.read_bytes()
            message = message_from_bytes(raw, policy=policy.default)
            assert isinstance(message, EmailMessage)
            found.append(Received(envelope["mail_from"], envelope["rcpt_tos"], message, raw))
        return found

    def wait_for(self, count: int, timeout: float) -> list[Received]:
        deadline = time.monotonic() + timeout
        while True:
            found = self.received()
            if len(found) >= count or time.monotonic() > deadline:
                return found
            time.sleep(0.3)


def self_signed(directory: Path, host: str = "127.0.0.1") -> tuple[Path, Path]:
    """A certificate for ``host`` signed by itself (the client trusts it as its CA bundle),
    and its key: the test server's TLS."""
    import datetime as dt
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host)])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(host))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "smtp.crt", directory / "smtp.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


if __name__ == "__main__":
    raise SystemExit(main())
