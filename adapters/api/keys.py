"""Typed keys of everything the API keeps on its application and its requests.

Each value is created by a cleanup context in `adapters.api.app` and read by handlers
through these keys only. The keys the replay and the dashboard read too are defined below
all three, in `adapters.http.keys`, and named here again for the API's handlers.
"""

from __future__ import annotations

import aiohttp
from aio_pika.abc import AbstractChannel, AbstractRobustConnection
from aiohttp import web
from psycopg_pool import ConnectionPool

from adapters.amqp.accounts import BridgeAccounts
from adapters.api.auth.passwords import Passwords
from adapters.api.auth.refresh import RefreshTokens
from adapters.api.auth.throttle import LoginThrottle
from adapters.api.auth.tokens import AccessTokens
from adapters.api.auth.users import Users
from adapters.api.metrics import ApiMetrics
from adapters.api.ws.live_hub import LiveHub
from adapters.http.keys import DB_POOL as DB_POOL
from adapters.http.keys import OPEN_SOCKETS as OPEN_SOCKETS
from adapters.http.keys import SETTINGS as SETTINGS
from adapters.http.keys import STORE as STORE
from adapters.http.keys import USER_ID as USER_ID
from adapters.services.athletes import AthleteService
from adapters.services.bridges import BridgeService
from adapters.services.sessions import SessionService

METRICS = web.AppKey("metrics", ApiMetrics)
ACCESS_TOKENS = web.AppKey("access_tokens", AccessTokens)

# Synchronous connections for the analytics queries, which run in the executor.
ANALYTICS_POOL = web.AppKey("analytics_pool", ConnectionPool)
USERS = web.AppKey("users", Users)
REFRESH_TOKENS = web.AppKey("refresh_tokens", RefreshTokens)
LOGIN_THROTTLE = web.AppKey("login_throttle", LoginThrottle)
PASSWORDS = web.AppKey("passwords", Passwords)

SESSIONS = web.AppKey("sessions", SessionService)
ATHLETES = web.AppKey("athletes", AthleteService)
BRIDGES = web.AppKey("bridges", BridgeService)

AMQP = web.AppKey("amqp", AbstractRobustConnection)
ADMIN_CHANNEL = web.AppKey("admin_channel", AbstractChannel)
LIVE_HUB = web.AppKey("live_hub", LiveHub)
HTTP_CLIENT = web.AppKey("http_client", aiohttp.ClientSession)
BRIDGE_ACCOUNTS = web.AppKey("bridge_accounts", BridgeAccounts)
