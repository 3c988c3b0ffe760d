"""The typed keys every HTTP part reads (the API's handlers, the replay, the dashboard).

The API's composition root (`adapters.api.app`) sets them; `adapters.api.keys` holds these
and the keys only the API's own handlers read.
"""

from __future__ import annotations

from uuid import UUID

from aiohttp import web
from psycopg_pool import AsyncConnectionPool

from adapters.eventstore import WattlogStore
from adapters.http.sockets import OpenSockets
from adapters.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
OPEN_SOCKETS = web.AppKey("open_sockets", OpenSockets)
DB_POOL = web.AppKey("db_pool", AsyncConnectionPool)
STORE = web.AppKey("store", WattlogStore)

USER_ID = web.RequestKey("user_id", UUID)
