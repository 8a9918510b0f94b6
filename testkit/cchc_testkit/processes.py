"""The services as separate OS processes (``python -m cchc_<service> serve``), as they run in
production, for end-to-end and fault tests: start, stop, kill and restart each one, wait for
readiness, and show the last lines of each one's log when a test fails."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO

import httpx

from cchc_testkit.nodes import free_port

# The campaign's pipeline and its mail; the follow-up (replication) starts where a test names it.
SERVICES = ("intake", "scheduling", "evaluation", "reporting", "notifications")


class ServiceProcesses:
    """One process per instance; an instance is a service name, or ``<service>#<n>`` for an
    extra replica of it (same database and queues, its own HTTP port)."""

    def __init__(
        self,
        amqp_url: str,
        databases: Mapping[str, str],
        data_dir: Path,
        *,
        auth_secret: str,
        extra_env: Mapping[str, str] | None = None,
    ) -> None:
        self.amqp_url = amqp_url
        self.databases = dict(databases)
        self.ports: dict[str, int] = {}
        self.env = {
            **os.environ,
            "PYTHONUNBUFFERED": "1",
            "CCHC_AMQP_URL": amqp_url,
            "CCHC_DATA_DIR": str(data_dir),
            "CCHC_AUTH_SECRET": auth_secret,
            "CCHC_LOG_FORMAT": "text",
            **(extra_env or {}),
        }
        self.logs: dict[str, IO[str]] = {}
        self.processes: dict[str, subprocess.Popen[bytes]] = {}

    @staticmethod
    def service_of(instance: str) -> str:
        return instance.split("#", 1)[0]

    def url(self, instance: str) -> str:
        return f"http://127.0.0.1:{self.ports[instance]}"

    @property
    def urls(self) -> dict[str, str]:
        return {i: self.url(i) for i in self.ports if "#" not in i}

    def command(self, instance: str) -> list[str]:
        """The command line of one instance (a subclass may wrap it, e.g. in a profiler)."""
        return [sys.executable, "-m", f"cchc_{self.service_of(instance)}", "serve"]

    def peer_env(self, service: str) -> dict[str, str]:
        """Where a service finds a peer's API: notifications fetches scheduling's notices."""
        if service == "notifications" and "scheduling" in self.ports:
            return {"CCHC_NOTIFICATIONS_SCHEDULING_URL": self.url("scheduling")}
        return {}

    def start(self, instance: str) -> None:
        service = self.service_of(instance)
        port = self.ports.setdefault(instance, free_port())
        env = {
            # Six services (twice as many replicas in the cluster suite) and the tests share
            # one PostgreSQL server of max_connections 100: a small pool each, unless set.
            f"CCHC_{service.upper()}_DB_POOL_SIZE": "4",
            **self.env,
            f"CCHC_{service.upper()}_DATABASE_URL": self.databases[service],
            f"CCHC_{service.upper()}_HTTP_PORT": str(port),
            **self.peer_env(service),
            # Replicas share this machine's host name: each is named after its instance.
            "CCHC_REPLICA": instance,
        }
        log = self.logs.setdefault(instance, tempfile.TemporaryFile(mode="w+"))  # noqa: SIM115
        log.write(f"----- started at {time.strftime('%H:%M:%S')} -----\n")
        log.flush()
        self.processes[instance] = subprocess.Popen(
            self.command(instance),
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def start_all(self, services: Sequence[str] = SERVICES) -> None:
        for service in services:
            self.start(service)
        self.wait_ready(*services)

    def signal(self, instance: str, sig: signal.Signals) -> None:
        self.processes[instance].send_signal(sig)

    def wait_exit(self, instance: str, timeout: float) -> int:
        return self.processes[instance].wait(timeout=timeout)

    def kill(self, instance: str) -> None:
        """SIGKILL: the process has no chance to finish anything."""
        self.signal(instance, signal.SIGKILL)
        self.wait_exit(instance, 30)

    def stop(self, *instances: str, timeout: float = 20) -> None:
        """SIGTERM, then SIGKILL after ``timeout`` seconds for whatever has not exited."""
        chosen = [i for i in (instances or tuple(self.processes)) if i in self.processes]
        for instance in chosen:
            if self.processes[instance].poll() is None:
                self.processes[instance].terminate()
        deadline = time.monotonic() + timeout
        for instance in chosen:
            process = self.processes[instance]
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def is_ready(self, instance: str) -> bool:
        try:
            response = httpx.get(self.url(instance) + "/health/ready", timeout=2)
        except httpx.HTTPError:
            return False
        return response.status_code == 200

    def wait_ready(self, *instances: str, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        pending = set(instances)
        while pending:
            for instance in list(pending):
                if self.processes[instance].poll() is not None:
                    raise RuntimeError(f"{instance} exited early\n{self.dump_logs(instance)}")
                if self.is_ready(instance):
                    pending.discard(instance)
            if pending and time.monotonic() > deadline:
                raise RuntimeError(f"not ready after {timeout} s: {sorted(pending)}")
            if pending:
                time.sleep(0.3)

    def dump_logs(self, *instances: str, tail: int = 200) -> str:
        out = io.StringIO()
        for instance in instances or tuple(self.logs):
            log = self.logs[instance]
            log.seek(0)
            lines = log.read().splitlines()
            log.seek(0, io.SEEK_END)
            process = self.processes.get(instance)
            code = process.poll() if process else None
            out.write(f"\n===== {instance} (exit code {code}) — last {tail} lines =====\n")
            out.write("\n".join(lines[-tail:]) + "\n")
        return out.getvalue()
