"""Accounts: registration rules, login, access tokens, refresh-token rotation and reuse."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from api_harness import PASSWORD, Api, ApiFactory, Reply, new_email
from argon2 import PasswordHasher

from adapters.api.auth.refresh import token_hash
from adapters.settings import Settings


async def test_a_registered_user_reaches_their_profile_with_the_access_token(api: Api) -> None:
    user = await api.register()
    me = await api.call("GET", "/api/me", user)
    assert me.status == 200
    assert me.body == {"id": user.id, "email": user.email}


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer not-a-jwt"}, {"Authorization": "Basic dXNlcjpwYXNz"}],
    ids=["no-token", "garbage-token", "wrong-scheme"],
)
async def test_an_api_route_refuses_a_request_without_a_valid_token(
    api: Api, headers: dict[str, str]
) -> None:
    reply = await api.call("GET", "/api/athletes", headers=headers)
    assert reply.status == 401
    assert reply.error_code in {"unauthorized", "invalid_token"}
    assert set(reply.body["error"]) == {"code", "message", "field"}


async def test_an_access_token_for_another_audience_is_refused(api_with: ApiFactory) -> None:
    async with api_with(jwt_audience="somebody-else") as other:
        user = await other.register()
    async with api_with() as api:
        reply = await api.call("GET", "/api/me", user)
    assert reply.status == 401
    assert reply.error_code == "invalid_token"


@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("short1!", "at least 8"),
        ("x" * 129, "at most 128"),
        ("password1", "most common"),
        ("Sunshine", "most common"),
        ("QWERTYUIOP", "most common"),
    ],
)
async def test_registration_refuses_a_weak_password_naming_the_field(
    api: Api, password: str, reason: str
) -> None:
    reply = await api.call(
        "POST", "/api/auth/register", json={"email": new_email(), "password": password}
    )
    assert reply.status == 422
    assert reply.body["error"]["field"] == "password"
    assert reason in reply.body["error"]["message"]


async def test_registration_accepts_a_long_passphrase(api: Api) -> None:
    reply = await api.call(
        "POST",
        "/api/auth/register",
        json={"email": new_email(), "password": "a quiet ride along the river " * 4},
    )
    assert reply.status == 201


@pytest.mark.parametrize(
    ("body", "field", "code"),
    [
        ({"password": PASSWORD}, "email", "missing_field"),
        ({"email": "not-an-email", "password": PASSWORD}, "email", "invalid_field"),
        ({"email": 42, "password": PASSWORD}, "email", "invalid_field"),
        ({"email": "a@example.com", "password": PASSWORD, "admin": True}, "admin", "unknown_field"),
    ],
)
async def test_registration_names_the_field_that_is_wrong(
    api: Api, body: dict[str, object], field: str, code: str
) -> None:
    reply = await api.call("POST", "/api/auth/register", json=body)
    assert reply.status == 422
    assert (reply.error_code, reply.body["error"]["field"]) == (code, field)


async def test_a_body_that_is_not_json_is_a_400_in_the_same_error_format(api: Api) -> None:
    reply = await api.call(
        "POST",
        "/api/auth/login",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert reply.status == 400
    assert reply.error_code == "invalid_json"


async def test_registering_an_email_twice_is_a_conflict_whatever_its_case(api: Api) -> None:
    user = await api.register()
    reply = await api.call(
        "POST", "/api/auth/register", json={"email": user.email.upper(), "password": PASSWORD}
    )
    assert reply.status == 409
    assert reply.error_code == "email_taken"


async def test_login_answers_a_wrong_password_and_an_unknown_email_alike(api: Api) -> None:
    user = await api.register()
    wrong = await api.call(
        "POST", "/api/auth/login", json={"email": user.email, "password": "not-the-password"}
    )
    unknown = await api.call(
        "POST", "/api/auth/login", json={"email": new_email(), "password": "not-the-password"}
    )
    assert wrong.status == unknown.status == 401
    assert wrong.body == unknown.body


async def test_login_gives_a_new_device_its_own_tokens(api: Api) -> None:
    user = await api.register()
    reply = await api.call(
        "POST",
        "/api/auth/login",
        json={"email": user.email, "password": user.password, "device": "phone"},
    )
    assert reply.status == 200
    assert reply.body["refresh_token"] != user.refresh_token
    devices = await api.call("GET", "/api/auth/devices", user)
    assert sorted(d["device"] for d in devices.body["devices"]) == ["phone", "unnamed device"]


async def test_login_rehashes_a_password_hashed_with_older_parameters(
    api: Api, settings: Settings
) -> None:
    user = await api.register()
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    with psycopg.connect(settings.database_url) as conn:
        conn.execute(
            "UPDATE users SET password_hash = %s WHERE email = %s",
            (weak.hash(user.password), user.email),
        )
    reply = await api.call(
        "POST", "/api/auth/login", json={"email": user.email, "password": user.password}
    )
    assert reply.status == 200
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT password_hash FROM users WHERE email = %s", (user.email,))
        stored = row.fetchone()
    assert stored is not None
    assert not PasswordHasher().check_needs_rehash(stored[0])
    assert PasswordHasher().verify(stored[0], user.password)


async def test_a_refresh_token_is_rotated_on_every_use(api: Api) -> None:
    user = await api.register()
    first = await api.call("POST", "/api/auth/refresh", json={"refresh_token": user.refresh_token})
    assert first.status == 200
    second = await api.call(
        "POST", "/api/auth/refresh", json={"refresh_token": first.body["refresh_token"]}
    )
    assert second.status == 200
    assert len({user.refresh_token, first.body["refresh_token"], second.body["refresh_token"]}) == 3
    me = await api.call(
        "GET", "/api/me", headers={"Authorization": f"Bearer {second.body['access_token']}"}
    )
    assert me.status == 200


async def refresh(api: Api, token: str) -> Reply:
    return await api.call("POST", "/api/auth/refresh", json={"refresh_token": token})


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    api_with: ApiFactory,
) -> None:
    async with api_with(refresh_reuse_grace_s=0) as api:
        user = await api.register()
        other_device = await api.call(
            "POST", "/api/auth/login", json={"email": user.email, "password": user.password}
        )
        newest = (await refresh(api, user.refresh_token)).body["refresh_token"]

        reuse = await refresh(api, user.refresh_token)
        assert reuse.status == 401
        assert reuse.error_code == "refresh_token_reused"
        # The thief may hold the newest token: it is dead too.
        assert (await refresh(api, newest)).status == 401
        # Other devices of the same user are a different family and keep working.
        assert (await refresh(api, other_device.body["refresh_token"])).status == 200


async def test_a_refresh_whose_answer_was_lost_can_be_retried_with_the_same_token(
    api: Api,
) -> None:
    user = await api.register()
    lost = [await refresh(api, user.refresh_token) for _ in range(2)]  # never seen by the client
    retried = await refresh(api, user.refresh_token)
    assert retried.status == 200
    assert (
        len(
            {user.refresh_token, retried.body["refresh_token"]}
            | {reply.body["refresh_token"] for reply in lost}
        )
        == 4
    )
    later = await refresh(api, retried.body["refresh_token"])
    me = await api.call(
        "GET", "/api/me", headers={"Authorization": f"Bearer {later.body['access_token']}"}
    )
    assert me.status == 200


async def test_a_rotated_refresh_token_is_reuse_once_the_grace_period_is_over(
    api_with: ApiFactory, settings: Settings
) -> None:
    async with api_with(refresh_reuse_grace_s=5) as api:
        user = await api.register()
        newest = (await refresh(api, user.refresh_token)).body["refresh_token"]
        with psycopg.connect(settings.database_url) as conn:  # let six seconds pass
            conn.execute(
                "UPDATE rotated_refresh_tokens SET rotated_at = rotated_at - interval '6 s'"
                " WHERE token_hash = %s",
                (token_hash(user.refresh_token),),
            )
        reuse = await refresh(api, user.refresh_token)
        assert reuse.error_code == "refresh_token_reused"
        assert (await refresh(api, newest)).status == 401


async def test_concurrent_refreshes_with_one_token_all_get_working_tokens(api: Api) -> None:
    user = await api.register()
    replies = await asyncio.gather(*(refresh(api, user.refresh_token) for _ in range(5)))
    assert [reply.status for reply in replies] == [200] * 5
    assert len({reply.body["refresh_token"] for reply in replies}) == 5


async def test_an_unknown_refresh_token_is_refused(api: Api) -> None:
    reply = await api.call("POST", "/api/auth/refresh", json={"refresh_token": "made-up"})
    assert reply.status == 401
    assert reply.error_code == "invalid_refresh_token"


async def test_logging_out_revokes_that_devices_refresh_token(api: Api) -> None:
    user = await api.register()
    assert (
        await api.call("POST", "/api/auth/logout", json={"refresh_token": user.refresh_token})
    ).status == 204
    reply = await api.call("POST", "/api/auth/refresh", json={"refresh_token": user.refresh_token})
    assert reply.status == 401


async def test_a_user_can_sign_out_one_of_their_devices(api: Api) -> None:
    user = await api.register()
    devices = (await api.call("GET", "/api/auth/devices", user)).body["devices"]
    reply = await api.call("DELETE", f"/api/auth/devices/{devices[0]['id']}", user)
    assert reply.status == 204
    refused = await api.call(
        "POST", "/api/auth/refresh", json={"refresh_token": user.refresh_token}
    )
    assert refused.status == 401
