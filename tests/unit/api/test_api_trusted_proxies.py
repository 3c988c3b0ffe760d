"""Whose `X-Forwarded-For` the login throttle believes: only configured proxies'."""

from __future__ import annotations

import pytest
from aiohttp import web
from aiohttp.test_utils import make_mocked_request

from adapters.api.client_address import client_address
from adapters.api.keys import SETTINGS
from adapters.settings import Settings, SettingsError


def _address(trusted: str, peer: str, forwarded: str | None) -> str:
    app = web.Application()
    app[SETTINGS] = Settings(trusted_proxies=trusted)
    headers = {} if forwarded is None else {"X-Forwarded-For": forwarded}
    request = make_mocked_request("POST", "/api/auth/login", headers, app=app)
    return client_address(request.clone(remote=peer))


def test_by_default_nobody_is_believed_not_even_loopback() -> None:
    assert _address("", "127.0.0.1", "203.0.113.7") == "127.0.0.1"


def test_a_configured_proxy_names_the_client() -> None:
    assert _address("127.0.0.1", "127.0.0.1", "203.0.113.7") == "203.0.113.7"


def test_entries_a_client_wrote_left_of_the_proxys_are_never_used() -> None:
    assert _address("127.0.0.1", "127.0.0.1", "6.6.6.6, 203.0.113.7") == "203.0.113.7"


def test_a_chain_of_trusted_proxies_is_skipped_from_the_right() -> None:
    chain = "6.6.6.6, 203.0.113.7, 10.0.0.5"
    assert _address("127.0.0.1, 10.0.0.0/8", "127.0.0.1", chain) == "203.0.113.7"


def test_a_peer_outside_the_configured_proxies_is_the_client() -> None:
    assert _address("10.0.0.0/8", "198.51.100.9", "203.0.113.7") == "198.51.100.9"


def test_garbage_from_a_proxy_stops_at_the_last_address_vouched_for() -> None:
    assert _address("127.0.0.1", "127.0.0.1", "203.0.113.7, not-an-ip") == "127.0.0.1"


@pytest.mark.parametrize("value", ["10.0.0.0/33", "proxy.example", "1.2.3"])
def test_a_malformed_trusted_proxy_stops_the_process_at_start_up(value: str) -> None:
    with pytest.raises(SettingsError, match="WATTLOG_TRUSTED_PROXIES"):
        Settings.from_env({"WATTLOG_TRUSTED_PROXIES": value})
