"""Kit throughput beside the raw rate of the same RabbitMQ and PostgreSQL, in one run.

    uv run python bench/bench_kit.py [--events 5000] [--database postgresql|sqlite]
    uv run python bench/bench_kit.py --tokens [--verifications 20000]

- raw publish: aio-pika, persistent, publisher confirms, 200 in flight;
- outbox relay: rows already committed, relayed in batches of 200 (claim, publish with
  confirms, mark sent);
- raw consume: aio-pika, manual ack, prefetch 64;
- kit consume: the kit's aio-pika consumer, CloudEvents decode and validation, inbox + one effect
  row in one transaction, ack.

With ``--tokens``: the cost of verifying one request's bearer token, keys cached: RS256 and
ES256 access tokens from a real OpenID provider (the test kit's ``oidc-provider`` process,
client-credentials grant) through the kit's JWKS verifier (``OidcVerifier``: signature, ``iss``,
``aud``, ``exp``/``nbf``, lifetime, revocation list, roles and bindings from claims), beside
HS256 development tokens through ``verify_token``, in the same run; microseconds per
verification (median of 5 rounds) and each one's ratio to HS256.
Not a test: it prints figures.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import sys
import time
from pathlib import Path

import aio_pika

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "shared"))

from tests.probe import Probe

from cchc_shared.auth import AuthSettings, issue_token, verify_token
from cchc_shared.auth.claims import ClaimSettings
from cchc_shared.auth.oidc import OidcVerifier
from cchc_shared.messaging.broker import make_publisher
from cchc_testkit.infra import fresh_postgres_database, fresh_vhost
from cchc_testkit.oidc import AUDIENCE, Client, OidcProvider, provider_available

SQLITE_FILE = Path(__file__).resolve().parents[1] / "var" / "bench.db"


async def raw_publish(url: str, count: int) -> float:
    connection = await aio_pika.connect(url)
    channel = await connection.channel(publisher_confirms=True)
    queue = await channel.declare_queue(
        "bench.raw", durable=True, arguments={"x-queue-type": "quorum"}
    )
    body = os.urandom(700)
    started = time.perf_counter()
    for start in range(0, count, 200):
        await asyncio.gather(
            *(
                channel.default_exchange.publish(
                    aio_pika.Message(body, delivery_mode=aio_pika.DeliveryMode.PERSISTENT),
                    routing_key=queue.name,
                )
                for _ in range(min(200, count - start))
            )
        )
    elapsed = time.perf_counter() - started
    await connection.close()
    return count / elapsed


async def raw_consume(url: str, count: int) -> float:
    connection = await aio_pika.connect(url)
    channel = await connection.channel()
    await channel.set_qos(prefetch_count=64)
    queue = await channel.declare_queue(
        "bench.raw", durable=True, arguments={"x-queue-type": "quorum"}
    )
    done = asyncio.Event()
    seen = 0

    async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
        nonlocal seen
        await message.ack()
        seen += 1
        if seen >= count:
            done.set()

    started = time.perf_counter()
    await queue.consume(on_message)
    await done.wait()
    elapsed = time.perf_counter() - started
    await connection.close()
    return count / elapsed


async def relay_and_consume(database_url: str, url: str, count: int) -> tuple[float, float]:
    probe = await Probe.create(database_url, url)
    await probe.write_events(count, batch=200)
    publisher = make_publisher(url, app_id="bench")
    await publisher.start()
    relay = probe.relay(publisher)
    started = time.perf_counter()
    while await relay.relay_once():
        pass
    relay_rate = count / (time.perf_counter() - started)
    await publisher.stop()

    consumer = probe.consumer_broker()
    started = time.perf_counter()
    await consumer.start()
    while (await probe.effect_counts())[0] < count:  # noqa: ASYNC110 - polls another process's effect
        await asyncio.sleep(0.05)
    consume_rate = count / (time.perf_counter() - started)
    await consumer.stop()
    await probe.engine.dispose()
    return relay_rate, consume_rate


ROUNDS = 5
# A surveyor's token: a bound role, so the claims path reads a binding too.
TOKEN_CLAIMS = {"realm_access": {"roles": ["surveyor"]}, "cchc": {"member": "m-bench"}}


async def _per_verification(verify: object, token: str, count: int) -> float:
    """Median over :data:`ROUNDS` rounds of the seconds one verification takes."""
    rounds = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        if asyncio.iscoroutinefunction(verify):
            for _ in range(count):
                await verify(token)
        else:
            for _ in range(count):
                verify(token)  # type: ignore[operator]
        rounds.append((time.perf_counter() - started) / count)
    return sorted(rounds)[ROUNDS // 2]


async def token_costs(count: int) -> None:
    why = provider_available()
    if why is not None:
        raise SystemExit(f"no OpenID provider: {why}")
    development = AuthSettings()
    dev_token = issue_token(development, "surveyor", member="m-bench")
    clients = [
        Client(f"bench-{alg.lower()}", alg, claims=TOKEN_CLAIMS) for alg in ("RS256", "ES256")
    ]
    with OidcProvider(clients) as provider:
        settings = AuthSettings(issuer=provider.issuer, audience=AUDIENCE)
        claims = ClaimSettings(
            roles_claim="realm_access.roles", agency_claim="cchc.agency", member_claim="cchc.member"
        )
        verifier = OidcVerifier(settings, claims)
        tokens = {c.alg: provider.token(c.client_id) for c in clients}
        for token in tokens.values():  # the key set is fetched once, then cached
            assert (await verifier.verify(token)).member_id == "m-bench"
        assert verify_token(development, dev_token).member_id == "m-bench"
        fetches = verifier.fetches
        # Same run, interleaved: HS256 first and last, so a drift of the machine shows.
        costs = {
            "HS256": await _per_verification(
                lambda t: verify_token(development, t), dev_token, count
            )
        }
        for alg, token in tokens.items():
            costs[alg] = await _per_verification(verifier.verify, token, count)
        costs["HS256 again"] = await _per_verification(
            lambda t: verify_token(development, t), dev_token, count
        )
        assert verifier.fetches == fetches, "the keys were fetched again during the run"
    print(f"{count} verifications x {ROUNDS} rounds each, keys cached ({fetches} key-set fetch)")
    base = costs["HS256"]
    labels = {
        "HS256": "HS256 development token, verify_token",
        "RS256": "RS256 provider token, OidcVerifier  ",
        "ES256": "ES256 provider token, OidcVerifier  ",
        "HS256 again": "HS256 again, after the others       ",
    }
    for name, cost in costs.items():
        print(f"{labels[name]:<38}: {cost * 1e6:8.1f} µs/verification  ({cost / base:4.1f}x HS256)")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=5000)
    parser.add_argument("--database", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--tokens", action="store_true", help="measure token verification only")
    parser.add_argument("--verifications", type=int, default=20000)
    args = parser.parse_args()
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    if args.tokens:
        await token_costs(args.verifications)
        return
    async with fresh_vhost("cchc-bench") as url:
        publish = await raw_publish(url, args.events)
        consume = await raw_consume(url, args.events)
        if args.database == "postgresql":
            async with fresh_postgres_database("cchc_bench") as database_url:
                relay, kit_consume = await relay_and_consume(database_url, url, args.events)
        else:
            database_url = f"sqlite+aiosqlite:///{SQLITE_FILE}"
            SQLITE_FILE.unlink(missing_ok=True)
            relay, kit_consume = await relay_and_consume(database_url, url, args.events)
    print(f"{args.events} events, database {args.database}")
    print(f"publish  raw aio-pika with confirms : {publish:8.0f} msg/s")
    print(
        f"publish  outbox relay               : {relay:8.0f} msg/s  ({relay / publish:.0%} of raw)"
    )
    print(f"consume  raw aio-pika, ack          : {consume:8.0f} msg/s")
    ratio = kit_consume / consume
    print(f"consume  kit (decode+inbox+effect)  : {kit_consume:8.0f} msg/s  ({ratio:.0%} of raw)")


if __name__ == "__main__":
    asyncio.run(main())
