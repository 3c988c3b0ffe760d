"""`wattlog simulate`: simulated bridges publishing rides over AMQP, in the bridge protocol.

With --start-session each rider first gets an athlete and a running session written
straight to the event store (a development shortcut for `wattlog up` and the tools; real
bridges get theirs from the API).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import time
import uuid

from adapters.amqp.connection import confirmed_channel, connect
from adapters.eventstore import WattlogStore
from adapters.runtime import run_service
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.simulation.publisher import EnvelopePublisher
from adapters.simulation.rides import SimulatedRider
from wire.envelope import Envelope

log = logging.getLogger(__name__)

FINISH_GRACE_S = 30


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--riders", type=int, default=1, help="simulated bridges (default 1)")
    parser.add_argument("--client-id", help="client id of the first rider (default: random)")
    parser.add_argument("--minutes", type=float, default=10.0, help="ride length (default 10)")
    parser.add_argument("--rate", type=float, default=4.0, help="notifications/s per rider")
    parser.add_argument(
        "--speed", type=float, default=1.0, help="time-lapse factor: 60 rides an hour a minute"
    )
    parser.add_argument(
        "--send-interval",
        type=_seconds,
        default=0.5,
        help="ride seconds between a rider's sends, as bridges do (default 0.5; 0: each"
        " notification as it happens)",
    )
    parser.add_argument(
        "--start-session",
        action="store_true",
        help="start a session for each rider first, and finish it at the end",
    )


def _seconds(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 60:
        raise argparse.ArgumentTypeError(f"must be 0..60 seconds, got {text}")
    return value


async def simulate(settings: Settings, args: argparse.Namespace, stop: asyncio.Event) -> None:
    client_ids = [args.client_id or f"sim-{uuid.uuid4().hex[:8]}"] + [
        f"sim-{uuid.uuid4().hex[:8]}" for _ in range(args.riders - 1)
    ]
    store = WattlogStore(settings) if args.start_session else None
    sessions = SessionService(store) if store else None
    session_ids = {}
    if sessions:
        owner = uuid.uuid4()
        for client_id in client_ids:
            session = sessions.start(
                athlete_id=uuid.uuid4(), owner_id=owner, client_id=client_id, ftp_w=250
            )
            session_ids[client_id] = session.id
            log.info("session started", extra={"client_id": client_id, "session_id": session.id})
    now = time.time()
    riders = {
        c: SimulatedRider(t0=now, rate_hz=args.rate, seed=i) for i, c in enumerate(client_ids)
    }
    ticks = int(args.minutes * 60 * args.rate)
    connection = await connect(settings, "simulate")
    try:
        publisher = EnvelopePublisher(await confirmed_channel(connection))
        started = time.monotonic()
        per_send = max(1, round(args.send_interval * args.rate))
        for first in range(0, ticks, per_send):
            if stop.is_set():
                break
            count = min(per_send, ticks - first)
            # A send carries the notifications of the interval before it: it leaves when
            # the last of them happens.
            last_at = started + (first + count - 1) / (args.rate * args.speed)
            await asyncio.sleep(max(0.0, last_at - time.monotonic()))
            await asyncio.gather(
                *(
                    publisher.publish(
                        Envelope(
                            client_id=client_id,
                            sent_at=time.time(),
                            correlation_id=uuid.uuid4().hex,
                            samples=tuple(rider.ticks(count)),
                        )
                    )
                    for client_id, rider in riders.items()
                )
            )
        log.info("ride published", extra={"riders": len(riders), "notifications": ticks})
    finally:
        await connection.close()
        if sessions:
            published = {session_ids[c]: rider.next_seq for c, rider in riders.items()}
            await _finish_when_stored(sessions, published, stop)
        if store:
            store.close()


async def _finish_when_stored(
    sessions: SessionService, published: dict[uuid.UUID, int], stop: asyncio.Event
) -> None:
    """Finish each session once the ingest worker has stored what was published to it
    (a finished session refuses later samples), or after a grace period."""
    loop = asyncio.get_running_loop()
    deadline = time.monotonic() + FINISH_GRACE_S
    for session_id, count in published.items():
        while not stop.is_set() and time.monotonic() < deadline:
            session = await loop.run_in_executor(None, sessions.get, session_id)
            if session.sample_count >= count:
                break
            await asyncio.sleep(0.2)
        await loop.run_in_executor(None, sessions.finish, session_id)


def run(settings: Settings, args: argparse.Namespace) -> int:
    return run_service(settings, lambda stop: simulate(settings, args, stop))
