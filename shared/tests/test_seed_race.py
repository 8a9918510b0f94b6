"""Replicas starting together on an empty database race on their start-up seeds: the one that
loses on a unique key seeds again, whether the violation reaches it as the database's error or
as the domain's conflict a repository made of it; any other refusal still stops the start."""

from __future__ import annotations

import pytest
from sqlalchemy.exc import IntegrityError

from cchc_shared.chassis.runtime import seed_once_among_replicas
from cchc_shared.errors import Conflict, Fault


def unique_violation() -> IntegrityError:
    return IntegrityError("INSERT INTO members ...", {}, Exception("members_pkey"))


class Seed:
    def __init__(self, first_failure: BaseException | None) -> None:
        self.first_failure = first_failure
        self.runs = 0

    async def __call__(self) -> None:
        self.runs += 1
        if self.runs == 1 and self.first_failure is not None:
            raise self.first_failure


def conflict_from_the_race() -> Conflict:
    try:
        raise unique_violation()
    except IntegrityError as exc:
        try:
            raise Conflict(Fault("member_id", "Đã có thành viên này", "member exists")) from exc
        except Conflict as conflict:
            return conflict


@pytest.mark.parametrize("failure", [unique_violation(), conflict_from_the_race()])
async def test_the_replica_that_loses_the_race_seeds_again(failure: BaseException) -> None:
    seed = Seed(failure)
    await seed_once_among_replicas(seed)
    assert seed.runs == 2


async def test_a_conflict_of_another_cause_is_not_retried() -> None:
    seed = Seed(Conflict(Fault("year", "Chiến dịch đã đóng", "campaign closed")))
    with pytest.raises(Conflict):
        await seed_once_among_replicas(seed)
    assert seed.runs == 1
