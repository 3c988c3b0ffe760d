"""The bridge's configuration: command line, then `WATTLOG_BRIDGE_*` environment variables,
then a TOML file, then defaults (the first that sets a value wins).

The bridge logs in to RabbitMQ as its own user, `bridge-<client id>`, with the password the
API gave at registration. The AMQP URL names the broker and vhost only; credentials in it
are replaced by the bridge's own. Certificate verification of an `amqps://` broker cannot be
turned off; `ca_file` adds a private CA.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from wire.limits import MAX_SAMPLES_PER_ENVELOPE
from wire.routing import bridge_username

ENV_PREFIX = "WATTLOG_BRIDGE_"
DEFAULT_DATA_DIR = Path("~/.local/share/wattlog-bridge")
DEFAULT_CONFIG_FILE = Path("~/.config/wattlog-bridge/bridge.toml")
MAX_CLIENT_ID_LENGTH = 128
MAX_SEND_INTERVAL_S = 10.0


class ConfigError(ValueError):
    """The bridge cannot start with this configuration; the message says what to fix."""


@dataclass(frozen=True)
class BridgeConfig:
    client_id: str
    password: str = field(repr=False)
    amqp_url: str = "amqp://localhost:5672/wattlog"
    ca_file: str | None = None
    data_dir: Path = DEFAULT_DATA_DIR
    command_ttl_s: float = 5.0
    outbox_max_bytes: int = 256 * 1024 * 1024
    envelope_max_samples: int = 200
    send_interval_s: float = 0.5  # live samples go out together this often (0: each at once)
    backlog_chunk: int = 500
    backlog_rate: float = 5000.0  # samples per second while draining a backlog
    max_in_flight: int = 16  # envelopes published and not yet confirmed
    confirm_timeout_s: float = 30.0
    heartbeat_s: int = 15
    scan_timeout_s: float = 10.0
    connect_timeout_s: float = 15.0
    indication_timeout_s: float = 5.0
    devices: tuple[str, ...] = ()
    simulate: bool = False
    simulate_radio: str = "auto"  # auto | bumble | direct
    status: str = "auto"  # auto | line | log | off

    def validate(self, require_credentials: bool = True) -> None:
        if require_credentials:
            self._validate_credentials()
        scheme = urlsplit(self.amqp_url).scheme
        if scheme not in ("amqp", "amqps"):
            raise ConfigError(f"the AMQP URL must start with amqp:// or amqps://, not {scheme!r}")
        if self.ca_file is not None and not Path(self.ca_file).expanduser().is_file():
            raise ConfigError(f"the CA file {self.ca_file!r} does not exist")
        if self.simulate_radio not in ("auto", "bumble", "direct"):
            raise ConfigError("--simulate-radio must be auto, bumble or direct")
        if self.status not in ("auto", "line", "log", "off"):
            raise ConfigError("--status must be auto, line, log or off")
        for name in ("command_ttl_s", "outbox_max_bytes", "backlog_rate", "max_in_flight"):
            if getattr(self, name) <= 0:
                raise ConfigError(f"{name} must be positive")
        if not 0 <= self.send_interval_s <= MAX_SEND_INTERVAL_S:
            raise ConfigError(f"send_interval_s must be within 0..{MAX_SEND_INTERVAL_S:g} seconds")
        for name in ("backlog_chunk", "envelope_max_samples"):
            if not 0 < getattr(self, name) <= MAX_SAMPLES_PER_ENVELOPE:
                raise ConfigError(f"{name} must be within 1..{MAX_SAMPLES_PER_ENVELOPE}")

    def _validate_credentials(self) -> None:
        if not self.client_id or len(self.client_id) > MAX_CLIENT_ID_LENGTH:
            raise ConfigError(
                "a client id is needed (--client-id, WATTLOG_BRIDGE_CLIENT_ID or client_id in"
                f" the config file), at most {MAX_CLIENT_ID_LENGTH} characters"
            )
        if any(c.isspace() for c in self.client_id):
            raise ConfigError("the client id may not contain spaces")
        if not self.password:
            raise ConfigError(
                "a password is needed (--password, WATTLOG_BRIDGE_PASSWORD or password in the"
                " config file): the one the API gave when the bridge was registered"
            )

    @property
    def username(self) -> str:
        return bridge_username(self.client_id)

    @property
    def broker_url(self) -> str:
        """The AMQP URL with the bridge's own credentials (never log it: use `shown_url`)."""
        parts = urlsplit(self.amqp_url)
        host = parts.hostname or "localhost"
        if ":" in host:
            host = f"[{host}]"
        netloc = f"{quote(self.username, safe='')}:{quote(self.password, safe='')}@{host}"
        if parts.port:
            netloc += f":{parts.port}"
        query = parts.query
        if "heartbeat=" not in query:
            query = "&".join(q for q in (query, f"heartbeat={self.heartbeat_s}") if q)
        return urlunsplit((parts.scheme, netloc, parts.path, query, ""))

    @property
    def shown_url(self) -> str:
        parts = urlsplit(self.broker_url)
        if parts.password is None:
            return self.broker_url
        netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
        return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))

    @property
    def data_path(self) -> Path:
        return self.data_dir.expanduser()


def load_config(
    cli: Mapping[str, Any],
    environ: Mapping[str, str] | None = None,
    default_amqp_url: str | None = None,
    default_command_ttl_s: float | None = None,
    require_credentials: bool = True,
) -> BridgeConfig:
    """Merges the sources; `cli` holds parsed options (None means "not given")."""
    environ = os.environ if environ is None else environ
    config_file = cli.get("config") or environ.get(ENV_PREFIX + "CONFIG")
    from_file = _read_file(Path(config_file) if config_file else None)
    values: dict[str, Any] = {}
    if default_amqp_url:
        values["amqp_url"] = strip_credentials(default_amqp_url)
    if default_command_ttl_s:
        values["command_ttl_s"] = default_command_ttl_s
    known = {f.name: f for f in fields(BridgeConfig)}
    for name, raw in from_file.items():
        key = name.replace("-", "_")
        if key not in known:
            raise ConfigError(f"unknown setting {name!r} in the config file")
        values[key] = raw
    for name in known:
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is not None:
            values[name] = raw
    for name in known:
        given = cli.get(name)
        if given is not None and given != () and given is not False:
            values[name] = given
    values.setdefault("client_id", "")
    values.setdefault("password", "")
    config = BridgeConfig(
        **{name: _coerce(known[name].type, name, v) for name, v in values.items()}
    )
    config.validate(require_credentials)
    return config


def strip_credentials(url: str) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def _read_file(path: Path | None) -> dict[str, Any]:
    explicit = path is not None
    path = (path or DEFAULT_CONFIG_FILE).expanduser()
    if not path.exists():
        if explicit:
            raise ConfigError(f"the config file {str(path)!r} does not exist")
        return {}
    try:
        return tomllib.loads(path.read_text())
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"cannot read the config file {str(path)!r}: {error}") from None


def _coerce(kind: Any, name: str, value: Any) -> Any:
    kind = str(kind)
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            return value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes")
        if kind == "Path":
            return Path(value)
        if kind.startswith("tuple"):
            items = value.split(",") if isinstance(value, str) else value
            return tuple(str(item).strip() for item in items if str(item).strip())
    except (TypeError, ValueError):
        raise ConfigError(f"{name} has an invalid value {value!r}") from None
    return None if value is None else (value if kind.endswith("None") else str(value))
