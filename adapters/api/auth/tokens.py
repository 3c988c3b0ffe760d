"""Access tokens: short-lived JWTs, HS256 only, with `exp`, `iat`, `sub` and `aud` required.

A token is good only inside the lifetime this process would give it: `iat` not in the
future and `exp` at most `ttl_s` after now and after `iat` (each with `LEEWAY_S` for clock
skew between API processes). A well-signed token minted with a far `exp` (a leaked secret,
a token from a configuration with a longer lifetime) is refused rather than trusted for
years.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from uuid import UUID

import jwt

ALGORITHM = "HS256"
REQUIRED_CLAIMS = ["exp", "iat", "sub", "aud"]
LEEWAY_S = 5


class InvalidAccessToken(ValueError):
    """The token is missing, malformed, expired, for another audience or badly signed."""


@dataclass(frozen=True)
class AccessTokens:
    secret: str
    audience: str
    ttl_s: int

    def issue(self, user_id: UUID, now: float | None = None) -> str:
        issued_at = int(time.time() if now is None else now)
        claims = {
            "sub": str(user_id),
            "aud": self.audience,
            "iat": issued_at,
            "exp": issued_at + self.ttl_s,
        }
        return jwt.encode(claims, self.secret, algorithm=ALGORITHM)

    def verify(self, token: str, now: float | None = None) -> UUID:
        """The user id the token was issued to; raises InvalidAccessToken otherwise."""
        now = time.time() if now is None else now
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                leeway=LEEWAY_S,
                options={"require": REQUIRED_CLAIMS},
            )
            expires, issued = float(claims["exp"]), float(claims["iat"])
            if expires > now + self.ttl_s + LEEWAY_S or expires - issued > self.ttl_s + LEEWAY_S:
                raise InvalidAccessToken("the token outlives the access-token lifetime")
            if issued > now + LEEWAY_S:
                raise InvalidAccessToken("the token is issued in the future")
            return UUID(str(claims["sub"]))
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidAccessToken(str(error)) from None
