"""`wattlog ingest`: the composition root of an ingest worker."""

from __future__ import annotations

import argparse
import asyncio
import logging

from adapters.amqp.connection import confirmed_channel, connect
from adapters.amqp.topology import declare_topology
from adapters.eventstore import WattlogStore
from adapters.ingest.consumer import IngestConsumer
from adapters.ingest.routes import RouteTable
from adapters.ingest.writer import SessionWriter
from adapters.postgres.pools import checked_pool
from adapters.reachability import check_database
from adapters.runtime import run_service, until_stopped
from adapters.settings import Settings

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    store = WattlogStore(settings)
    routes_pool = checked_pool(settings.database_url, "routes", min_size=1, max_size=2, open=True)
    connection = await connect(settings, "ingest")
    try:
        channel = await confirmed_channel(connection, prefetch=settings.ingest_prefetch)
        await declare_topology(channel, settings)
        consumer = IngestConsumer(settings, channel, SessionWriter(store, RouteTable(routes_pool)))
        await consumer.start()
        log.info("ingest consuming", extra={"shards": settings.ingest_shards})
        await until_stopped(stop, asyncio.create_task(consumer.run()))
    finally:
        await connection.close()
        routes_pool.close()
        store.close()
        log.info("ingest stopped")


def run(settings: Settings, args: argparse.Namespace) -> int:
    check_database(settings)  # down: one line at once (adapters/cli.py), not a 30 s pool wait
    return run_service(settings, lambda stop: serve(settings, stop))
