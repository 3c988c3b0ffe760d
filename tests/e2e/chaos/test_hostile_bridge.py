"""A hostile (or broken) bridge cannot hurt anyone else: each envelope it sends is either
dead-lettered with its reason or stored exactly once; the ingest worker and every projector
(real `wattlog` processes) keep running, and another tenant riding at the same time has
every sample stored once and projected. These run on the shared services (nothing restarts),
each in a database of its own: what one hostile envelope leaves in the event log must not
decide another test's fate, nor that of the rest of the run."""

from __future__ import annotations

import json
import math
import os
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from aio_pika.abc import AbstractChannel, AbstractIncomingMessage
from pipeline_helpers import eventually, sample_envelope
from processes import WattlogProcess, wattlog_env

from adapters.amqp import names
from adapters.eventstore import WattlogStore
from adapters.migrations import migrate
from adapters.postgres.test_server import admin_database_url
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from domain.sessions import WorkoutSession

Spawn = Callable[..., WattlogProcess]
YEAR_3000 = 32_503_680_000.0
# Device times no ride can have are refused at the boundary (issue 11): never stored.
OUT_OF_BOUNDS_TIMES = {"negative time", "huge time", "time in the year 3000"}
ADMIN_DATABASE_URL = admin_database_url()


def hostile_sample(seq: Any = 0, **changes: Any) -> dict[str, Any]:
    sample = {
        "seq": seq,
        "t": time.time(),
        "sensor": "trainer",
        "char": "2ad2",
        "raw": "4402da020201220100",
        "values": {"power_w": 200},
    }
    sample.update(changes)
    return sample


def envelope(client_id: str, samples: list[dict[str, Any]], **changes: Any) -> dict[str, Any]:
    body = {
        "v": 1,
        "type": "samples",
        "client_id": client_id,
        "sent_at": time.time(),
        "correlation_id": uuid.uuid4().hex,
        "samples": samples,
    }
    body.update(changes)
    return body


def dumps(body: object) -> bytes:
    # The standard library writes what orjson refuses: integers past 64 bits, NaN.
    return json.dumps(body).encode()


def one(me: str, **changes: Any) -> bytes:
    return dumps(envelope(me, [hostile_sample(**changes)]))


# name -> the envelope's body, given the hostile bridge's and the victim's client ids
HOSTILE: dict[str, Callable[[str, str], bytes]] = {
    "seq 2^63": lambda me, _: one(me, seq=2**63),
    "seq 10^30": lambda me, _: one(me, seq=10**30),
    "negative seq": lambda me, _: one(me, seq=-1),
    "seq of the wrong type": lambda me, _: one(me, seq="7"),
    "negative time": lambda me, _: one(me, seq=1, t=-1.0),
    "huge time": lambda me, _: one(me, seq=2, t=1e12),
    "time in the year 3000": lambda me, _: one(me, seq=3, t=YEAR_3000),
    "NaN time": lambda me, _: one(me, seq=4, t=math.nan),
    "infinite time": lambda me, _: one(me, seq=5, t=math.inf),
    "NaN value": lambda me, _: one(me, seq=6, values={"power_w": math.nan}),
    "values of the wrong type": lambda me, _: one(me, seq=7, values={"power_w": {"x": [1]}}),
    "samples of the wrong type": lambda me, _: dumps({**envelope(me, []), "samples": "many"}),
    "oversized sensor name": lambda me, _: one(me, seq=8, sensor="x" * 100_000),
    "oversized raw payload": lambda me, _: one(me, seq=9, raw="00" * 100_000),
    "too many samples": lambda me, _: dumps(
        envelope(me, [hostile_sample(10_000 + i) for i in range(5000)])
    ),
    "duplicate seqs": lambda me, _: dumps(
        envelope(me, [hostile_sample(11), hostile_sample(11), hostile_sample(11)])
    ),
    "a client id that is not its own": lambda me, victim: dumps(
        envelope(victim, [hostile_sample(1_000_000)])
    ),
    "not JSON": lambda me, _: b"\x00\xff not json {",
}


def recorded_seqs(store: WattlogStore, session: WorkoutSession) -> list[int]:
    return [e.seq for e in store.events.get(session.id) if type(e).__name__ == "SampleRecorded"]


@pytest.fixture
def own_settings(settings: Settings, run_id: str) -> Iterator[Settings]:
    """This run's vhost, and a new database with the schema, dropped at the end."""
    name = f"wattlog_test_{run_id}_{uuid.uuid4().hex[:6]}"
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
        admin.execute(f'CREATE DATABASE "{name}" OWNER wattlog')
    try:
        own = settings.with_database(name)
        migrate(own)
        yield own
    finally:
        with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def store(own_settings: Settings) -> Iterator[WattlogStore]:
    store = WattlogStore(own_settings.replace(db_pool_size=2))
    yield store
    store.close()


