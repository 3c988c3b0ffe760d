"""`wattlog relay`: the composition root of the relay (active, or standby)."""

from __future__ import annotations

import argparse
import asyncio
import logging

from adapters.amqp.connection import confirmed_channel, connect
from adapters.amqp.topology import declare_topology
from adapters.eventstore import WattlogStore
from adapters.reachability import check_database
from adapters.relay.relay import Relay
from adapters.runtime import run_service, until_stopped
from adapters.settings import Settings

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    store = WattlogStore(settings)
    connection = await connect(settings, "relay")
    try:
        channel = await confirmed_channel(connection)
        await declare_topology(channel, settings)
        relay = Relay(settings, store, channel)
        await until_stopped(stop, asyncio.create_task(relay.run(stop)))
    finally:
        await connection.close()
        store.close()
        log.info("relay stopped")


def run(settings: Settings, args: argparse.Namespace) -> int:
    check_database(settings)  # down: one line at once (adapters/cli.py), not a 30 s pool wait
    return run_service(settings, lambda stop: serve(settings, stop))
