"""The live message: one per partition per relay batch, built and read by one module."""

from __future__ import annotations

from uuid import UUID, uuid4

import orjson
import pytest

from adapters import live_message
from adapters.relay.messages import BatchMessages
from domain.sessions import WorkoutSession

CLIENT = "bridge-test"


def _session(owner_id: UUID) -> WorkoutSession:
    return WorkoutSession.start(athlete_id=uuid4(), owner_id=owner_id, client_id=CLIENT, ftp_w=250)


def test_a_user_always_lands_on_the_same_partition_within_range() -> None:
    owners = [uuid4() for _ in range(500)]
    first = [live_message.partition_of(owner, 16) for owner in owners]
    assert first == [live_message.partition_of(UUID(str(owner)), 16) for owner in owners]
    assert set(first) == set(range(16))  # 500 random users reach every partition


def test_a_known_user_has_a_fixed_partition_in_every_process() -> None:
    # crc32, not Python's salted hash(): every API process and the relay agree.
    owner = UUID("00000000-0000-4000-8000-000000000001")
    assert live_message.partition_of(owner, 16) == live_message.partition_of(owner, 16) == 9
    assert live_message.routing_key(9) == "live.9"


def test_a_batch_of_many_samples_makes_one_message_per_partition() -> None:
    owners = [uuid4() for _ in range(40)]
    batch = BatchMessages(live_partitions=4, command_ttl_s=5.0)
    notification = 0
    for owner in owners:
        session = _session(owner)
        for seq in range(10):
            session.record_sample(CLIENT, seq, 1_700_000_000.0 + seq, "trainer", "2ad2", b"", {})
        for event in session.collect_events():
            notification += 1
            batch.add(event, notification, owner)
    outgoing = batch.outgoing()
    partitions = {live_message.partition_of(owner, 4) for owner in owners}
    assert sorted(message.routing_key for message in outgoing) == sorted(
        live_message.routing_key(p) for p in partitions
    )
    decoded = [live_message.decode(message.body) for message in outgoing]
    assert sum(len(items) for batch in decoded for items in batch.users.values()) == 40 * 11
    for message, read in zip(outgoing, decoded, strict=True):
        for owner_id in read.users:
            partition = live_message.partition_of(UUID(owner_id), 4)
            assert message.routing_key == live_message.routing_key(partition)


def test_a_reader_takes_only_the_items_of_the_users_it_watches() -> None:
    watched, other = uuid4(), uuid4()
    builder = live_message.BatchBuilder(partitions=1)
    builder.add(watched, {"n": 1, "session_id": "s1", "kind": "sample"})
    builder.add(other, {"n": 2, "session_id": "s2", "kind": "sample"})
    builder.add(watched, {"n": 3, "session_id": "s1", "kind": "sample"})
    [(key, body)] = builder.messages()
    assert key == "live.0"
    read = list(live_message.decode(body).items_for({str(watched)}))
    assert [(owner, data["n"]) for owner, data in read] == [(str(watched), 1), (str(watched), 3)]


def test_an_issued_command_goes_live_and_to_its_bridge() -> None:
    owner = uuid4()
    session = _session(owner)
    session.issue_command(uuid4(), "target_power", 250, uuid4())
    batch = BatchMessages(live_partitions=16, command_ttl_s=5.0)
    for n, event in enumerate(session.collect_events(), start=1):
        batch.add(event, n, owner)
    command, live = batch.outgoing()
    assert (command.exchange, command.routing_key, command.mandatory) == (
        "ble.commands",
        CLIENT,
        True,
    )
    kinds = [data["kind"] for data in live_message.decode(live.body).users[str(owner)]]
    assert kinds == ["status", "command"]


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        orjson.dumps({"v": 2, "users": {}}),
        orjson.dumps({"v": 1, "users": []}),
        orjson.dumps({"v": 1, "users": {"u": [1]}}),
        orjson.dumps([1]),
    ],
    ids=["not-json", "other-version", "users-not-a-map", "item-not-an-object", "not-an-object"],
)
def test_a_body_that_is_no_live_message_is_refused_with_a_reason(body: bytes) -> None:
    with pytest.raises(live_message.LiveMessageError):
        live_message.decode(body)


def test_a_dashboard_frame_wraps_one_item() -> None:
    frame = orjson.loads(live_message.frame({"n": 7, "kind": "status"}))
    assert frame == {"type": "live", "data": {"n": 7, "kind": "status"}}


def test_a_sample_seen_again_reads_as_the_item_its_stored_event_made() -> None:
    owner = uuid4()
    session = _session(owner)
    session.record_sample(CLIENT, 7, 1_700_000_007.0, "pm", "2a63", b"", {"power_w": 240})
    [event] = [e for e in session.collect_events() if type(e).__name__ == "SampleRecorded"]
    stored = live_message.item(event, 1234)
    again = live_message.sample_item(
        session.id, CLIENT, 7, 1_700_000_007.0, "pm", "2a63", {"power_w": 240}, 1_800_000_000.0
    )
    assert live_message.dedup_key(stored) == live_message.dedup_key(again)
    assert {k: v for k, v in stored.items() if k not in ("n", "at")} == {
        k: v for k, v in again.items() if k != "at"
    }


def test_other_events_are_told_apart_by_their_notification_id() -> None:
    session = _session(uuid4())
    session.issue_command(uuid4(), "target_power", 250, uuid4())
    events = session.collect_events()
    first, second = (live_message.item(event, n) for n, event in enumerate(events[:2], start=1))
    assert live_message.dedup_key(first) == 1
    assert live_message.dedup_key(second) == 2
    assert live_message.dedup_key(live_message.item(events[0])) is None
