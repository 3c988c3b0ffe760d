"""Saying in one line that the database or the broker cannot be reached, and where.

A command started while PostgreSQL or RabbitMQ is down used to print the 20-30 frames of the
driver's traceback, or wait 30 s for a pool that could never fill. `check_database` tries
one connection before a command opens its pools, and `explain` turns a connection failure
that escapes a command into the sentence `wattlog` prints (adapters/cli.py) with exit
status `EXIT_UNREACHABLE`. URLs are shown without their password.
"""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from adapters.settings import Settings

EXIT_UNREACHABLE = 69  # sysexits.h EX_UNAVAILABLE
DATABASE_CONNECT_TIMEOUT_S = 10


class Unreachable(RuntimeError):
    """A service the command needs cannot be reached; the message names it and where."""


def shown_url(url: str) -> str:
    """The URL without its password (nor a user's password-like query parameters)."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user_info, host = netloc.rsplit("@", 1)
        user = user_info.split(":", 1)[0]
        netloc = f"{user}:***@{host}" if ":" in user_info else f"{user}@{host}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def check_database(settings: Settings, timeout_s: int = DATABASE_CONNECT_TIMEOUT_S) -> None:
    """One connection to the configured database, closed at once; `Unreachable` if it fails."""
    import psycopg

    try:
        with psycopg.connect(settings.database_url, connect_timeout=timeout_s):
            pass
    except psycopg.OperationalError as error:
        raise Unreachable(_database_sentence(settings, error)) from None


def explain(error: BaseException, settings: Settings) -> str | None:
    """The one line for a connection failure (itself or any of its causes); None otherwise."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        line = _sentence(current, settings)
        if line is not None:
            return line
        for inner in getattr(current, "exceptions", ()):  # an ExceptionGroup's members
            line = explain(inner, settings) if isinstance(inner, BaseException) else None
            if line is not None:
                return line
        current = current.__cause__ or current.__context__
    return None


def _sentence(error: BaseException, settings: Settings) -> str | None:
    if isinstance(error, Unreachable):
        return str(error)
    module = type(error).__module__.split(".", 1)[0]
    name = type(error).__name__
    if module in {"psycopg", "psycopg_pool"} and name in {"OperationalError", "PoolTimeout"}:
        return _database_sentence(settings, error)
    if module == "eventsourcing" and name in {"OperationalError", "InterfaceError"}:
        return _database_sentence(settings, error)
    if module in {"aiormq", "aio_pika", "pamqp"} and "Connection" in name:
        return _broker_sentence(settings, error)
    return None


def _database_sentence(settings: Settings, error: BaseException) -> str:
    return (
        f"the database at {shown_url(settings.database_url)} is unreachable: "
        f"{_reason(error, settings.database_url)}"
    )


def _broker_sentence(settings: Settings, error: BaseException) -> str:
    return (
        f"the broker at {shown_url(settings.amqp_url)} is unreachable: "
        f"{_reason(error, settings.amqp_url)}"
    )


def _reason(error: BaseException, url: str) -> str:
    """The driver's first line of explanation, without the password should it quote it."""
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    text = lines[0] if lines else type(error).__name__
    password = urlsplit(url).password
    if password:
        text = text.replace(password, "***")
    return text.removeprefix("connection failed: ")
