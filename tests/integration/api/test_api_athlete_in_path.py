"""`athlete_in_path`: the one check every `/api/athletes/{athlete_id}/...` route makes."""

from __future__ import annotations

import uuid
from uuid import UUID

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request
from api_harness import Api, User

from adapters.http.errors import NotFound
from adapters.http.keys import USER_ID
from adapters.http.ownership import athlete_in_path


def _request(api: Api, user: User, athlete_id: str) -> web.Request:
    request = make_mocked_request(
        "GET", f"/api/athletes/{athlete_id}", match_info={"athlete_id": athlete_id}, app=api.app
    )
    request[USER_ID] = UUID(user.id)
    return request


async def test_the_owner_gets_the_athlete_named_in_the_path(api: Api) -> None:
    owner = await api.register()
    athlete = await api.athlete(owner)
    assert await athlete_in_path(_request(api, owner, athlete["id"])) == UUID(athlete["id"])


@pytest.mark.parametrize("kind", ["another users", "unknown", "malformed"])
async def test_any_other_athlete_id_is_not_found(api: Api, kind: str) -> None:
    owner, stranger = await api.register(), await api.register()
    athlete_id = {
        "another users": (await api.athlete(owner))["id"],
        "unknown": str(uuid.uuid4()),
        "malformed": "not-a-uuid",
    }[kind]
    with pytest.raises(NotFound):
        await athlete_in_path(_request(api, stranger, athlete_id))
