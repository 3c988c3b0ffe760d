"""Which browser origins may open the WebSockets."""

from __future__ import annotations

from adapters.api.ws.handshake import allowed_origins
from adapters.settings import Settings


def test_development_allows_the_local_dashboard_and_configured_origins() -> None:
    origins = allowed_origins(Settings(http_port=8080, ws_allowed_origins="https://a.example/, "))
    assert origins == {"https://a.example", "http://localhost:8080", "http://127.0.0.1:8080"}


def test_production_allows_only_the_public_and_configured_origins() -> None:
    settings = Settings(
        env="production",
        public_origin="https://wattlog.example",
        ws_allowed_origins="https://coach.example",
    )
    assert allowed_origins(settings) == {"https://wattlog.example", "https://coach.example"}
