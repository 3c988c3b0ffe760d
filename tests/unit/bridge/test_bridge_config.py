"""Where the bridge's settings come from, and how its broker URL is built."""

from __future__ import annotations

import ssl
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from bridge.config import ConfigError, load_config
from bridge.transport import ssl_context_for

CREDENTIALS = {"client_id": "kitchen-pc", "password": "p@ss:word/1"}


def test_command_line_beats_environment_which_beats_the_config_file(tmp_path: Path) -> None:
    config_file = tmp_path / "bridge.toml"
    config_file.write_text(
        'client_id = "from-file"\npassword = "file-secret"\n'
        'amqp_url = "amqp://file-host/wattlog"\nbacklog_rate = 100.0\n'
    )
    environ = {"WATTLOG_BRIDGE_CLIENT_ID": "from-env", "WATTLOG_BRIDGE_BACKLOG_RATE": "250"}

    config = load_config({"config": str(config_file), "client_id": "from-cli"}, environ)

    assert config.client_id == "from-cli"
    assert config.backlog_rate == 250.0
    assert config.password == "file-secret"
    assert config.amqp_url == "amqp://file-host/wattlog"


def test_the_broker_url_carries_the_bridges_own_user_and_password() -> None:
    config = load_config(CREDENTIALS, {}, default_amqp_url="amqp://guest:guest@rabbit:5672/wattlog")

    url = urlsplit(config.broker_url)

    assert url.username == "bridge-kitchen-pc"
    assert unquote(url.password or "") == "p@ss:word/1"
    assert (url.hostname, url.port, url.path) == ("rabbit", 5672, "/wattlog")
    assert "guest" not in config.broker_url


def test_the_url_shown_in_logs_hides_the_password() -> None:
    config = load_config(CREDENTIALS, {}, default_amqp_url="amqp://rabbit/wattlog")

    assert "p%40ss" not in config.shown_url and "p@ss" not in config.shown_url
    assert "***" in config.shown_url


def test_the_bridge_refuses_to_start_without_its_password() -> None:
    with pytest.raises(ConfigError, match="password"):
        load_config({"client_id": "kitchen-pc"}, {})


def test_the_bridge_refuses_a_broker_url_that_is_not_amqp() -> None:
    with pytest.raises(ConfigError, match="amqps://"):
        load_config({**CREDENTIALS, "amqp_url": "http://rabbit/wattlog"}, {})


def test_a_misspelt_setting_in_the_config_file_is_an_error(tmp_path: Path) -> None:
    config_file = tmp_path / "bridge.toml"
    config_file.write_text('client_id = "a"\npasword = "typo"\n')

    with pytest.raises(ConfigError, match="pasword"):
        load_config({"config": str(config_file)}, {})


def test_amqps_verifies_the_broker_certificate_and_host_name_by_default() -> None:
    config = load_config({**CREDENTIALS, "amqp_url": "amqps://rabbit.example/wattlog"}, {})

    context = ssl_context_for(config)

    assert context is not None
    assert context.verify_mode is ssl.CERT_REQUIRED
    assert context.check_hostname is True


def test_amqps_verification_cannot_be_switched_off_from_the_url() -> None:
    url = "amqps://rabbit.example/wattlog?no_verify_ssl=1"
    config = load_config({**CREDENTIALS, "amqp_url": url}, {})

    context = ssl_context_for(config)

    assert context is not None and context.verify_mode is ssl.CERT_REQUIRED


def test_a_missing_ca_file_is_reported_before_connecting(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="CA file"):
        load_config({**CREDENTIALS, "ca_file": str(tmp_path / "nope.pem")}, {})


def test_plain_amqp_uses_no_tls() -> None:
    config = load_config({**CREDENTIALS, "amqp_url": "amqp://rabbit/wattlog"}, {})

    assert ssl_context_for(config) is None
