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
    args = parser.parse_args(argv)
    from aiosmtpd.controller import Controller

    args.maildir.mkdir(parents=True, exist_ok=True)
    handler = _Recorder(args.maildir, {a.lower() for a in args.refuse}, args.delay)
    controller = Controller(handler, hostname=args.host, port=args.port)
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
        self, port: int, maildir: Path, refuse: tuple[str, ...] = (), delay: float = 0.0
    ) -> None:
        self.port, self.maildir, self.refuse, self.delay = port, maildir, refuse, delay
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [sys.executable, "-m", "cchc_testkit.smtp", "--port", str(self.port)]
        command += ["--maildir", str(self.maildir)]
        for address in self.refuse:
            command += ["--refuse", address]
        if self.delay:
            command += ["--delay", str(self.delay)]
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


if __name__ == "__main__":
    raise SystemExit(main())
