"""What operators and client authors rely on: health, readiness, metrics, the OpenAPI
description, and one error format for everything."""

from __future__ import annotations

import re
from uuid import uuid4

import psycopg
from api_harness import Api

from adapters.api.openapi import describe
from adapters.settings import Settings


async def test_healthz_and_readyz_answer_when_the_services_are_up(api: Api) -> None:
    assert (await api.call("GET", "/healthz")).body == {"status": "ok"}
    assert (await api.call("GET", "/readyz")).body == {"status": "ready"}


async def test_metrics_count_requests_by_route_template_and_report_the_system(api: Api) -> None:
    user = await api.register()
    athlete = await api.athlete(user)
    for _ in range(3):
        await api.call("GET", f"/api/athletes/{athlete['id']}", user)
    await api.call("GET", "/no/such/page")
    reply = await api.call("GET", "/metrics")
    assert reply.status == 200
    assert reply.headers["Content-Type"].startswith("text/plain; version=0.0.4")
    text = reply.body
    assert re.search(
        r'wattlog_http_requests_total\{method="GET",route="/api/athletes/\{athlete_id\}",'
        r'status="200"\} 3\n',
        text,
    )
    assert 'route="unmatched",status="404"' in text
    assert athlete["id"] not in text
    assert re.search(
        r'wattlog_http_request_duration_seconds_bucket\{route="/api/athletes/\{athlete_id\}",'
        r'le="\+Inf"\} 3\n',
        text,
    )
    assert re.search(r"\nwattlog_sessions_running \d+\n", text)
    assert re.search(r'wattlog_ingest_queue_messages\{queue="ble.ingest.0"\} \d+\n', text)
    assert re.search(r"\nwattlog_relay_lag_events -?\d+\n", text)
    assert re.search(r'\nwattlog_projection_failures\{projection="samples"\} \d+\n', text)


async def test_metrics_report_the_events_each_projection_set_aside(
    api: Api, settings: Settings
) -> None:
    name = f"test-{uuid4().hex[:8]}"
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        conn.execute(
            "INSERT INTO projection_failures (projection, notification_id, topic, error)"
            " VALUES (%s, 1, 'x', 'ValueError: test'), (%s, 2, 'x', 'ValueError: test')",
            (name, name),
        )
    try:
        text = (await api.call("GET", "/metrics")).body
        assert f'\nwattlog_projection_failures{{projection="{name}"}} 2\n' in text
        assert re.search(r'\nwattlog_projection_failures\{projection="summaries"\} \d+\n', text)
    finally:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute("DELETE FROM projection_failures WHERE projection = %s", (name,))


async def test_an_unknown_route_and_a_wrong_method_use_the_error_format(api: Api) -> None:
    missing = await api.call("GET", "/api/nothing-here")
    assert (missing.status, missing.error_code) == (401, "unauthorized")
    page = await api.call("GET", "/nothing-here")
    assert (page.status, page.error_code) == (404, "not_found")
    wrong = await api.call("PUT", "/healthz")
    assert (wrong.status, wrong.error_code) == (405, "method_not_allowed")
    assert "GET" in wrong.headers["Allow"]


async def test_the_openapi_description_is_served(api: Api) -> None:
    reply = await api.call("GET", "/api/openapi.json")
    assert reply.status == 200
    assert reply.body == describe()
