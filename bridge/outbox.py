"""The store-and-forward outbox: a local SQLite file (WAL, synchronous=FULL) that holds every
sample from the moment it is decoded until the broker has confirmed it, and the
acknowledgements of trainer commands until they are confirmed too.

Sequence numbers are allocated here, in the same transaction as the samples, so they
increase strictly and survive restarts. A new outbox starts at the current time in
microseconds: a bridge whose data directory was wiped never reuses a number the server may
have recorded for this client already (the server ignores a (client id, seq) it has seen).

Disk budget: when the file's used pages exceed `max_bytes`, the oldest unconfirmed samples
are deleted (docs/bridge.md explains why the oldest) and counted in `dropped_total`.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from uuid import UUID

import orjson

from wire.envelope import Ack, Sample

T = TypeVar("T")
SCHEMA_VERSION = 1
DROP_CHUNK_FRACTION = 0.05
MIN_DROP_CHUNK = 64

_SCHEMA = """
CREATE TABLE IF NOT EXISTS samples (
    seq INTEGER PRIMARY KEY,
    device_time REAL NOT NULL,
    sensor TEXT NOT NULL,
    characteristic TEXT NOT NULL,
    raw BLOB NOT NULL,
    vals BLOB NOT NULL
);
CREATE TABLE IF NOT EXISTS acks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    command_id TEXT NOT NULL,
    result_code INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class OutboxError(RuntimeError):
    """The outbox file cannot be used (the message says which file and why)."""


@dataclass(frozen=True)
class NewSample:
    """A decoded notification, before it has a sequence number."""

    device_time: float
    sensor_id: str
    characteristic: str
    raw: bytes
    values: dict[str, Any]


@dataclass(frozen=True)
class AppendResult:
    first_seq: int
    last_seq: int
    dropped: int  # old samples deleted to stay within the disk budget


