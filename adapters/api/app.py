"""`create_app(settings)`: the composition root of the API process.

Resources live in cleanup contexts, opened in order at start-up and closed in reverse:
the database pool and the auth services on it, a synchronous pool for the analytics
queries, the event store, the broker connection
(with the topology declared, as every backend process does), the management API client,
and the live hub. Routes come from each module's `setup(app)`: the API's own, the replay's
(adapters/replay) and the dashboard's pages and assets (adapters/web).
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor

import aiohttp
from aiohttp import web

from adapters import replay
from adapters.amqp.accounts import BridgeAccounts
from adapters.amqp.connection import confirmed_channel, connect
from adapters.amqp.topology import declare_topology
from adapters.api import health, metrics_routes, openapi
from adapters.api.auth import routes as auth_routes
from adapters.api.auth.middleware import auth_middleware
from adapters.api.auth.passwords import Passwords
from adapters.api.auth.refresh import RefreshTokens
from adapters.api.auth.throttle import LoginThrottle
from adapters.api.auth.tokens import AccessTokens
from adapters.api.auth.users import Users
from adapters.api.keys import (
    ACCESS_TOKENS,
    ADMIN_CHANNEL,
    AMQP,
    ANALYTICS_POOL,
    ATHLETES,
    BRIDGE_ACCOUNTS,
    BRIDGES,
    DB_POOL,
    HTTP_CLIENT,
    LIVE_HUB,
    LOGIN_THROTTLE,
    METRICS,
    OPEN_SOCKETS,
    PASSWORDS,
    REFRESH_TOKENS,
    SESSIONS,
    SETTINGS,
    STORE,
    USERS,
)
from adapters.api.metrics import ApiMetrics
from adapters.api.metrics_routes import metrics_middleware
from adapters.api.resources import (
    analytics,
    athletes,
    bridges,
    rides,
    session_control,
    sessions,
)
from adapters.api.ws import gateway, live
from adapters.api.ws.live_hub import LiveHub
from adapters.http import tickets
from adapters.http.errors import error_middleware
from adapters.http.sockets import OpenSockets
from adapters.http.threads import in_thread
from adapters.postgres.pools import checked_async_pool, checked_pool
from adapters.services.athletes import AthleteService
from adapters.services.bridges import BridgeService
from adapters.services.ownership_index import IndexedStore
from adapters.services.sessions import SessionService
from adapters.settings import Settings
from adapters.web import setup_dashboard

# argon2id takes ~64 MiB and tens of milliseconds per hash: a small pool of its own keeps
# a burst of logins from taking the threads the event store needs.
HASH_THREADS = 2


async def _database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    pool = checked_async_pool(
        settings.database_url, "api", min_size=1, max_size=settings.db_pool_size, open=False
    )
    await pool.open()
    app[DB_POOL] = pool
    app[USERS] = Users(pool)
    app[REFRESH_TOKENS] = RefreshTokens(
        pool, settings.refresh_token_ttl_s, settings.refresh_reuse_grace_s
    )
    app[LOGIN_THROTTLE] = LoginThrottle(
        pool,
        account_free=settings.login_free_attempts,
        address_free=settings.login_ip_free_attempts,
        max_delay_s=settings.login_max_delay_s,
    )
    yield
    await pool.close()


async def _analytics_database(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    pool = checked_pool(
        settings.database_url, "analytics", min_size=1, max_size=settings.db_pool_size, open=False
    )
    await in_thread(pool.open)
    app[ANALYTICS_POOL] = pool
    yield
    await in_thread(pool.close)


async def _passwords(app: web.Application) -> AsyncIterator[None]:
    executor = ThreadPoolExecutor(max_workers=HASH_THREADS, thread_name_prefix="argon2")
    app[PASSWORDS] = await in_thread(Passwords, executor)
    yield
    executor.shutdown(wait=True)


async def _event_store(app: web.Application) -> AsyncIterator[None]:
    store = await in_thread(IndexedStore, app[SETTINGS])
    app[STORE] = store
    app[SESSIONS] = SessionService(store)
    app[ATHLETES] = AthleteService(store)
    app[BRIDGES] = BridgeService(store)
    yield
    await in_thread(store.close)


async def _broker(app: web.Application) -> AsyncIterator[None]:
    connection = await connect(app[SETTINGS], "api")
    app[AMQP] = connection
    app[ADMIN_CHANNEL] = await confirmed_channel(connection)
    await declare_topology(app[ADMIN_CHANNEL], app[SETTINGS])
    hub = LiveHub(connection, app[SETTINGS].live_partitions)
    await hub.start()
    app[LIVE_HUB] = hub
    yield
    await hub.stop()
    await connection.close()


async def _management(app: web.Application) -> AsyncIterator[None]:
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as client:
        app[HTTP_CLIENT] = client
        app[BRIDGE_ACCOUNTS] = BridgeAccounts(app[SETTINGS], client)
        yield


async def _close_sockets(app: web.Application) -> None:
    await app[OPEN_SOCKETS].close_all()


def create_app(settings: Settings) -> web.Application:
    app = web.Application(middlewares=[metrics_middleware, error_middleware, auth_middleware])
    app[SETTINGS] = settings
    app[METRICS] = ApiMetrics()
    app[OPEN_SOCKETS] = OpenSockets()
    app[ACCESS_TOKENS] = AccessTokens(
        settings.jwt_secret, settings.jwt_audience, settings.access_token_ttl_s
    )
    app.cleanup_ctx.extend(
        [_database, _analytics_database, _passwords, _event_store, _broker, _management]
    )
    app.on_shutdown.append(_close_sockets)
    for module in (
        health,
        metrics_routes,
        openapi,
        auth_routes,
        tickets,
        athletes,
        bridges,
        sessions,
        session_control,
        analytics,
        rides,
        live,
        gateway,
        replay,
    ):
        module.setup(app)
    setup_dashboard(app)  # the pages ("/" included), their scripts and styles
    return app
