"""Example subscriber: prints every recommendation to the City People's Committee.

It binds its own durable queue to the ``cchc.events`` exchange for the routing key
``replication.recommended.v1`` and prints each recommendation as it arrives. It needs only
``aio-pika`` (``pip install aio-pika``); nothing of the platform's code.

    CCHC_AMQP_URL=amqp://subscriber-example:PASSWORD@rabbitmq:5672/ \
        python docs/examples/subscriber.py

The broker user ``subscriber-example`` (deploy/rabbitmq/definitions.json) may create and read
queues named ``subscriber-example.*`` and bind them to ``cchc.events``, nothing else.

Good manners of a subscriber, shown here:

* a durable quorum queue of its own, so nothing is lost while the subscriber is down;
* acknowledge after processing; deliveries are at least once, so deduplicate on the
  CloudEvents (``source``, ``id``) — in memory here, in your database in real life;
* ignore attributes and ``data`` fields you do not know (new optional ones may appear).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys

import aio_pika

EXCHANGE = "cchc.events"
ROUTING_KEY = "replication.recommended.v1"
EVENT_TYPE = "vn.hcmc.cchc." + ROUTING_KEY
SCOPES = {
    "city_wide": "toàn Thành phố",
    "district_level": "cấp huyện",
    "commune_level": "cấp xã",
    "sector": "trong ngành, lĩnh vực",
}


def describe(event: dict) -> str:
    data = event["data"]
    scope = SCOPES.get(data.get("scope"), data.get("scope"))
    return (
        f"{data['decided_at']}  {data['final_score']:>6.2f}  {data['agency_code']:<6}  "
        f"{data['title']}  (nhân rộng {scope}; {data['evaluation_count']} phiếu đánh giá)"
    )


async def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--url", default=os.environ.get("CCHC_AMQP_URL", "amqp://guest:guest@localhost:5672/")
    )
    parser.add_argument("--queue", default="subscriber-example.replication-recommended")
    parser.add_argument("--count", type=int, default=0, help="stop after N (0: run until Ctrl-C)")
    args = parser.parse_args()

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)

    connection = await aio_pika.connect_robust(args.url)
    seen: set[tuple[str, str]] = set()
    printed = 0
    async with connection:
        channel = await connection.channel()
        await channel.set_qos(prefetch_count=20)
        queue = await channel.declare_queue(
            args.queue, durable=True, arguments={"x-queue-type": "quorum"}
        )
        await queue.bind(EXCHANGE, routing_key=ROUTING_KEY)
        print(f"listening on {args.queue} for {ROUTING_KEY}", flush=True)

        async def on_message(message: aio_pika.abc.AbstractIncomingMessage) -> None:
            nonlocal printed
            try:
                event = json.loads(message.body)
                key = (event["source"], event["id"])
                if event.get("type") != EVENT_TYPE:
                    await message.ack()  # not ours; nothing to do
                    return
                line = describe(event)
            except (ValueError, KeyError, TypeError) as exc:
                print(f"unreadable message {message.message_id}: {exc}", file=sys.stderr)
                await message.reject(requeue=False)
                return
            if key not in seen:
                seen.add(key)
                print(line, flush=True)
                printed += 1
            await message.ack()
            if args.count and printed >= args.count:
                stop.set()

        tag = await queue.consume(on_message)
        await stop.wait()
        await queue.cancel(tag)
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
