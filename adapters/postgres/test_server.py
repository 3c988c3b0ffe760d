"""Which PostgreSQL server the tests and benchmarks use: one pair of settings, no localhost.

`WATTLOG_TEST_ADMIN_DATABASE_URL` is a superuser connection on that server (it creates and
drops each run's scratch database). The application connects to the scratch database as
`WATTLOG_TEST_DATABASE_URL`, or, when that is not set, as the role `wattlog` (no password)
on the admin URL's host and port with the same query options (sslmode ...). Only the path,
the database name, is replaced per run. `WATTLOG_DB_FLAVOUR` (default `auto`) chooses the
flavour of the scratch databases, as it does for `wattlog migrate`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

ADMIN_URL_VARIABLE = "WATTLOG_TEST_ADMIN_DATABASE_URL"
APPLICATION_URL_VARIABLE = "WATTLOG_TEST_DATABASE_URL"
DEFAULT_ADMIN_URL = "postgresql://postgres@localhost:5432/postgres"
APPLICATION_ROLE = "wattlog"
FLAVOUR_VARIABLE = "WATTLOG_DB_FLAVOUR"


def admin_database_url(environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(ADMIN_URL_VARIABLE) or DEFAULT_ADMIN_URL


def requested_flavour(environ: Mapping[str, str] | None = None) -> str:
    """The flavour the scratch databases are migrated with (`auto` unless set)."""
    environ = os.environ if environ is None else environ
    return environ.get(FLAVOUR_VARIABLE) or "auto"


def application_database_url(environ: Mapping[str, str] | None = None) -> str:
    """The application's URL on the test server (its database part is replaced per run)."""
    environ = os.environ if environ is None else environ
    explicit = environ.get(APPLICATION_URL_VARIABLE)
    if explicit:
        return explicit
    parts = urlsplit(admin_database_url(environ))
    host = parts.netloc.rpartition("@")[2]
    return urlunsplit(
        (parts.scheme, f"{APPLICATION_ROLE}@{host}", "/wattlog", parts.query, parts.fragment)
    )
