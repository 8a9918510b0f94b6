"""The cluster suite's stack: the fault suite's, scaled out as production runs it.

- a three-node RabbitMQ cluster of private nodes (``PrivateRabbitMQCluster``), with the
  deploy definitions imported once into it (users, permissions, exchanges, quorum queues
  with their dead-letter queues, bindings), so every queue has a replica on each node;
  the queues' leaders are then spread over the nodes (``rabbitmq-queues rebalance``);
- the services as their own broker users, each given every node's address in its
  ``CCHC_<SERVICE>_AMQP_URL``, trusting events by publisher as in production
  (``CCHC_BUS_USERS``), with queues pre-declared by the definitions;
- the migrations run once per service (``python -m cchc_<service> migrate``, as the
  Kubernetes Job does), then two replicas of every service start with start-up migrations off;
- the stream of inbound initiatives published as a registered platform's user.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from cchc_shared.auth import AuthSettings, issue_token
from cchc_testkit.nodes import RABBITMQ_BIN, PrivateRabbitMQCluster
from cchc_testkit.processes import SERVICES, ServiceProcesses
from cchc_tools.definitions import render_definitions

from .harness import PLATFORM_SOURCE, SECRET, FaultStack, Observer, is_stream_queue

USER_PREFIX = "cchc-"
PLATFORM_USER = f"{USER_PREFIX}platform-example"
REPLICAS = ("", "#2")
INSTANCES = tuple(f"{service}{replica}" for service in SERVICES for replica in REPLICAS)
# One read per API that any replica answers from its database (a 404 is an answer too).
READS = {
    "intake": "/api/v1/campaigns",
    "scheduling": "/api/v1/rounds?campaign_year=2023",
    "evaluation": "/api/v1/rubrics/2023",
    "reporting": "/api/v1/campaigns",
    "notifications": "/api/v1/notifications/counts?campaign_year=2023",
}


class ClusterStack(FaultStack):
    def __init__(self, base: Path) -> None:
        super().__init__(base, PrivateRabbitMQCluster(base / "rabbitmq"))  # type: ignore[arg-type]

    @property
    def cluster(self) -> PrivateRabbitMQCluster:
        return self.broker  # type: ignore[return-value]

    @property
    def stream_url(self) -> str:
        return self.cluster.urls_for(PLATFORM_USER, PLATFORM_USER)

    async def start(self) -> None:
        await asyncio.to_thread(self.cluster.start)
        definitions = self.base / "definitions.json"
        definitions.write_text(json.dumps(render_definitions(user_prefix=USER_PREFIX)))
        await asyncio.to_thread(self.cluster.ctl, "import_definitions", str(definitions))
        await self.start_postgres()
        env = {
            "CCHC_LOG_LEVEL": "WARNING",
            "CCHC_DECLARE_ALL_QUEUES": "false",
            "CCHC_BUS_USERS": json.dumps({s: f"{USER_PREFIX}{s}" for s in (*SERVICES, "operator")}),
            "CCHC_PLATFORM_SOURCES": json.dumps({PLATFORM_USER: [PLATFORM_SOURCE]}),
            **{
                f"CCHC_{s.upper()}_AMQP_URL": self.cluster.urls_for(
                    f"{USER_PREFIX}{s}", f"{USER_PREFIX}{s}"
                )
                for s in SERVICES
            },
            **{f"CCHC_{s.upper()}_RUN_MIGRATIONS_ON_START": "false" for s in SERVICES},
        }
        self.services = ServiceProcesses(
            self.cluster.url,
            {s: self.postgres.url(f"cchc_{s}") for s in SERVICES},
            self.base / "var",
            auth_secret=SECRET,
            extra_env=env,
        )
        await asyncio.to_thread(self._migrate)
        for instance in INSTANCES:
            self.services.start(instance)
        await asyncio.to_thread(self.services.wait_ready, *INSTANCES, timeout=240)
        self.observer = Observer(self.cluster.url)
        await self.observer.start()
        await asyncio.to_thread(self.rebalance)

    def _migrate(self) -> None:
        """Each service's migrations, once, before any replica starts (the rollout's Job)."""
        assert self.services is not None
        for service in SERVICES:
            env = {
                **self.services.env,
                f"CCHC_{service.upper()}_DATABASE_URL": self.services.databases[service],
            }
            subprocess.run(
                [sys.executable, "-m", f"cchc_{service}", "migrate"],
                env=env,
                check=True,
                capture_output=True,
                timeout=120,
            )

    def rebalance(self) -> None:
        """Spread the quorum queues' leaders over the nodes (declared on the first node, they
        all start there)."""
        subprocess.run(
            [str(RABBITMQ_BIN / "rabbitmq-queues"), "-q", "-n", self.cluster.nodes[0].node,
             "rebalance", "quorum"],
            env=self.cluster.nodes[0].env, check=True, capture_output=True, timeout=120,
        )  # fmt: skip

    def busiest_leader(self) -> tuple[str, list[str]]:
        """The node that leads the most of the stream's queues (the service queues, not their
        dead-letter queues), and those queues."""
        leaders = {
            name: node
            for name, node in self.cluster.leaders().items()
            if is_stream_queue(name)
        }
        node, _ = Counter(leaders.values()).most_common(1)[0]
        return node, sorted(q for q, n in leaders.items() if n == node)

    def fully_replicated(self) -> bool:
        """Every quorum queue has a replica on every node."""
        everyone = {node.node for node in self.cluster.nodes}
        return all(set(m) == everyone for m in self.cluster.members().values())


@dataclass
class ReplicaClient:
    """What a Kubernetes Service does for a caller: each request goes to the next replica,
    and a replica that does not answer (refused, reset: it is stopping or starting) is
    skipped for the other. A 5xx is an answer: it is counted, never retried."""

    urls: Sequence[str]
    token: str
    statuses: Counter[int] = field(default_factory=Counter)
    switched: int = 0  # requests that went to the other replica because one did not answer
    unanswered: int = 0  # requests no replica answered
    _next: itertools.cycle[int] = field(init=False)

    def __post_init__(self) -> None:
        self._next = itertools.cycle(range(len(self.urls)))

    async def get(self, client: httpx.AsyncClient, path: str) -> None:
        first = next(self._next)
        for attempt in range(len(self.urls) * 2):
            url = self.urls[(first + attempt) % len(self.urls)]
            try:
                response = await client.get(
                    url + path, headers={"Authorization": f"Bearer {self.token}"}
                )
            except httpx.TransportError:
                self.switched += 1
                await asyncio.sleep(0.05)
                continue
            self.statuses[response.status_code] += 1
            return
        self.unanswered += 1

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


async def read_load(
    processes: ServiceProcesses, stop: asyncio.Event, per_second: float = 20.0
) -> dict[str, ReplicaClient]:
    """Reads on every service's API, spread over its replicas, until ``stop``."""
    token = issue_token(AuthSettings(secret=SECRET), "secretariat")
    clients = {
        s: ReplicaClient([processes.url(f"{s}{r}") for r in REPLICAS], token) for s in SERVICES
    }
    # A fresh connection per request, as a Service's load balancing would have it: a kept-
    # alive connection would stay on one replica.
    fresh = httpx.Limits(max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=10, limits=fresh) as http:
        while not stop.is_set():
            started = time.monotonic()
            await asyncio.gather(*(clients[s].get(http, READS[s]) for s in SERVICES))
            await asyncio.sleep(max(0.0, len(SERVICES) / per_second - (time.monotonic() - started)))
    return clients
