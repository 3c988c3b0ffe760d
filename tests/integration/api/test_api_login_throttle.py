"""Login throttling: a burst of guesses gets almost nowhere, and the real user is only
delayed, never locked out."""

from __future__ import annotations

import asyncio

from api_harness import Api, ApiFactory, Reply, User, new_email

FREE = 5
MAX_DELAY_S = 1
# The test client plays a reverse proxy on this machine: its X-Forwarded-For names the client.
PROXY = "127.0.0.1, ::1"


def _login(api: Api, email: str, password: str, address: str) -> asyncio.Task[Reply]:
    return asyncio.ensure_future(
        api.call(
            "POST",
            "/api/auth/login",
            json={"email": email, "password": password},
            headers={"X-Forwarded-For": address},
        )
    )


async def _burst(api: Api, email: str, addresses: list[str]) -> list[Reply]:
    return list(
        await asyncio.gather(*(_login(api, email, "wrong-guess-123", a) for a in addresses))
    )


async def test_a_burst_of_wrong_passwords_for_one_account_is_mostly_refused_unchecked(
    api_with: ApiFactory,
) -> None:
    async with api_with(
        trusted_proxies=PROXY, login_free_attempts=FREE, login_max_delay_s=MAX_DELAY_S
    ) as api:
        user = await api.register()
        burst = asyncio.ensure_future(_burst(api, user.email, ["198.51.100.1"] * 30))
        await asyncio.sleep(0.1)
        # During the burst even the right password waits, unchecked: the throttle holds.
        assert (await _login(api, user.email, user.password, "198.51.100.1")).status == 429
        replies = await burst
        statuses = sorted(r.status for r in replies)
        assert statuses.count(401) == FREE
        assert statuses.count(429) == 30 - FREE
        throttled = next(r for r in replies if r.status == 429)
        assert throttled.error_code == "too_many_requests"
        assert 1 <= int(throttled.headers["Retry-After"]) <= MAX_DELAY_S


async def test_after_the_free_attempts_guessing_gets_one_try_per_delay(
    api_with: ApiFactory,
) -> None:
    async with api_with(
        trusted_proxies=PROXY, login_free_attempts=FREE, login_max_delay_s=MAX_DELAY_S
    ) as api:
        user = await api.register()
        await _burst(api, user.email, ["198.51.100.5"] * 10)
        await asyncio.sleep(MAX_DELAY_S + 0.2)
        replies = await _burst(api, user.email, ["198.51.100.5"] * 10)
        assert sorted(r.status for r in replies) == [401] + [429] * 9


async def test_the_real_user_logs_in_after_a_short_wait_despite_the_attack(
    api_with: ApiFactory,
) -> None:
    async with api_with(
        trusted_proxies=PROXY, login_free_attempts=FREE, login_max_delay_s=MAX_DELAY_S
    ) as api:
        user = await api.register()
        await _burst(api, user.email, ["198.51.100.2"] * 20)
        await asyncio.sleep(MAX_DELAY_S + 0.2)
        reply = await _login(api, user.email, user.password, "203.0.113.9")
        assert reply.status == 200
        # Success clears the account's count: the next attempts are immediate again.
        for _ in range(FREE - 1):
            assert (await _login(api, user.email, user.password, "203.0.113.9")).status == 200


async def test_guesses_spread_over_many_addresses_are_still_throttled_per_account(
    api_with: ApiFactory,
) -> None:
    async with api_with(
        trusted_proxies=PROXY, login_free_attempts=FREE, login_max_delay_s=MAX_DELAY_S
    ) as api:
        user = await api.register()
        replies = await _burst(api, user.email, [f"192.0.2.{i}" for i in range(1, 26)])
        assert sum(r.status == 401 for r in replies) == FREE


async def test_an_unknown_email_is_throttled_exactly_like_a_known_one(
    api_with: ApiFactory,
) -> None:
    async with api_with(
        trusted_proxies=PROXY, login_free_attempts=FREE, login_max_delay_s=MAX_DELAY_S
    ) as api:
        known: User = await api.register()
        for email in (known.email, new_email()):
            replies = await _burst(api, email, ["198.51.100.3"] * 12)
            assert sorted(r.status for r in replies) == [401] * FREE + [429] * (12 - FREE)


async def test_one_address_guessing_many_accounts_is_throttled_per_address(
    api_with: ApiFactory,
) -> None:
    async with api_with(
        trusted_proxies=PROXY, login_ip_free_attempts=10, login_max_delay_s=MAX_DELAY_S
    ) as api:
        replies = await asyncio.gather(
            *(_login(api, new_email(), "wrong-guess-123", "198.51.100.4") for _ in range(20))
        )
        assert sum(r.status == 401 for r in replies) == 10
        assert sum(r.status == 429 for r in replies) == 10
