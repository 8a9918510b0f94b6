"""Waiting for what an asynchronous system does in its own time (a consumer taking in an
event, a relay publishing), without sleeping longer than it takes."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    check: Callable[[], Awaitable[T]],
    failure: str,
    *,
    timeout: float = 30.0,
    interval: float = 0.1,
) -> T:
    """The first truthy result of ``check``, tried every ``interval`` seconds; after
    ``timeout`` seconds without one, ``AssertionError(failure)``."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        result = await check()
        if result:
            return result
        if loop.time() > deadline:
            raise AssertionError(failure)
        await asyncio.sleep(interval)
