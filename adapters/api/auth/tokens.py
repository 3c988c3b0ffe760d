"""Access tokens: short-lived JWTs, HS256 only, with `exp`, `iat`, `sub` and `aud` required."""

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

    def verify(self, token: str) -> UUID:
        """The user id the token was issued to; raises InvalidAccessToken otherwise."""
        try:
            claims = jwt.decode(
                token,
                self.secret,
                algorithms=[ALGORITHM],
                audience=self.audience,
                leeway=LEEWAY_S,
                options={"require": REQUIRED_CLAIMS},
            )
            return UUID(str(claims["sub"]))
        except (jwt.PyJWTError, ValueError) as error:
            raise InvalidAccessToken(str(error)) from None
