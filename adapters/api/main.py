"""`wattlog api`: serve the API process until SIGINT/SIGTERM.

`run_service` gives the loop a default executor sized to the database pool, as in every
backend process: the synchronous event store runs its calls there.
"""

from __future__ import annotations

import argparse
import asyncio
import logging

from aiohttp import web

from adapters.api.app import create_app
from adapters.reachability import check_database
from adapters.runtime import run_service
from adapters.settings import Settings

log = logging.getLogger(__name__)

SHUTDOWN_TIMEOUT_S = 10.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", help="listen address (default WATTLOG_HTTP_HOST)")
    parser.add_argument("--port", type=int, help="listen port (default WATTLOG_HTTP_PORT)")


async def serve(settings: Settings, stop: asyncio.Event, host: str, port: int) -> None:
    runner = web.AppRunner(
        create_app(settings), access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT_S
    )
    await runner.setup()
    try:
        await web.TCPSite(runner, host, port).start()
        log.info("api listening", extra={"host": host, "port": port})
        await stop.wait()
    finally:
        await runner.cleanup()
        log.info("api stopped")


def run(settings: Settings, args: argparse.Namespace) -> int:
    host = args.host or settings.http_host
    port = args.port or settings.http_port
    # Before any pool: a database that is down is one line on stderr (adapters/cli.py) at
    # once, not pools retrying for half a minute while Ctrl-C waits behind them.
    check_database(settings)
    return run_service(settings, lambda stop: serve(settings, stop, host, port))
