"""Access tokens: pinned algorithm, required and checked claims."""

from __future__ import annotations

import time
import uuid

import jwt
import pytest

from adapters.api.auth.tokens import AccessTokens, InvalidAccessToken

SECRET = "a-test-secret-long-enough-for-every-hmac-algorithm-0123456789abcdef"
TOKENS = AccessTokens(SECRET, "wattlog", ttl_s=900)


def test_a_token_names_the_user_it_was_issued_to() -> None:
    user_id = uuid.uuid4()
    assert TOKENS.verify(TOKENS.issue(user_id)) == user_id


def test_an_expired_token_is_refused() -> None:
    token = TOKENS.issue(uuid.uuid4(), now=time.time() - 3600)
    with pytest.raises(InvalidAccessToken):
        TOKENS.verify(token)


def _forged(claims: dict[str, object], algorithm: str = "HS256", key: str = SECRET) -> str:
    return jwt.encode(claims, key, algorithm=algorithm)


@pytest.mark.parametrize(
    "token",
    [
        _forged({"sub": str(uuid.uuid4()), "aud": "other", "iat": 0, "exp": 2**40}),
        _forged({"sub": str(uuid.uuid4()), "aud": "wattlog", "exp": 2**40}),
        _forged({"sub": str(uuid.uuid4()), "aud": "wattlog", "iat": 0}),
        _forged({"aud": "wattlog", "iat": 0, "exp": 2**40}),
        _forged({"sub": str(uuid.uuid4()), "iat": 0, "exp": 2**40}),
        _forged({"sub": "not-a-uuid", "aud": "wattlog", "iat": 0, "exp": 2**40}),
        _forged({"sub": str(uuid.uuid4()), "aud": "wattlog", "iat": 0, "exp": 2**40}, "HS512"),
        _forged(
            {"sub": str(uuid.uuid4()), "aud": "wattlog", "iat": 0, "exp": 2**40},
            key=SECRET[::-1],
        ),
        _forged({"sub": str(uuid.uuid4()), "aud": "wattlog", "iat": 0, "exp": 2**40}, "none", ""),
    ],
    ids=[
        "other-audience",
        "no-iat",
        "no-exp",
        "no-sub",
        "no-aud",
        "sub-not-a-user-id",
        "other-algorithm",
        "other-secret",
        "alg-none",
    ],
)
def test_a_token_that_breaks_a_rule_is_refused(token: str) -> None:
    with pytest.raises(InvalidAccessToken):
        TOKENS.verify(token)


def _signed(iat: float, exp: float) -> str:
    claims = {"sub": str(uuid.uuid4()), "aud": "wattlog", "iat": iat, "exp": exp}
    return jwt.encode(claims, SECRET, algorithm="HS256")


@pytest.mark.parametrize(
    ("iat_offset_s", "exp_offset_s"),
    [(0, 1e20), (0, 900 + 60), (-600, 900), (120, 600)],
    ids=["exp-1e20", "exp-past-the-ttl", "lifetime-past-the-ttl", "issued-in-the-future"],
)
def test_a_well_signed_token_outside_the_configured_lifetime_is_refused(
    iat_offset_s: float, exp_offset_s: float
) -> None:
    now = time.time()
    with pytest.raises(InvalidAccessToken):
        TOKENS.verify(_signed(int(now + iat_offset_s), now + exp_offset_s), now=now)


def test_a_token_issued_a_little_earlier_by_another_process_is_accepted() -> None:
    now = time.time()
    # Clock skew within the leeway: iat 3 s ahead, exp a full lifetime after it.
    assert TOKENS.verify(_signed(int(now + 3), int(now + 3) + 900), now=now)
