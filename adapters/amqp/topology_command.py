"""`wattlog topology`: declare the exchanges and queues (every backend process also does)."""

from __future__ import annotations

import argparse
import asyncio

from adapters.amqp.connection import confirmed_channel, connect
from adapters.amqp.topology import declare_topology
from adapters.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


async def declare(settings: Settings) -> None:
    connection = await connect(settings, "topology")
    async with connection:
        await declare_topology(await confirmed_channel(connection), settings)


def run(settings: Settings, args: argparse.Namespace) -> int:
    asyncio.run(declare(settings))
    print(f"topology declared on vhost {settings.amqp_vhost!r}")
    return 0