@pytest.fixture
def spawn(own_settings: Settings, tmp_path: Path) -> Iterator[Spawn]:
    started: list[WattlogProcess] = []

    def start(name: str) -> WattlogProcess:
        log = tmp_path / f"{name}.log"
        started.append(WattlogProcess([name], wattlog_env(own_settings, os.environ), log).start())
        return started[-1]

    yield start
    for process in started:
        process.stop()


def positions(settings: Settings, session: WorkoutSession) -> tuple[int, dict[str, int]]:
    """(the session's last notification id, where each projector is)."""
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute(
            "SELECT max(notification_id) FROM wattlog_events WHERE originator_id = %s",
            (session.id,),
        ).fetchone()
        tracked = conn.execute(
            "SELECT application_name, notification_id FROM projection_tracking"
        ).fetchall()
    return int(row[0] or 0) if row else 0, {str(n): int(p) for n, p in tracked}


@pytest.mark.parametrize("kind", list(HOSTILE))
async def test_a_hostile_envelope_hurts_no_other_tenant_and_stops_no_process(
    kind: str,
    spawn: Spawn,
    own_settings: Settings,
    store: WattlogStore,
    channel: AbstractChannel,
    publisher: EnvelopePublisher,
) -> None:
    run = uuid.uuid4().hex[:8]
    sessions = SessionService(store)
    victim = sessions.start(
        athlete_id=uuid.uuid4(), owner_id=uuid.uuid4(), client_id=f"victim-{run}", ftp_w=250
    )
    hostile = sessions.start(
        athlete_id=uuid.uuid4(), owner_id=uuid.uuid4(), client_id=f"hostile-{run}", ftp_w=250
    )
    dead_letters: list[AbstractIncomingMessage] = []
    watch = await channel.declare_queue(exclusive=True, auto_delete=True)
    await watch.bind(await channel.get_exchange(names.DEAD_LETTER_EXCHANGE, ensure=False))

    async def keep(message: AbstractIncomingMessage) -> None:
        dead_letters.append(message)

    await watch.consume(keep, no_ack=True)

    ingest, projector = spawn("ingest"), spawn("project")
    t0 = time.time() - 60
    await publisher.publish(sample_envelope(victim.client_id, range(40), t0=t0))
    await eventually(lambda: len(recorded_seqs(store, victim)) == 40, 60)

    def from_hostile() -> list[AbstractIncomingMessage]:
        tag = f"hostile-{run}"
        return [m for m in dead_letters if (m.headers or {}).get(names.CORRELATION_HEADER) == tag]

    def handled() -> bool:
        return bool(from_hostile()) or bool(recorded_seqs(store, hostile))

    def running(process: WattlogProcess) -> bool:
        return process.process is not None and process.process.poll() is None

    # The hostile envelope alone in its batch, then the victim rides on.
    body = HOSTILE[kind](hostile.client_id, victim.client_id)
    await publisher.publish_raw(hostile.client_id, body, correlation_id=f"hostile-{run}")
    await eventually(lambda: handled() or not running(ingest), 60)
    await publisher.publish(sample_envelope(victim.client_id, range(40, 80), t0=t0))
    await eventually(lambda: len(recorded_seqs(store, victim)) >= 80 or not running(ingest), 60)
    assert running(ingest), f"ingest exited: {ingest.log_text()[-3000:]}"

    # The other tenant: every sample stored once, and projected.
    assert recorded_seqs(store, victim) == list(range(80))
    last, _ = positions(own_settings, victim)

    def projected() -> bool:
        _, tracked = positions(own_settings, victim)
        return all(tracked.get(name, 0) >= last for name in ("samples", "summaries"))

    try:
        await eventually(projected, 60)
    finally:
        for process in (ingest, projector):
            assert running(process), f"{process.argv[0]} exited: {process.log_text()[-3000:]}"

    # The hostile envelope: dead-lettered with its reason, or stored once.
    mine = from_hostile()
    if mine:
        assert all((m.headers or {}).get(names.REASON_HEADER) for m in mine)
    if kind in OUT_OF_BOUNDS_TIMES:
        assert mine, "a device time out of bounds was stored"
    hostile_seqs = recorded_seqs(store, hostile)
    assert not [seq for seq, n in Counter(hostile_seqs).items() if n > 1]
    assert not (mine and hostile_seqs), "both dead-lettered and stored"
