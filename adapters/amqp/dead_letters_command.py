"""`wattlog dead-letters`: see what is on the dead-letter queue, and put it back once the
cause is fixed.

``list`` reads every dead letter and groups them by (reason, routing key) with a count;
nothing is removed: the messages are held unacknowledged and returned to the queue when the
channel closes. ``requeue [--reason-contains TEXT]`` republishes the matching dead letters
to `ble.events` with their original routing key (publisher confirms; a message nothing is
bound to is an error) and acknowledges each dead letter only after the broker confirmed its
copy, so a crash in between leaves a duplicate, which ingest ignores, never a loss.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections import Counter
from dataclasses import dataclass

import aio_pika
from aio_pika.abc import AbstractIncomingMessage, AbstractQueue

from adapters.amqp import names
from adapters.amqp.connection import confirmed_channel, connect
from adapters.settings import Settings

ORIGINAL_ROUTING_KEY_HEADER = "x-original-routing-key"
REQUEUED_HEADER = "x-wattlog-requeued-reason"
# Headers that describe the dead-lettering, not the message: not carried back.
_DEAD_LETTER_HEADERS = frozenset(
    {names.REASON_HEADER, ORIGINAL_ROUTING_KEY_HEADER, "x-death", "x-delivery-count"}
    | {"x-first-death-exchange", "x-first-death-queue", "x-first-death-reason"}
    | {"x-last-death-exchange", "x-last-death-queue", "x-last-death-reason"}
)


@dataclass(frozen=True)
class DeadLetterGroup:
    reason: str
    routing_key: str
    count: int


def add_arguments(parser: argparse.ArgumentParser) -> None:
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    actions.add_parser("list", help="count the dead letters by reason and routing key")
    requeue = actions.add_parser(
        "requeue", help="republish dead letters to ble.events with their original routing key"
    )
    requeue.add_argument(
        "--reason-contains",
        default="",
        metavar="TEXT",
        help="only the dead letters whose reason contains TEXT (default: all)",
    )


def reason_of(message: AbstractIncomingMessage) -> str:
    headers = message.headers or {}
    reason = headers.get(names.REASON_HEADER)
    if reason is None:  # dead-lettered by the broker itself (rejected, expired...)
        return f"broker: {_text(headers.get('x-first-death-reason', 'unknown'))}"
    return _text(reason)


def _text(value: object) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def original_routing_key(message: AbstractIncomingMessage) -> str:
    key = (message.headers or {}).get(ORIGINAL_ROUTING_KEY_HEADER) or message.routing_key or ""
    return _text(key)


async def _drain(queue: AbstractQueue) -> list[AbstractIncomingMessage]:
    """Every message now on the queue, held unacknowledged by this channel."""
    held: list[AbstractIncomingMessage] = []
    while (message := await queue.get(no_ack=False, fail=False)) is not None:
        held.append(message)
    return held


async def list_dead_letters(settings: Settings) -> list[DeadLetterGroup]:
    connection = await connect(settings, "dead-letters")
    async with connection:
        channel = await connection.channel()
        queue = await channel.get_queue(names.DEAD_LETTER_QUEUE, ensure=True)
        held = await _drain(queue)
        counts = Counter((reason_of(m), original_routing_key(m)) for m in held)
        await channel.close()  # returns every held message to the queue
    return [
        DeadLetterGroup(reason, key, count)
        for (reason, key), count in sorted(counts.items(), key=lambda item: -item[1])
    ]


async def requeue_dead_letters(settings: Settings, reason_contains: str = "") -> int:
    """Republish the matching dead letters to ble.events; returns how many."""
    connection = await connect(settings, "dead-letters")
    async with connection:
        reading = await connection.channel()
        publishing = await confirmed_channel(connection)
        queue = await reading.get_queue(names.DEAD_LETTER_QUEUE, ensure=True)
        events = await publishing.get_exchange(names.EVENTS_EXCHANGE, ensure=True)
        requeued = 0
        for message in await _drain(queue):
            reason = reason_of(message)
            if reason_contains not in reason:
                continue  # returned to the queue when the reading channel closes
            await _republish(events, message, reason)
            await message.ack()
            requeued += 1
        await reading.close()
        await publishing.close()
    return requeued


async def _republish(
    exchange: aio_pika.abc.AbstractExchange, message: AbstractIncomingMessage, reason: str
) -> None:
    headers = {k: v for k, v in (message.headers or {}).items() if k not in _DEAD_LETTER_HEADERS}
    headers[REQUEUED_HEADER] = reason
    await exchange.publish(
        aio_pika.Message(
            message.body,
            headers=headers,
            content_type=message.content_type,
            delivery_mode=aio_pika.DeliveryMode.PERSISTENT,
        ),
        routing_key=original_routing_key(message),
        mandatory=True,
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if args.action == "list":
            groups = asyncio.run(list_dead_letters(settings))
            print(f"{'count':>7}  {'routing key':<40}  reason")
            for group in groups:
                print(f"{group.count:>7}  {group.routing_key:<40}  {group.reason}")
            print(f"{sum(g.count for g in groups)} dead letters on {names.DEAD_LETTER_QUEUE}")
            return 0
        count = asyncio.run(requeue_dead_letters(settings, args.reason_contains))
    except (aio_pika.exceptions.AMQPError, OSError) as error:
        print(f"wattlog dead-letters: {error!r}", file=sys.stderr)
        return 1
    print(f"{count} dead letters requeued to {names.EVENTS_EXCHANGE}")
    return 0
