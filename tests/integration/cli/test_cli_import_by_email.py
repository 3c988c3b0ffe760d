"""`wattlog import --athlete-email`: a rider names the athlete by the email they sign in with
(a real `wattlog` process against the test database)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from processes import PROJECT_ROOT, run_wattlog

from adapters.services.ownership_index import IndexedStore
from adapters.settings import Settings
from domain.athletes import Athlete

FIT_FILE = PROJECT_ROOT.parent / "shared" / "fixtures" / "fit" / "garmin-edge-820-bike.fit"


@pytest.fixture
def indexed_store(settings: Settings) -> Iterator[IndexedStore]:
    store = IndexedStore(settings)
    yield store
    store.close()


def _user(settings: Settings, *athlete_names: str, store: IndexedStore) -> tuple[str, list[Any]]:
    """A user (straight into `users`: the password plays no part here) with these athletes."""
    email = f"rider-{uuid.uuid4().hex[:10]}@example.com"
    user_id = uuid.uuid4()
    with psycopg.connect(settings.database_url, autocommit=True) as db:
        db.execute(
            "INSERT INTO users (id, email, password_hash) VALUES (%s, %s, 'unused')",
            (user_id, email),
        )
    athletes = [Athlete.create(user_id, name, ftp_w=250, weight_kg=70.0) for name in athlete_names]
    for athlete in athletes:
        store.save(athlete)
    return email, [athlete.id for athlete in athletes]


def _rides_of(settings: Settings, athlete_id: Any) -> int:
    with psycopg.connect(settings.database_url) as db:
        row = db.execute(
            "SELECT count(*) FROM user_sessions WHERE athlete_id = %s", (athlete_id,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def test_import_by_email_imports_for_the_users_only_athlete(
    settings: Settings, indexed_store: IndexedStore
) -> None:
    email, [athlete_id] = _user(settings, "Ada", store=indexed_store)

    done = run_wattlog(settings, "import", "--athlete-email", f" {email.upper()} ", str(FIT_FILE))

    assert done.returncode == 0, done.stderr
    assert "imported as session" in done.stdout
    assert _rides_of(settings, athlete_id) == 1


def test_import_by_email_with_several_athletes_needs_a_name_and_says_which_there_are(
    settings: Settings, indexed_store: IndexedStore
) -> None:
    email, [ada, bob] = _user(settings, "Ada", "Bob", store=indexed_store)

    refused = run_wattlog(settings, "import", "--athlete-email", email, str(FIT_FILE))
    chosen = run_wattlog(
        settings, "import", "--athlete-email", email, "--athlete-name", "bob", str(FIT_FILE)
    )

    assert refused.returncode == 2
    assert refused.stderr.strip().splitlines() == [
        f"wattlog import: {email} has several athletes, choose one with --athlete-name or"
        f" --athlete: 'Ada' ({ada}), 'Bob' ({bob})"
    ]
    assert chosen.returncode == 0, chosen.stderr
    assert (_rides_of(settings, ada), _rides_of(settings, bob)) == (0, 1)


def test_import_by_an_unknown_email_stores_nothing_and_says_so(settings: Settings) -> None:
    done = run_wattlog(settings, "import", "--athlete-email", "nobody@example.com", str(FIT_FILE))

    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "wattlog import: no user signs in with 'nobody@example.com'"
    ]
