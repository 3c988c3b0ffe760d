"""The ownership lookup rows are derived from exactly the events being saved."""

from __future__ import annotations

import uuid

from adapters.services.ownership_index import index_statements
from domain.athletes import Athlete
from domain.bridges import BridgeClient
from domain.sessions import WorkoutSession


def _sql(statements: list[tuple[str, tuple[object, ...]]]) -> list[str]:
    return [
        sql.split()[0] + " " + sql.split()[1 if sql.startswith("UPDATE") else 2]
        for sql, _ in statements
    ]


def test_a_session_lifecycle_maps_to_its_index_rows_in_order() -> None:
    owner, athlete = uuid.uuid4(), uuid.uuid4()
    session = WorkoutSession.start(athlete_id=athlete, owner_id=owner, client_id="c1", ftp_w=250)
    session.pause()
    session.resume()
    session.switch_transport("phone", "c2")
    session.mark_lap()  # not mirrored: the index only tracks ownership and status
    session.finish()
    statements = index_statements(session.pending_events)
    assert _sql(statements) == [
        "INSERT user_sessions",
        "UPDATE user_sessions",
        "UPDATE user_sessions",
        "UPDATE user_sessions",
        "UPDATE user_sessions",
    ]
    started = statements[0][1]
    assert started[:6] == (session.id, owner, athlete, "c1", "desktop", "running")
    assert [params[0] for _, params in statements[1:3]] == ["paused", "running"]
    assert statements[3][1][:2] == ("c2", "phone")
    assert statements[4][1][0] == "finished"
    assert statements[4][1][1] is not None  # ended_at


def test_athlete_and_bridge_events_keep_their_owners_rows() -> None:
    owner = uuid.uuid4()
    athlete = Athlete.create(owner_id=owner, name="Rider", ftp_w=250, weight_kg=70)
    athlete.change_weight(68)  # not mirrored
    athlete.rename("Racer")
    bridge = BridgeClient.register(owner_id=owner, name="Laptop", kind="desktop")
    bridge.revoke("lost")
    statements = index_statements([*athlete.pending_events, *bridge.pending_events])
    assert _sql(statements) == [
        "INSERT user_athletes",
        "UPDATE user_athletes",
        "INSERT user_bridges",
        "UPDATE user_bridges",
    ]
    assert statements[0][1][:3] == (athlete.id, owner, "Rider")
    assert statements[1][1] == ("Racer", athlete.id)
    assert statements[2][1][:4] == (bridge.id, owner, "Laptop", "desktop")