class Outbox:
    """Synchronous; use it from one thread at a time (AsyncOutbox does that)."""

    def __init__(self, path: Path, max_bytes: int) -> None:
        self.path = path
        self.max_bytes = max_bytes
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
            self._db.execute("PRAGMA auto_vacuum = INCREMENTAL")  # only effective on a new file
            self._db.execute("PRAGMA journal_mode = WAL")
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.executescript(_SCHEMA)
            self._db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            with self._transaction():
                self._db.execute(
                    "INSERT OR IGNORE INTO meta (key, value) VALUES ('next_seq', ?)",
                    (time.time_ns() // 1000,),
                )
                self._db.execute("INSERT OR IGNORE INTO meta (key, value) VALUES ('dropped', 0)")
        except sqlite3.Error as error:
            raise OutboxError(f"cannot open the outbox {str(path)!r}: {error}") from None
        self._page_size = int(self._scalar("PRAGMA page_size"))

    def close(self) -> None:
        self._db.close()

    # Samples ------------------------------------------------------------------------------

    def append(self, samples: Sequence[NewSample]) -> AppendResult:
        """Stores the samples with the next sequence numbers, in one durable transaction."""
        with self._transaction():
            first = int(self._scalar("SELECT value FROM meta WHERE key = 'next_seq'"))
            self._db.executemany(
                "INSERT INTO samples (seq, device_time, sensor, characteristic, raw, vals)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        first + i,
                        s.device_time,
                        s.sensor_id,
                        s.characteristic,
                        s.raw,
                        orjson.dumps(s.values),
                    )
                    for i, s in enumerate(samples)
                ],
            )
            self._db.execute(
                "UPDATE meta SET value = ? WHERE key = 'next_seq'", (first + len(samples),)
            )
            dropped = self._enforce_budget()
        return AppendResult(first, first + len(samples) - 1, dropped)

    def read(self, from_seq: int, before_seq: int | None, limit: int) -> list[Sample]:
        """Stored samples with from_seq <= seq (< before_seq), oldest first."""
        rows = self._db.execute(
            "SELECT seq, device_time, sensor, characteristic, raw, vals FROM samples"
            " WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?",
            (from_seq, before_seq if before_seq is not None else 2**63 - 1, limit),
        ).fetchall()
        return [
            Sample(
                seq=row[0],
                device_time=row[1],
                sensor_id=row[2],
                characteristic=row[3],
                raw=bytes(row[4]),
                values=orjson.loads(row[5]),
            )
            for row in rows
        ]

    def delete(self, seqs: Sequence[int]) -> None:
        """Forgets confirmed samples."""
        with self._transaction():
            self._db.executemany("DELETE FROM samples WHERE seq = ?", [(s,) for s in seqs])

    def first_seq(self) -> int | None:
        value = self._scalar("SELECT min(seq) FROM samples")
        return None if value is None else int(value)

    def next_seq(self) -> int:
        return int(self._scalar("SELECT value FROM meta WHERE key = 'next_seq'"))

    def pending(self) -> int:
        return int(self._scalar("SELECT count(*) FROM samples"))

    def dropped_total(self) -> int:
        return int(self._scalar("SELECT value FROM meta WHERE key = 'dropped'"))

    def used_bytes(self) -> int:
        pages = int(self._scalar("PRAGMA page_count")) - int(self._scalar("PRAGMA freelist_count"))
        return pages * self._page_size

    def compact(self) -> None:
        """Returns free pages to the file system (after a backlog has drained)."""
        self._db.execute("PRAGMA incremental_vacuum")

    # Command acknowledgements -------------------------------------------------------------

    def add_ack(self, command_id: UUID, result_code: int) -> None:
        with self._transaction():
            self._db.execute(
                "INSERT INTO acks (command_id, result_code, created_at) VALUES (?, ?, ?)",
                (str(command_id), result_code, time.time()),
            )

    def acks(self, after_id: int, limit: int) -> list[tuple[int, Ack]]:
        """Stored acknowledgements with an id above `after_id`, oldest first."""
        rows = self._db.execute(
            "SELECT id, command_id, result_code FROM acks WHERE id > ? ORDER BY id LIMIT ?",
            (after_id, limit),
        ).fetchall()
        return [(row[0], Ack(UUID(row[1]), row[2])) for row in rows]

    def delete_acks(self, ids: Sequence[int]) -> None:
        with self._transaction():
            self._db.executemany("DELETE FROM acks WHERE id = ?", [(i,) for i in ids])

    # Internals ----------------------------------------------------------------------------

    def _enforce_budget(self) -> int:
        dropped = 0
        while self.used_bytes() > self.max_bytes:
            count = int(self._scalar("SELECT count(*) FROM samples"))
            if count == 0:
                break
            chunk = min(count, max(MIN_DROP_CHUNK, int(count * DROP_CHUNK_FRACTION)))
            self._db.execute(
                "DELETE FROM samples WHERE seq IN (SELECT seq FROM samples ORDER BY seq LIMIT ?)",
                (chunk,),
            )
            dropped += chunk
        if dropped:
            self._db.execute("UPDATE meta SET value = value + ? WHERE key = 'dropped'", (dropped,))
        return dropped

    def _scalar(self, sql: str) -> Any:
        row = self._db.execute(sql).fetchone()
        return row[0] if row else None

    def _transaction(self) -> _Transaction:
        return _Transaction(self._db)


class _Transaction:
    def __init__(self, db: sqlite3.Connection) -> None:
        self._db = db

    def __enter__(self) -> None:
        self._db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        self._db.execute("COMMIT" if exc_type is None else "ROLLBACK")


class AsyncOutbox:
    """The outbox for the event loop: every call runs on one dedicated thread, so a slow
    disk never blocks BLE callbacks or the broker connection."""

    def __init__(self, outbox: Outbox) -> None:
        self.sync = outbox
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox")

    @classmethod
    async def open(cls, path: Path, max_bytes: int) -> AsyncOutbox:
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-open")
        try:
            loop = asyncio.get_running_loop()
            outbox = await loop.run_in_executor(executor, Outbox, path, max_bytes)
        finally:
            executor.shutdown(wait=False)
        return cls(outbox)

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, function, *args)

    async def append(self, samples: Sequence[NewSample]) -> AppendResult:
        return await self.call(self.sync.append, samples)

    async def read(self, from_seq: int, before_seq: int | None, limit: int) -> list[Sample]:
        return await self.call(self.sync.read, from_seq, before_seq, limit)

    async def delete(self, seqs: Sequence[int]) -> None:
        await self.call(self.sync.delete, seqs)

    async def close(self) -> None:
        await self.call(self.sync.close)
        self._executor.shutdown(wait=True)
