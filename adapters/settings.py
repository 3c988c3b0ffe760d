"""One frozen `Settings` for every wattlog process, read from `WATTLOG_*` environment variables.

Development defaults point at the services on this machine (PostgreSQL with trust auth,
RabbitMQ guest/guest). With `WATTLOG_ENV=production` every secret must be given explicitly:
a missing one, or one left at its development default, stops the process with a clear message.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
from dataclasses import dataclass, fields
from urllib.parse import quote, urlsplit, urlunsplit

DEV_JWT_SECRET = "wattlog-development-secret-do-not-use-in-production"
DEV_MANAGEMENT_PASSWORD = "guest"

ENVIRONMENTS = ("development", "test", "production")


class SettingsError(RuntimeError):
    """The configuration cannot be used; the message says which variable and why."""


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str = "postgresql://wattlog@localhost:5432/wattlog"
    db_flavour: str = "auto"
    amqp_url: str = "amqp://guest:guest@localhost:5672/wattlog"
    rabbitmq_management_url: str = "http://localhost:15672"
    rabbitmq_management_user: str = "guest"
    rabbitmq_management_password: str = DEV_MANAGEMENT_PASSWORD
    jwt_secret: str = DEV_JWT_SECRET
    jwt_audience: str = "wattlog"
    http_host: str = "127.0.0.1"
    http_port: int = 8080
    public_origin: str = ""
    db_pool_size: int = 4
    ingest_shards: int = 4
    ingest_workers: int = 1
    ingest_worker_index: int = 0
    ingest_prefetch: int = 500
    ingest_batch_max: int = 2000
    ingest_batch_wait_ms: int = 50
    gateway_send_interval_ms: int = 500
    command_ttl_ms: int = 5000
    live_partitions: int = 4
    max_running_sessions: int = 5000
    snapshot_interval: int = 500
    log_level: str = "INFO"
    access_token_ttl_s: int = 900
    refresh_token_ttl_s: int = 30 * 24 * 3600
    refresh_reuse_grace_s: int = 60
    login_free_attempts: int = 5
    login_ip_free_attempts: int = 50
    login_max_delay_s: int = 30
    ws_allowed_origins: str = ""
    trusted_proxies: str = ""

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        environ = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for field in fields(cls):
            raw = environ.get(f"WATTLOG_{field.name.upper()}")
            if raw is None:
                continue
            if field.type in ("int", int):
                try:
                    values[field.name] = int(raw)
                except ValueError:
                    raise SettingsError(
                        f"WATTLOG_{field.name.upper()} must be a whole number, got {raw!r}"
                    ) from None
            else:
                values[field.name] = raw
        settings = cls(**values)  # type: ignore[arg-type]
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.env not in ENVIRONMENTS:
            raise SettingsError(f"WATTLOG_ENV must be one of {', '.join(ENVIRONMENTS)}")
        if self.env == "production":
            if self.jwt_secret == DEV_JWT_SECRET or len(self.jwt_secret) < 32:
                raise SettingsError(
                    "WATTLOG_JWT_SECRET must be set to a random value of at least 32 "
                    "characters in production"
                )
            if self.rabbitmq_management_password == DEV_MANAGEMENT_PASSWORD:
                raise SettingsError(
                    "WATTLOG_RABBITMQ_MANAGEMENT_PASSWORD must be set in production "
                    "(the development default 'guest' is refused)"
                )
            if "guest:guest@" in self.amqp_url:
                raise SettingsError("WATTLOG_AMQP_URL must not use guest:guest in production")
        if self.db_flavour not in ("auto", "plain", "timescale"):
            raise SettingsError("WATTLOG_DB_FLAVOUR must be one of auto, plain, timescale")
        if self.ingest_shards < 1:
            raise SettingsError("WATTLOG_INGEST_SHARDS must be at least 1")
        if self.ingest_workers < 1 or not 0 <= self.ingest_worker_index < self.ingest_workers:
            raise SettingsError(
                "WATTLOG_INGEST_WORKER_INDEX must be from 0 to WATTLOG_INGEST_WORKERS - 1"
            )
        if self.live_partitions < 1:
            raise SettingsError("WATTLOG_LIVE_PARTITIONS must be at least 1")
        if not 0 <= self.gateway_send_interval_ms <= 10_000:
            raise SettingsError("WATTLOG_GATEWAY_SEND_INTERVAL_MS must be within 0..10000")
        if self.refresh_reuse_grace_s < 0:
            raise SettingsError("WATTLOG_REFRESH_REUSE_GRACE_S must not be negative")
        try:
            self.trusted_proxy_networks  # noqa: B018 - parsed here to fail at start-up
        except ValueError as error:
            raise SettingsError(f"WATTLOG_TRUSTED_PROXIES: {error}") from None

    @property
    def trusted_proxy_networks(self) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
        """The proxies whose `X-Forwarded-For` is believed (addresses or CIDRs)."""
        return tuple(
            ipaddress.ip_network(entry.strip(), strict=False)
            for entry in self.trusted_proxies.split(",")
            if entry.strip()
        )

    @property
    def amqp_vhost(self) -> str:
        path = urlsplit(self.amqp_url).path
        return path[1:] if path.startswith("/") and len(path) > 1 else "/"

    @property
    def database_name(self) -> str:
        return urlsplit(self.database_url).path.lstrip("/")

    def with_database(self, name: str) -> Settings:
        return self.replace(database_url=replace_url_path(self.database_url, name))

    def with_vhost(self, vhost: str) -> Settings:
        return self.replace(amqp_url=replace_url_path(self.amqp_url, quote(vhost, safe="")))

    def replace(self, **changes: object) -> Settings:
        current = {f.name: getattr(self, f.name) for f in fields(self)}
        current.update(changes)
        return Settings(**current)

    def redacted(self) -> dict[str, object]:
        """The settings as they may appear in a log line: secrets never leave the process."""
        shown: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in {"jwt_secret", "rabbitmq_management_password"}:
                value = "***"
            elif f.name.endswith("_url"):
                value = redact_url(str(value))
            shown[f.name] = value
        return shown


def replace_url_path(url: str, path: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + path, parts.query, parts.fragment))


def redact_url(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
