"""Password policy and hashing."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from argon2 import PasswordHasher

from adapters.api.auth.passwords import Passwords, WeakPassword, check_policy, common_passwords

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def test_the_common_password_list_holds_about_a_thousand_entries() -> None:
    assert 900 <= len(common_passwords()) <= 1100
    assert "123456" in common_passwords()


@pytest.mark.parametrize(
    "password", ["1234567", "a" * 129, "iloveyou", "Password1", "BASEBALL", "rider@example.com"]
)
def test_a_weak_password_is_refused(password: str) -> None:
    with pytest.raises(WeakPassword):
        check_policy(password, "rider@example.com")


@pytest.mark.parametrize("password", ["tempo-intervals-at-dawn", "x" * 128, "8 chars!"])
def test_a_reasonable_password_is_accepted(password: str) -> None:
    check_policy(password, "rider@example.com")


async def test_a_hash_verifies_its_password_only() -> None:
    with ThreadPoolExecutor(1) as executor:
        passwords = Passwords(executor, CHEAP)
        stored = await passwords.hash("tempo-intervals-at-dawn")
        assert await passwords.verify(stored, "tempo-intervals-at-dawn")
        assert not await passwords.verify(stored, "tempo-intervals-at-dusk")


async def test_an_unknown_user_never_verifies_even_with_the_dummy_password() -> None:
    with ThreadPoolExecutor(1) as executor:
        passwords = Passwords(executor, CHEAP)
        assert not await passwords.verify(None, "wattlog-no-such-user")


def test_a_hash_made_with_other_parameters_needs_rehashing() -> None:
    with ThreadPoolExecutor(1) as executor:
        passwords = Passwords(executor, CHEAP)
        old = PasswordHasher(time_cost=2, memory_cost=1024, parallelism=1).hash("x" * 10)
        assert passwords.needs_rehash(old)
        assert not passwords.needs_rehash(CHEAP.hash("x" * 10))
