"""The test kit's ``eventually``: the first truthy answer, or a failure naming what never
happened, without waiting past the timeout."""

from __future__ import annotations

import asyncio

import pytest

from cchc_testkit.waiting import eventually


async def test_eventually_returns_the_first_truthy_answer() -> None:
    answers = iter([None, 0, "", {"status": 200}, {"status": 500}])
    calls = 0

    async def check() -> dict[str, int] | int | str | None:
        nonlocal calls
        calls += 1
        return next(answers)

    assert await eventually(check, "never", interval=0.01) == {"status": 200}
    assert calls == 4


async def test_eventually_fails_with_the_message_after_the_timeout() -> None:
    async def never() -> bool:
        return False

    loop = asyncio.get_running_loop()
    started = loop.time()
    with pytest.raises(AssertionError, match="the round never arrived"):
        await eventually(never, "the round never arrived", timeout=0.2, interval=0.05)
    assert 0.2 <= loop.time() - started < 1.0
