"""Finding the athlete a command-line import is for, from its owner's sign-in email."""

from __future__ import annotations

from uuid import UUID

import psycopg

from adapters.settings import Settings


class UnknownAthlete(LookupError):
    """No athlete, or more than one, matches; the message says which ones there are."""


def athlete_by_email(settings: Settings, email: str, name: str | None = None) -> UUID:
    """The id of the athlete owned by the user who signs in with `email` (emails are stored
    trimmed and in lower case); `name` chooses among several (case-insensitive)."""
    normalised = email.strip().lower()
    with psycopg.connect(settings.database_url) as db:
        user = db.execute("SELECT id FROM users WHERE email = %s", (normalised,)).fetchone()
        if user is None:
            raise UnknownAthlete(f"no user signs in with {normalised!r}")
        athletes = db.execute(
            "SELECT athlete_id, name FROM user_athletes WHERE owner_id = %s ORDER BY created_at",
            (user[0],),
        ).fetchall()
    chosen = [a for a in athletes if name is None or a[1].casefold() == name.casefold()]
    if len(chosen) == 1:
        return UUID(str(chosen[0][0]))
    listed = ", ".join(f"{a[1]!r} ({a[0]})" for a in athletes)
    if not athletes:
        raise UnknownAthlete(f"{normalised} has no athlete profile yet: create one in Settings")
    if name is not None and not chosen:
        raise UnknownAthlete(f"{normalised} has no athlete named {name!r}; there are: {listed}")
    raise UnknownAthlete(
        f"{normalised} has several athletes, choose one with --athlete-name or --athlete: {listed}"
    )
