"""What an operator does to a running process's connections, for the resilience tests:
close its AMQP connection through the RabbitMQ management API, terminate its PostgreSQL
sessions. Both stay inside the test run's own vhost and database."""

from __future__ import annotations

import asyncio
import base64
import json
import os
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

import psycopg

from adapters.postgres.test_server import admin_database_url

MANAGEMENT_URL = os.environ.get("WATTLOG_TEST_MANAGEMENT_URL", "http://localhost:15672")
ADMIN_DATABASE_URL = admin_database_url()
_AUTH = "Basic " + base64.b64encode(b"guest:guest").decode()


def _call(method: str, path: str) -> Any:
    request = urllib.request.Request(
        MANAGEMENT_URL + path, method=method, headers={"authorization": _AUTH}
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()
    return json.loads(body) if body else None


async def connection_names(vhost: str, process: str) -> list[str]:
    """The broker's names of the connections `wattlog-<process>` holds in `vhost`."""
    connections = await asyncio.to_thread(
        _call, "GET", f"/api/vhosts/{quote(vhost, safe='')}/connections"
    )
    return [
        c["name"]
        for c in connections
        if (c.get("client_properties") or {}).get("connection_name") == f"wattlog-{process}"
    ]


async def close_connections(vhost: str, process: str, within_s: float = 30.0) -> int:
    """Closes, as the management UI does, every connection of `process` in `vhost` (the
    management API lists a new connection only after a few seconds: waits for one)."""
    deadline = asyncio.get_running_loop().time() + within_s
    while not (found := await connection_names(vhost, process)):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"no connection wattlog-{process} in {vhost}")
        await asyncio.sleep(0.5)
    closed = 0
    for name in found:
        await asyncio.to_thread(_call, "DELETE", f"/api/connections/{quote(name, safe='')}")
        closed += 1
    return closed


async def consumers(vhost: str, queue: str) -> int:
    info = await asyncio.to_thread(
        _call, "GET", f"/api/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}"
    )
    return int(info.get("consumers") or 0)


async def queue_exists(vhost: str, queue: str) -> bool:
    try:
        await asyncio.to_thread(
            _call, "GET", f"/api/queues/{quote(vhost, safe='')}/{quote(queue, safe='')}"
        )
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return False
        raise
    return True


def terminate_backends(database: str) -> int:
    """pg_terminate_backend of every other session on `database` (as a restart would)."""
    with psycopg.connect(ADMIN_DATABASE_URL, autocommit=True) as admin:
        rows = admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchall()
    return sum(1 for (terminated,) in rows if terminated)


async def active_shards_by_connection(vhost: str) -> dict[str, int]:
    """For each connection, how many ingest shard queues it is the active consumer of."""
    found = await asyncio.to_thread(_call, "GET", f"/api/consumers/{quote(vhost, safe='')}")
    counts: dict[str, int] = {}
    for consumer in found:
        # The management API gives a closing channel's details as an empty list.
        details = consumer.get("channel_details")
        if not isinstance(details, dict):
            continue
        if consumer["queue"]["name"].startswith("ble.ingest.") and consumer.get("active"):
            name = details["connection_name"]
            counts[name] = counts.get(name, 0) + 1
    return counts
