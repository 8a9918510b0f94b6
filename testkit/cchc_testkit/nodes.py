"""A RabbitMQ node and a PostgreSQL cluster of a test's own: own ports, own data directory,
own processes. The fault suite stops, kills and restarts them without touching the shared
broker and database that every other test uses.

Both are started from the Debian packages' binaries (``/usr/lib/rabbitmq/bin``,
``/usr/lib/postgresql/<version>/bin``). PostgreSQL refuses to run as root: under root the
cluster runs as the ``postgres`` user.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import resource
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

RABBITMQ_BIN = Path(os.environ.get("CCHC_TEST_RABBITMQ_BIN", "/usr/lib/rabbitmq/bin"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_port(port: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port} after {timeout} s")


def raise_open_file_limit() -> None:
    """In the child, before the node starts: the open-file limit up to its hard limit. A
    node at its limit makes new connections wait for a file handle (quorum queues hold
    files open)."""
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


class PrivateRabbitMQ:
    """One RabbitMQ node on free ports with its data under ``base``; guest/guest, no plugins.
    Nodes given one ``cookie`` may form a cluster (``PrivateRabbitMQCluster``); ``config``
    adds lines to the node's rabbitmq.conf."""

    def __init__(self, base: Path, *, cookie: str | None = None, config: str = "") -> None:
        self.base = base
        self.port = free_port()
        self.node = f"cchc-{secrets.token_hex(4)}@localhost"
        self.process: subprocess.Popen[bytes] | None = None
        home = base / "home"
        home.mkdir(parents=True, exist_ok=True)
        cookie_file = home / ".erlang.cookie"
        cookie_file.write_text(cookie or secrets.token_hex(16))
        cookie_file.chmod(0o400)
        (base / "enabled_plugins").write_text("[].\n")
        # guest may connect from 127.0.0.1 only, which is where the tests are.
        (base / "rabbitmq.conf").write_text(
            f"loopback_users.guest = true\nlisteners.tcp.1 = 127.0.0.1:{self.port}\n{config}"
        )
        (base / "rabbitmq-env.conf").write_text("")
        self.env = {
            **os.environ,
            "HOME": str(home),
            "RABBITMQ_NODENAME": self.node,
            "RABBITMQ_NODE_PORT": str(self.port),
            "RABBITMQ_DIST_PORT": str(free_port()),
            "RABBITMQ_CONF_ENV_FILE": str(base / "rabbitmq-env.conf"),
            "RABBITMQ_CONFIG_FILE": str(base / "rabbitmq.conf"),
            "RABBITMQ_ENABLED_PLUGINS_FILE": str(base / "enabled_plugins"),
            "RABBITMQ_MNESIA_BASE": str(base / "mnesia"),
            "RABBITMQ_LOG_BASE": str(base / "log"),
            "RABBITMQ_PID_FILE": str(base / "rabbit.pid"),
            "ERL_EPMD_ADDRESS": "127.0.0.1",
        }

    @property
    def url(self) -> str:
        return f"amqp://guest:guest@127.0.0.1:{self.port}/"

    def start(self, timeout: float = 90) -> None:
        log = (self.base / "server.out").open("ab")
        self.process = subprocess.Popen(
            [str(RABBITMQ_BIN / "rabbitmq-server")],
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: kill() reaches beam and children
            preexec_fn=raise_open_file_limit,
        )
        deadline = time.monotonic() + timeout
        while True:  # await_startup fails at once until the node has registered with epmd
            try:
                self.ctl("await_startup", timeout=timeout)
                break
            except RuntimeError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
        _wait_port(self.port, max(1.0, deadline - time.monotonic()))

    def ctl(self, *args: str, timeout: float = 60) -> str:
        result = subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmqctl"), "-q", "-n", self.node, *args],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if result.returncode != 0:
            raise RuntimeError(f"rabbitmqctl {' '.join(args)}: {result.stderr.strip()}")
        return result.stdout

    def add_vhost(self) -> str:
        """A new virtual host on this node; returns its AMQP URL."""
        name = f"v-{secrets.token_hex(4)}"
        self.ctl("add_vhost", name)
        self.ctl("set_permissions", "-p", name, "guest", ".*", ".*", ".*")
        return self.url + name

    def stop(self) -> None:
        """A clean shutdown of the whole node."""
        if self.process is None:
            return
        with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
            self.ctl("shutdown", timeout=60)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def kill(self) -> None:
        """SIGKILL to the node's whole process group: no goodbye to any client."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()

    def queues(self) -> dict[str, tuple[int, int]]:
        """Queue name -> (ready + unacknowledged messages, consumers)."""
        out: dict[str, tuple[int, int]] = {}
        listing = self.ctl("list_queues", "--no-table-headers", "name", "messages", "consumers")
        for line in listing.strip().splitlines():
            name, messages, consumers = line.split("\t")
            out[name] = (int(messages), int(consumers))
        return out


class PrivateRabbitMQCluster:
    """Three (or ``size``) private nodes joined in one cluster: one Erlang cookie, a node name
    and ports of each its own. ``url`` lists every node's address, as CCHC_AMQP_URL does for
    a cluster. Partitions are handled by ``pause_minority``; ``net_ticktime`` is short, so that
    a node that stops answering is seen as gone in seconds rather than a minute."""

    def __init__(self, base: Path, size: int = 3, *, net_ticktime: int = 10) -> None:
        cookie = secrets.token_hex(16)
        config = f"cluster_partition_handling = pause_minority\nnet_ticktime = {net_ticktime}\n"
        self.nodes = [
            PrivateRabbitMQ(base / f"node{i}", cookie=cookie, config=config) for i in range(size)
        ]

    @property
    def url(self) -> str:
        return ",".join(node.url for node in self.nodes)

    def urls_for(self, user: str, password: str, vhost: str = "") -> str:
        """Every node's address for another user of the cluster."""
        return ",".join(
            f"amqp://{user}:{password}@127.0.0.1:{node.port}/{vhost}" for node in self.nodes
        )

    def start(self) -> None:
        first, *others = self.nodes
        first.start()
        for node in others:
            node.start()
            node.ctl("stop_app")
            node.ctl("reset")
            node.ctl("join_cluster", first.node)
            node.ctl("start_app")
            node.ctl("await_startup")
        self.wait_running(len(self.nodes))

    def running(self) -> list[PrivateRabbitMQ]:
        return [node for node in self.nodes if node.process is not None]

    def ctl(self, *args: str, timeout: float = 60) -> str:
        """rabbitmqctl on the first node that is up (cluster-wide commands)."""
        last: RuntimeError | None = None
        for node in self.running():
            try:
                return node.ctl(*args, timeout=timeout)
            except RuntimeError as exc:
                last = exc
        raise last or RuntimeError("no node of the cluster is running")

    def running_nodes(self, seen_from: PrivateRabbitMQ | None = None) -> set[str]:
        """The nodes running, as one node (else the first that answers) sees them."""
        args = ("cluster_status", "--formatter", "json")
        status = seen_from.ctl(*args) if seen_from is not None else self.ctl(*args)
        return set(json.loads(status)["running_nodes"])

    def wait_running(self, count: int, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(RuntimeError, ValueError, KeyError):
                if len(self.running_nodes()) == count:
                    return
            if time.monotonic() > deadline:
                raise TimeoutError(f"fewer than {count} nodes running after {timeout} s")
            time.sleep(0.5)

    def by_name(self, name: str) -> PrivateRabbitMQ:
        return next(node for node in self.nodes if node.node == name)

    def leaders(self) -> dict[str, str]:
        """Quorum queue name -> the node that leads it."""
        listing = self.ctl("list_queues", "--no-table-headers", "name", "leader")
        out: dict[str, str] = {}
        for line in listing.strip().splitlines():
            name, leader = line.split("\t")
            out[name] = leader
        return out

    def members(self) -> dict[str, list[str]]:
        """Quorum queue name -> the nodes that hold a replica of it."""
        listing = self.ctl("list_queues", "name", "members", "--formatter", "json")
        return {q["name"]: list(q["members"]) for q in json.loads(listing)}

    def queues(self) -> dict[str, tuple[int, int]]:
        return self.running()[0].queues()

    def stop(self) -> None:
        for node in self.nodes:
            node.stop()


def _postgres_bin() -> Path:
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not versions:
        raise RuntimeError("no PostgreSQL server binaries under /usr/lib/postgresql")
    return versions[-1].parent


class PrivatePostgres:
    """One PostgreSQL cluster on a free port with trust authentication for ``postgres``."""

    def __init__(self) -> None:
        self.bin = _postgres_bin()
        self.port = free_port()
        # A directory of its own under /tmp: the postgres user must be able to reach it.
        self.base = Path(tempfile.mkdtemp(prefix="cchc-pg-"))
        self.data = self.base / "data"
        self._as_root = os.geteuid() == 0
        if self._as_root:
            owner = pwd.getpwnam("postgres")
            os.chown(self.base, owner.pw_uid, owner.pw_gid)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    def _run(self, tool: str, *args: str) -> None:
        command = [str(self.bin / tool), *args]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"{tool}: {result.stdout.strip()} {result.stderr.strip()}")

    def _ctl(self, action: str, *extra: str) -> None:
        options = (
            f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1 -c max_connections=200"
        )
        self._run(
            "pg_ctl", action, "-D", str(self.data), "-w", "-t", "60", "-l",
            str(self.base / "server.log"), "-o", options, *extra,
        )  # fmt: skip

    def start(self) -> None:
        self._ctl("start")

    def restart(self) -> None:
        """Immediate: the server stops as if it crashed and recovers from its WAL."""
        self._ctl("restart", "-m", "immediate")

    def stop(self) -> None:
        with contextlib.suppress(RuntimeError):
            self._ctl("stop", "-m", "fast")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    @property
    def admin_dsn(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def url(self, database: str) -> str:
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{database}"
