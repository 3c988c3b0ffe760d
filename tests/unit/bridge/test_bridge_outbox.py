"""The outbox keeps every sample until it is confirmed, numbers them for good, and keeps to
its disk budget by letting go of the oldest."""

from __future__ import annotations

import sqlite3
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from bridge.outbox import NewSample, Outbox, OutboxError

MEGABYTE = 1024 * 1024


def samples(count: int, start: float = 1_700_000_000.0) -> list[NewSample]:
    return [
        NewSample(
            device_time=start + i * 0.25,
            sensor_id="trainer",
            characteristic="2ad2",
            raw=bytes.fromhex("4402da020201220100"),
            values={"power_w": 200 + i % 50, "cadence_rpm": 90.0},
        )
        for i in range(count)
    ]


@pytest.fixture
def outbox(tmp_path: Path) -> Iterator[Outbox]:
    opened = Outbox(tmp_path / "outbox.sqlite3", max_bytes=64 * MEGABYTE)
    yield opened
    opened.close()


def test_outbox_numbers_samples_consecutively_when_they_are_appended_in_batches(
    outbox: Outbox,
) -> None:
    first = outbox.append(samples(3))
    second = outbox.append(samples(2))

    stored = outbox.read(first.first_seq, None, 10)
    assert [s.seq for s in stored] == list(range(first.first_seq, first.first_seq + 5))
    assert second.first_seq == first.last_seq + 1


def test_outbox_starts_a_new_file_at_the_current_time_in_microseconds(tmp_path: Path) -> None:
    before = time.time_ns() // 1000
    outbox = Outbox(tmp_path / "fresh.sqlite3", max_bytes=MEGABYTE)
    try:
        assert before <= outbox.append(samples(1)).first_seq <= time.time_ns() // 1000
    finally:
        outbox.close()


def test_outbox_continues_its_numbering_when_reopened_after_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = Outbox(path, max_bytes=MEGABYTE)
    last_before = first.append(samples(4)).last_seq
    first.delete([last_before])  # even a confirmed (deleted) number is never reused
    first.close()

    reopened = Outbox(path, max_bytes=MEGABYTE)
    try:
        assert reopened.append(samples(1)).first_seq == last_before + 1
    finally:
        reopened.close()


def test_outbox_keeps_unconfirmed_samples_across_a_restart_with_their_content(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.sqlite3"
    first = Outbox(path, max_bytes=MEGABYTE)
    appended = first.append(samples(3))
    first.delete([appended.first_seq])
    first.close()

    reopened = Outbox(path, max_bytes=MEGABYTE)
    try:
        kept = reopened.read(0, None, 10)
    finally:
        reopened.close()
    assert [s.seq for s in kept] == [appended.first_seq + 1, appended.last_seq]
    assert kept[0].values == samples(3)[1].values
    assert kept[0].raw == samples(3)[1].raw
    assert kept[0].device_time == samples(3)[1].device_time


def test_outbox_reads_only_the_range_asked_for_oldest_first(outbox: Outbox) -> None:
    appended = outbox.append(samples(10))
    first = appended.first_seq

    chunk = outbox.read(first + 2, first + 6, 3)

    assert [s.seq for s in chunk] == [first + 2, first + 3, first + 4]


def test_outbox_forgets_a_sample_only_when_it_is_deleted_after_its_confirm(
    outbox: Outbox,
) -> None:
    appended = outbox.append(samples(5))

    outbox.delete([appended.first_seq, appended.first_seq + 1])

    assert outbox.pending() == 3
    assert outbox.first_seq() == appended.first_seq + 2


def test_outbox_uses_write_ahead_logging_with_full_sync_when_opened(tmp_path: Path) -> None:
    path = tmp_path / "outbox.sqlite3"
    Outbox(path, max_bytes=MEGABYTE).close()

    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_outbox_keeps_command_acknowledgements_until_they_are_confirmed(outbox: Outbox) -> None:
    first, second = uuid.uuid4(), uuid.uuid4()
    outbox.add_ack(first, 1)
    outbox.add_ack(second, 4)

    stored = outbox.acks(0, 10)
    outbox.delete_acks([stored[0][0]])

    assert [(a.command_id, a.result_code) for _, a in stored] == [(first, 1), (second, 4)]
    assert [a.command_id for _, a in outbox.acks(0, 10)] == [second]
    assert outbox.acks(stored[1][0], 10) == []


def test_outbox_drops_the_oldest_samples_when_its_disk_budget_is_reached(tmp_path: Path) -> None:
    budget = 256 * 1024
    outbox = Outbox(tmp_path / "small.sqlite3", max_bytes=budget)
    try:
        appended = [outbox.append(samples(200)) for _ in range(40)]
        kept = outbox.read(0, None, 100_000)
        dropped = outbox.dropped_total()
        used = outbox.used_bytes()
    finally:
        outbox.close()

    newest = appended[-1].last_seq
    kept_seqs = [s.seq for s in kept]
    assert dropped > 0
    assert used <= budget
    assert kept_seqs[-1] == newest
    # What is kept is one unbroken run ending with the newest: only the oldest went.
    assert kept_seqs == list(range(newest - len(kept_seqs) + 1, newest + 1))
    assert dropped + len(kept_seqs) == 40 * 200


def test_outbox_remembers_how_many_samples_it_dropped_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "small.sqlite3"
    outbox = Outbox(path, max_bytes=128 * 1024)
    for _ in range(20):
        outbox.append(samples(200))
    dropped = outbox.dropped_total()
    outbox.close()

    reopened = Outbox(path, max_bytes=128 * 1024)
    try:
        assert reopened.dropped_total() == dropped > 0
    finally:
        reopened.close()


def test_outbox_says_which_file_it_cannot_open_when_the_path_is_unusable(tmp_path: Path) -> None:
    missing_dir = tmp_path / "no" / "such" / "dir" / "outbox.sqlite3"

    with pytest.raises(OutboxError, match=r"outbox\.sqlite3"):
        Outbox(missing_dir, max_bytes=MEGABYTE)
