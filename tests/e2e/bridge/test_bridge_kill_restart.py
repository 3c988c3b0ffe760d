"""Done when (issue 6): killing the bridge (SIGKILL) and restarting it resends what was not
confirmed and nothing else. The bridge runs as `wattlog bridge --simulate`, a separate
process; while its broker account is suspended a backlog builds up in its outbox, then it
is killed, its account restored and the bridge started again on the same data directory.
Everything it publishes is captured by a queue bound next to the ingest's (as admin)."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
import uuid
from collections.abc import AsyncIterator, Callable
from pathlib import Path

import aiohttp
import orjson
import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue
from pipeline_helpers import eventually
from processes import WattlogProcess

from adapters.amqp import names
from adapters.amqp.accounts import BridgeAccounts
from adapters.amqp.topology import declare_command_queue
from adapters.eventstore import WattlogStore
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from domain.sessions import WorkoutSession

Spawn = Callable[..., WattlogProcess]
pytestmark = pytest.mark.usefixtures("ingest_worker")


def recorded_seqs(store: WattlogStore, session: WorkoutSession) -> list[int]:
    return [e.seq for e in store.events.get(session.id) if type(e).__name__ == "SampleRecorded"]


async def published_seqs(capture: AbstractQueue) -> list[int]:
    seqs: list[int] = []
    while (message := await capture.get(fail=False, no_ack=True)) is not None:
        body = orjson.loads(message.body)
        seqs += [sample["seq"] for sample in body.get("samples", [])]
    return seqs


def outbox_contents(data_dir: Path) -> tuple[set[int], int]:
    """(unconfirmed sequence numbers, next sequence number), read without changing the file."""
    with sqlite3.connect(f"file:{data_dir / 'outbox.sqlite3'}?mode=ro", uri=True) as db:
        pending = {row[0] for row in db.execute("SELECT seq FROM samples")}
        next_seq = db.execute("SELECT value FROM meta WHERE key = 'next_seq'").fetchone()[0]
    return pending, int(next_seq)


@pytest.fixture
async def accounts(settings: Settings) -> AsyncIterator[BridgeAccounts]:
    async with aiohttp.ClientSession() as http:
        yield BridgeAccounts(settings, http)


async def test_a_killed_bridge_resends_exactly_what_was_not_confirmed_after_a_restart(
    spawn: Spawn,
    settings: Settings,
    run_id: str,
    channel: AbstractChannel,
    accounts: BridgeAccounts,
    store: WattlogStore,
    sessions: SessionService,
    tmp_path: Path,
) -> None:
    client_id, password = f"{run_id}-{secrets.token_hex(4)}", secrets.token_urlsafe(24)
    await accounts.create(client_id, password)
    try:
        await declare_command_queue(channel, settings, client_id)
        capture = await channel.declare_queue(exclusive=True, auto_delete=True)
        events = await channel.get_exchange(names.EVENTS_EXCHANGE, ensure=False)
        await capture.bind(events, routing_key=names.events_routing_key(client_id))
        session = sessions.start(
            athlete_id=uuid.uuid4(), owner_id=uuid.uuid4(), client_id=client_id, ftp_w=250
        )
        data_dir = tmp_path / "bridge-data"
        argv = ["bridge", "--simulate", "--client-id", client_id, "--password", password]
        argv += ["--data-dir", str(data_dir), "--status", "log"]

        first = spawn(*argv)
        await eventually(lambda: len(recorded_seqs(store, session)) >= 20, 60)
        await accounts.delete(client_id)  # the broker drops the bridge and refuses it back
        await asyncio.sleep(6)  # meanwhile the ride goes on into the outbox
        first.kill()
        unconfirmed, next_at_kill = outbox_contents(data_dir)
        before_kill = await published_seqs(capture)

        await accounts.create(client_id, password)
        spawn(*argv)
        await eventually(lambda: max(recorded_seqs(store, session)) >= next_at_kill + 20, 60)
        after_restart = await published_seqs(capture)
    finally:
        await accounts.delete(client_id)

    resent = {seq for seq in after_restart if seq < next_at_kill}
    assert len(unconfirmed) >= 15  # the backlog that built up while the account was away
    assert resent == unconfirmed  # what was not confirmed, and nothing else
    assert all(seq >= next_at_kill for seq in after_restart if seq not in unconfirmed)
    confirmed_before_kill = set(before_kill) - unconfirmed
    assert confirmed_before_kill and not confirmed_before_kill & set(after_restart)
    seqs = recorded_seqs(store, session)
    assert sorted(seqs) == list(range(min(seqs), max(seqs) + 1))  # each exactly once, no gap
