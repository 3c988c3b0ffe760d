"""Follows the notification log and publishes the committed session events other than
samples, in order: per batch, one live message per live partition (`adapters.live_message`)
and each trainer command to its bridge. Samples go live from the ingest worker that commits
them; the relay's read skips them through a partial index (migration 0290), so its work
does not grow with the samples.

LISTEN/NOTIFY wakes the relay as soon as something is committed; a poll every second
catches whatever a lost notification (or a dead LISTEN connection) would miss. A batch is
published with publisher confirms and the position is recorded only after every confirm:
after a crash the unconfirmed tail is published again, and consumers deduplicate by the
notification id (dashboards) or the command id (bridges).

Only one relay publishes at a time: the active one holds a PostgreSQL advisory lock on
its own connection; a standby waits for the lock and takes over when that connection dies.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any, cast
from uuid import UUID

import psycopg
from aio_pika.abc import AbstractChannel
from aiormq.exceptions import PublishError
from eventsourcing.persistence import Notification
from eventsourcing.utils import get_topic
from psycopg.sql import SQL

from adapters.amqp import names
from adapters.amqp.publish import publish
from adapters.amqp.topology import declare_command_queue, delete_command_queue
from adapters.eventstore import WattlogStore
from adapters.postgres.listen import listen_for_commits
from adapters.relay.messages import BatchMessages, Outgoing
from adapters.runtime import wait_any
from adapters.settings import Settings
from domain.events import SampleRecorded, StoredEvent
from domain.sessions import WorkoutSession

log = logging.getLogger(__name__)

LEADER_LOCK_KEY = 0x72656C61  # "rela"
POLL_INTERVAL_S = 1.0
RETRY_S = 0.5
MAX_RETRY_S = 10.0
BATCH_SIZE = 1000
SESSION_TOPIC_PREFIX = get_topic(WorkoutSession) + "."  # every event of a session
SAMPLE_TOPIC = get_topic(SampleRecorded)  # published by the ingest worker, not here
OTHER_THAN_SAMPLES = SQL(
    "SELECT notification_id, originator_id, originator_version, topic, state"
    " FROM {table} WHERE notification_id > %s AND notification_id <= %s AND topic <> %s"
    " ORDER BY notification_id LIMIT %s"
)


class Relay:
    def __init__(
        self, settings: Settings, store: WattlogStore, channel: AbstractChannel, name: str = "relay"
    ) -> None:
        self._settings = settings
        self._store = store
        self._channel = channel
        self._name = name
        self._owners: dict[UUID, UUID] = {}
        self._command_queues: set[str] = set()  # declared by this relay
        self._revoked: set[str] = set()  # clients that are revoked bridges
        self._wake = asyncio.Event()
        self._listening = asyncio.Event()
        self.position = 0
        self.published = 0  # AMQP messages
        self.live_items = 0  # events carried by the live messages
        self.failures = 0  # consecutive interruptions; 0 while publishing

    async def run(self, stop: asyncio.Event) -> None:
        """Publishes until `stop`. A lost database or broker connection (a restart, say) is
        logged and retried with a growing delay: the relay then takes the leadership again
        and re-reads its position before it publishes anything more."""
        listener = asyncio.create_task(
            listen_for_commits(
                self._settings.database_url,
                self._store.notify_channel,
                self._woken,
                POLL_INTERVAL_S,
            )
        )
        try:
            while not stop.is_set():
                try:
                    await self._lead(stop)
                except Exception as error:
                    self.failures += 1
                    delay = min(MAX_RETRY_S, RETRY_S * 2 ** min(self.failures - 1, 8))
                    log.warning(
                        "relay interrupted; starting over",
                        extra={
                            "error": repr(error),
                            "failures": self.failures,
                            "retry_in_s": delay,
                        },
                    )
                    await wait_any(delay, stop)
        finally:
            listener.cancel()
            await asyncio.gather(listener, return_exceptions=True)

    async def _lead(self, stop: asyncio.Event) -> None:
        async with await psycopg.AsyncConnection.connect(
            self._settings.database_url, autocommit=True
        ) as conn:
            await self._become_leader(conn, stop)
            if stop.is_set():
                return
            # Another relay may have published while this one was away.
            self.position = await self._load_position(conn)
            log.info(
                "relay active", extra={"position": self.position, "after_failures": self.failures}
            )
            self.failures = 0
            with contextlib.suppress(TimeoutError):
                # Until LISTEN is in place a commit would wait for the next poll.
                await asyncio.wait_for(self._listening.wait(), POLL_INTERVAL_S)
            while not stop.is_set():
                if not await self._publish_next_batch(conn):
                    self._wake.clear()
                    await wait_any(POLL_INTERVAL_S, self._wake, stop)

    async def _become_leader(self, conn: psycopg.AsyncConnection[Any], stop: asyncio.Event) -> None:
        announced = False
        while not stop.is_set():
            row = await (
                await conn.execute("SELECT pg_try_advisory_lock(%s)", (LEADER_LOCK_KEY,))
            ).fetchone()
            if row and row[0]:
                return
            if not announced:
                log.info("relay standing by: another relay is active")
                announced = True
            await wait_any(POLL_INTERVAL_S, stop)

    def _woken(self) -> None:
        self._listening.set()
        self._wake.set()

    async def _load_position(self, conn: psycopg.AsyncConnection[Any]) -> int:
        row = await (
            await conn.execute(
                "SELECT notification_id FROM relay_positions WHERE name = %s", (self._name,)
            )
        ).fetchone()
        return int(row[0]) if row else 0

    async def _publish_next_batch(self, conn: psycopg.AsyncConnection[Any]) -> bool:
        """Publishes what follows the position; False when there was nothing to read.

        The position moves to the head of the log when the read got everything up to it,
        samples included, so that it tells how far behind the relay is (the API's
        `/metrics`) and where to start again."""
        head = await self._head(conn)
        if head <= self.position:
            return False
        notifications = await self._select(conn, self.position, head)
        if notifications:
            loop = asyncio.get_running_loop()
            batch = await loop.run_in_executor(None, self._messages, notifications)
            outgoing = await self._routable(conn, batch.outgoing())
            await asyncio.gather(*(self._publish(message) for message in outgoing))
            self.published += len(outgoing)
            self.live_items += batch.live_items
        self.position = notifications[-1].id if len(notifications) == BATCH_SIZE else head
        await conn.execute(
            "INSERT INTO relay_positions (name, notification_id) VALUES (%s, %s)"
            " ON CONFLICT (name) DO UPDATE SET notification_id = EXCLUDED.notification_id,"
            " updated_at = now()",
            (self._name, self.position),
        )
        return True

    async def _head(self, conn: psycopg.AsyncConnection[Any]) -> int:
        # The recorder appends under a table lock held until its commit, so notification
        # ids commit in order: everything up to the highest visible id is committed.
        cursor = await conn.execute(
            SQL("SELECT max(notification_id) FROM {table}").format(table=self._store.events_table)
        )
        row = await cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else 0

    async def _select(
        self, conn: psycopg.AsyncConnection[Any], position: int, head: int
    ) -> Sequence[Notification]:
        """The next events in (position, head] that are not samples (the library's
        `select_notifications(topics=...)` lists the topics it wants, which the planner
        cannot match to the partial index)."""
        cursor = await conn.execute(
            OTHER_THAN_SAMPLES.format(table=self._store.events_table),
            (position, head, SAMPLE_TOPIC, BATCH_SIZE),
        )
        return [
            Notification(
                id=row[0],
                originator_id=row[1],
                originator_version=row[2],
                topic=row[3],
                state=bytes(row[4]),
            )
            for row in await cursor.fetchall()
        ]

    def _messages(self, notifications: Sequence[Notification]) -> BatchMessages:
        out = BatchMessages(self._settings.live_partitions, self._settings.command_ttl_ms / 1000)
        for notification in notifications:
            if not notification.topic.startswith(SESSION_TOPIC_PREFIX):
                continue
            # Every event under the session topics is a WorkoutSession.Event (it has a timestamp).
            event = cast(StoredEvent, self._store.mapper.to_domain_event(notification))
            owner_id = self._owner_of(event)
            out.add(event, notification.id, owner_id)
        return out

    def _owner_of(self, event: Any) -> UUID:
        owner_id = getattr(event, "owner_id", None)
        if owner_id is None:
            owner_id = self._owners.get(event.originator_id)
        if owner_id is None:
            owner_id = self._store.repository.get(event.originator_id).owner_id
        self._owners[event.originator_id] = owner_id
        return owner_id

    async def _routable(
        self, conn: psycopg.AsyncConnection[Any], outgoing: list[Outgoing]
    ) -> list[Outgoing]:
        """The batch's messages, each command's queue declared before the publishes (so
        that they keep their order), without the commands for revoked bridges: a revoked
        bridge's queue is deleted with it and must not come back."""
        routable = []
        for message in outgoing:
            client_id = message.routing_key
            if message.exchange == names.COMMANDS_EXCHANGE:
                if not self._known(client_id):
                    await self._open_command_queue(conn, client_id)
                if client_id in self._revoked:
                    log.info(
                        "command for a revoked bridge dropped",
                        extra={"client_id": client_id, "command_id": message.message_id},
                    )
                    continue
            routable.append(message)
        return routable

    def _known(self, client_id: str) -> bool:
        return client_id in self._command_queues or client_id in self._revoked

    async def _open_command_queue(self, conn: psycopg.AsyncConnection[Any], client_id: str) -> None:
        """Declares the client's command queue, unless it is a revoked bridge's.

        A revocation commits before it deletes the queue, so one that commits between the
        look-up and the declaration could delete the queue before the declaration brings it
        back. Looked up again after the declaration, the bridge is either still not revoked
        (the revocation will delete the queue after this declaration) or revoked, and the
        queue is deleted here, before anything is published to it. A bridge found revoked
        at the first look-up has its queue deleted too, in case a relay stopped between
        declaring and deleting it (docs/amqp-topology.md, "Trainer commands")."""
        if not await _is_revoked_bridge(conn, client_id):
            await declare_command_queue(self._channel, self._settings, client_id)
            if not await _is_revoked_bridge(conn, client_id):
                self._command_queues.add(client_id)
                return
        await delete_command_queue(self._channel, client_id)
        self._revoked.add(client_id)

    async def _publish(self, message: Outgoing) -> None:
        try:
            await publish(
                self._channel,
                message.exchange,
                message.routing_key,
                message.body,
                mandatory=message.mandatory,
                expiration_s=message.expiration_s,
                message_id=message.message_id,
            )
        except PublishError:
            if message.exchange != names.COMMANDS_EXCHANGE:
                raise
            # Returned: the queue went after this relay declared it (its bridge was revoked
            # since). The command is dropped; the next one for this client asks again.
            self._command_queues.discard(message.routing_key)
            log.warning(
                "command returned (its command queue is gone) and dropped",
                extra={"client_id": message.routing_key, "command_id": message.message_id},
            )


async def _is_revoked_bridge(conn: psycopg.AsyncConnection[Any], client_id: str) -> bool:
    try:
        bridge_id = UUID(client_id)
    except ValueError:
        return False  # not a registered bridge's id (the simulator's, say)
    row = await (
        await conn.execute(
            "SELECT revoked_at IS NOT NULL FROM user_bridges WHERE bridge_id = %s", (bridge_id,)
        )
    ).fetchone()
    return bool(row and row[0])
