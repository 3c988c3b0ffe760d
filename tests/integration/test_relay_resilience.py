"""The relay rides out the loss of its PostgreSQL connections and of its broker connection:
it takes the leadership again, re-reads its position and goes on publishing, skipping
nothing (a consumer may see an event twice, and deduplicates by notification id)."""

from __future__ import annotations

import asyncio
import time
from uuid import UUID, uuid4

import psycopg
import pytest
from aio_pika.abc import AbstractChannel, AbstractQueue
from broker_admin import close_connections, terminate_backends
from pipeline_helpers import eventually, live_items, live_queue, running

from adapters.amqp import names
from adapters.relay import main as relay_main
from adapters.relay.relay import LEADER_LOCK_KEY
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from domain.sessions import WorkoutSession

pytestmark = pytest.mark.usefixtures("relay")


class LiveFeed:
    """Every live message of one session, by notification id."""

    def __init__(self, queue: AbstractQueue, session_id: UUID) -> None:
        self.queue = queue
        self.session_id = session_id
        self.by_notification: dict[int, dict[str, object]] = {}

    @classmethod
    async def of(
        cls, channel: AbstractChannel, settings: Settings, session: WorkoutSession
    ) -> LiveFeed:
        return cls(await live_queue(channel, settings, session.owner_id), session.id)

    async def until_commands(self, command_ids: set[UUID], within_s: float = 60.0) -> None:
        deadline = time.monotonic() + within_s
        while not command_ids <= self.command_ids():
            if time.monotonic() > deadline:
                missing = command_ids - self.command_ids()
                raise AssertionError(f"{len(missing)} commands never reached the live feed")
            message = await self.queue.get(fail=False, no_ack=True)
            if message is None:
                await asyncio.sleep(0.05)
                continue
            for body in live_items(message.body, self.session_id):
                self.by_notification[int(body["n"])] = body

    def command_ids(self) -> set[UUID]:
        return {
            UUID(str(body["command_id"]))
            for body in self.by_notification.values()
            if body["kind"] == "command"
        }


def issue(sessions: SessionService, session: WorkoutSession, count: int) -> set[UUID]:
    issued = set()
    for watts in range(count):
        command_id = uuid4()
        sessions.issue_command(session.id, command_id, "target_power", 150 + watts, uuid4())
        issued.add(command_id)
    return issued


def relay_position(settings: Settings) -> int:
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute("SELECT notification_id FROM relay_positions WHERE name = 'relay'")
        return int(row.fetchone()[0])  # type: ignore[index]


def head(settings: Settings) -> int:
    with psycopg.connect(settings.database_url) as conn:
        return int(conn.execute("SELECT max(notification_id) FROM wattlog_events").fetchone()[0])  # type: ignore[index]


async def test_the_relay_goes_on_publishing_after_its_database_connections_are_terminated(
    settings: Settings,
    channel: AbstractChannel,
    sessions: SessionService,
    running_session: WorkoutSession,
) -> None:
    feed = await LiveFeed.of(channel, settings, running_session)
    before = issue(sessions, running_session, 5)
    await feed.until_commands(before)

    assert terminate_backends(settings.database_name) > 0
    after = issue(sessions, running_session, 5)

    await feed.until_commands(before | after)
    await eventually(lambda: relay_position(settings) >= head(settings))


async def test_when_the_active_and_the_standby_relay_lose_the_database_one_leads_again(
    settings: Settings,
    channel: AbstractChannel,
    sessions: SessionService,
    running_session: WorkoutSession,
) -> None:
    feed = await LiveFeed.of(channel, settings, running_session)
    async with running(relay_main.serve, settings):  # a second relay, standing by
        before = issue(sessions, running_session, 5)
        await feed.until_commands(before)

        assert terminate_backends(settings.database_name) > 0
        after = issue(sessions, running_session, 5)

        await feed.until_commands(before | after)
        await eventually(lambda: relay_position(settings) >= head(settings))
        assert leaders(settings) == 1


def leaders(settings: Settings) -> int:
    with psycopg.connect(settings.database_url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND objid = %s AND database = (SELECT oid FROM pg_database WHERE datname = %s)",
            (LEADER_LOCK_KEY, settings.database_name),
        ).fetchone()
        return int(row[0])  # type: ignore[index]


async def test_the_relay_goes_on_publishing_after_its_broker_connection_is_closed(
    settings: Settings,
    channel: AbstractChannel,
    sessions: SessionService,
    running_session: WorkoutSession,
) -> None:
    feed = await LiveFeed.of(channel, settings, running_session)
    before = issue(sessions, running_session, 5)
    await feed.until_commands(before)

    assert await close_connections(settings.amqp_vhost, "relay") == 1
    after = issue(sessions, running_session, 5)

    await feed.until_commands(before | after)
    await eventually(lambda: relay_position(settings) >= head(settings))
    commands = await channel.get_queue(names.command_queue(running_session.client_id))
    assert (await commands.declare()).message_count > 0
