"""The chaos suite's own PostgreSQL cluster and RabbitMQ node (session-wide), and a fresh set
of wattlog processes on them for every test (docs/testing.md, "Chaos suite")."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator, Iterator

import psycopg
import pytest
from chaos_services import PrivatePostgres, PrivateRabbit, new_base_dir
from chaos_stack import RECOVERY_TIMES, VHOST, ChaosStack, PrivateServices

from adapters.amqp.connection import confirmed_channel, connect
from adapters.amqp.topology import declare_topology
from adapters.migrations import migrate
from adapters.settings import Settings

DATABASE = "wattlog_chaos"


@pytest.fixture(scope="session")
def private_services() -> Iterator[PrivateServices]:
    base = new_base_dir()
    postgres, rabbit = PrivatePostgres(base), PrivateRabbit(base)
    try:
        postgres.init()
        with psycopg.connect(postgres.admin_url(), autocommit=True) as admin:
            admin.execute("CREATE ROLE wattlog LOGIN")
            admin.execute(f"CREATE DATABASE {DATABASE} OWNER wattlog")
        rabbit.init()
        rabbit.management("PUT", f"/api/vhosts/{VHOST}", {})
        rabbit.management(
            "PUT",
            f"/api/permissions/{VHOST}/guest",
            {"configure": ".*", "write": ".*", "read": ".*"},
        )
        settings = Settings(
            env="test",
            database_url=postgres.url(DATABASE),
            amqp_url=rabbit.amqp_url(VHOST),
            rabbitmq_management_url=rabbit.management_url(),
            ingest_shards=2,
            ingest_batch_wait_ms=20,
        )
        migrate(settings)

        async def declare() -> None:
            connection = await connect(settings, "chaos-tests")
            async with connection:
                await declare_topology(await confirmed_channel(connection), settings)

        asyncio.run(declare())
        yield PrivateServices(postgres, rabbit, settings)
    finally:
        rabbit.destroy()
        postgres.destroy()
        shutil.rmtree(base, ignore_errors=True)


@pytest.fixture(scope="session")
def chaos_stack(
    private_services: PrivateServices, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ChaosStack]:
    stack = ChaosStack(private_services, tmp_path_factory.mktemp("chaos"))
    try:
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture
async def stack(
    chaos_stack: ChaosStack, request: pytest.FixtureRequest
) -> AsyncIterator[ChaosStack]:
    """The processes carry over from one test to the next while the tests pass (each test
    rides its own account, bridge and session); after a failure everything starts afresh,
    so one test's failure is not the next one's."""
    await asyncio.to_thread(chaos_stack.services.ensure_running)
    if not await asyncio.to_thread(chaos_stack.healthy):
        await asyncio.to_thread(chaos_stack.stop_all)
        await chaos_stack.start()
    try:
        yield chaos_stack
    finally:
        chaos_stack.stop_bridges()
        report = getattr(request.node, "chaos_report", None)
        if report is None or report.failed:
            await asyncio.to_thread(chaos_stack.stop_all)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> object:
    report = yield
    if report.when == "call":
        item.chaos_report = report  # type: ignore[attr-defined]
    return report


@pytest.fixture(scope="session")
def cut_s() -> float:
    """How long the bridge-broker cut lasts (WATTLOG_CHAOS_CUT_S; docs/testing.md)."""
    return float(os.environ.get("WATTLOG_CHAOS_CUT_S", "20"))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if RECOVERY_TIMES:
        terminalreporter.section("chaos recovery times")
        for scenario, seconds in RECOVERY_TIMES:
            terminalreporter.write_line(f"{scenario}: {seconds:.1f}s")
