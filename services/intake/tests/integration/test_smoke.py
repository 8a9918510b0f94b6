import httpx
import pytest

from ..conftest import bearer, initiative_body

pytestmark = pytest.mark.integration


async def test_submit_and_read(client: httpx.AsyncClient) -> None:
    answer = await client.post(
        "/api/v1/initiatives", json=initiative_body(), headers=bearer("agency_submitter", "26740")
    )
    assert answer.status_code == 201, answer.text
    print(answer.json())
