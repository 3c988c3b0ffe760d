"""Which browser origins may open the WebSockets: compared as (scheme, host, port)."""

from __future__ import annotations

from adapters.http.handshake import allowed_origins, parse_origin
from adapters.settings import Settings


def test_development_allows_the_local_dashboard_and_configured_origins() -> None:
    origins = allowed_origins(Settings(http_port=8080, ws_allowed_origins="https://a.example/, "))
    assert origins == {
        ("https", "a.example", 443),
        ("http", "localhost", 8080),
        ("http", "127.0.0.1", 8080),
    }


def test_production_allows_only_the_public_and_configured_origins() -> None:
    settings = Settings(
        env="production",
        public_origin="https://wattlog.example",
        ws_allowed_origins="https://coach.example",
    )
    assert allowed_origins(settings) == {
        ("https", "wattlog.example", 443),
        ("https", "coach.example", 443),
    }


def test_the_scheme_and_port_are_part_of_an_origin() -> None:
    assert parse_origin("https://Dash.Example") == parse_origin("https://dash.example:443/")
    assert parse_origin("http://dash.example") != parse_origin("https://dash.example")
    assert parse_origin("http://dash.example:8080") != parse_origin("http://dash.example")


def test_a_malformed_origin_matches_nothing() -> None:
    for value in ("null", "dash.example", "ftp://dash.example", "http://", "http://h:99999"):
        assert parse_origin(value) is None
