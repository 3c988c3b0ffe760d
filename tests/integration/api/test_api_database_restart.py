"""After PostgreSQL dropped every connection (a restart, a failover), the API answers the
next requests normally: no stale pooled connection ever reaches a request."""

from __future__ import annotations

from api_harness import PASSWORD, Api
from broker_admin import terminate_backends

from adapters.settings import Settings


async def test_after_the_database_dropped_every_connection_the_first_requests_succeed(
    api: Api, settings: Settings
) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    fitness = f"/api/athletes/{athlete['id']}/fitness?start=2026-01-01&end=2026-01-31"
    login = {"email": user.email, "password": PASSWORD}
    # Every pool holds connections: the API's, the analytics' and the event store's.
    assert (await api.call("POST", "/api/auth/login", json=login)).status == 200
    assert (await api.call("GET", fitness, user)).status == 200
    assert (await api.call("GET", f"/api/athletes/{athlete['id']}", user)).status == 200

    assert terminate_backends(settings.database_name) > 0

    assert (await api.call("POST", "/api/auth/login", json=login)).status == 200
    assert (await api.call("GET", fitness, user)).status == 200
    assert (await api.call("GET", f"/api/athletes/{athlete['id']}", user)).status == 200
    renamed = await api.call(
        "PATCH", f"/api/athletes/{athlete['id']}", user, json={"name": "Renamed"}
    )
    assert renamed.status == 200, renamed.body
    # The operator sees it happened.
    metrics = (await api.call("GET", "/metrics")).body
    losses = [
        line
        for line in metrics.splitlines()
        if line.startswith("wattlog_database_connection_losses_total{")
    ]
    assert any(not line.endswith(" 0") for line in losses), losses
