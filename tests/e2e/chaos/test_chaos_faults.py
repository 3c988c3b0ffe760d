"""Chaos: a rider on a simulated bridge while a process is killed, the broker or the database
restarts, or the bridge loses the broker. Afterwards every (bridge, seq) the broker confirmed
is stored exactly once, the relay and every projector went past the ride's last event, and
every service still runs: the services ride out restarts of PostgreSQL and RabbitMQ by
themselves (no supervisor restarts them here); only a killed process is started again, as
a supervisor would. Each test prints its recovery time: from the fault's end to the first
sample stored after it."""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Awaitable, Callable

from chaos_proxy import CuttableProxy
from chaos_stack import ChaosStack, Ride

# Does the fault and returns when it ended: the moment the process or service was started
# again, or the cut healed (its own start-up counts in the recovery time).
Fault = Callable[[ChaosStack, Ride], Awaitable[float]]
DOWN_S = 4.0  # how long a killed process or a stopped service stays away


async def ride_through(
    stack: ChaosStack, scenario: str, fault: Fault, ride: Ride | None = None
) -> None:
    ride = ride or await stack.ride()
    await stack.wait_stored(ride, 20)
    fault_end = await fault(stack, ride)
    await stack.recovery(ride, fault_end, scenario)
    await stack.wait_stored(ride, await stack.stored_count(ride) + 20)  # and the ride goes on
    await stack.assert_every_sample_stored_once(ride)
    assert not stack.dead_services(), stack.diagnostics()
    await stack.finish(ride)  # the API answers after the fault too


def killing(name: str) -> Fault:
    async def fault(stack: ChaosStack, ride: Ride) -> float:
        stack.kill(name)
        await asyncio.sleep(DOWN_S)  # the ride goes on while it is away
        restarted = time.monotonic()
        await stack.restart(name)
        return restarted

    return fault


async def test_sigkill_of_the_ingest_worker_loses_and_duplicates_nothing(
    stack: ChaosStack,
) -> None:
    await ride_through(stack, "SIGKILL ingest", killing("ingest"))


async def test_sigkill_of_the_relay_loses_and_duplicates_nothing(stack: ChaosStack) -> None:
    await ride_through(stack, "SIGKILL relay", killing("relay"))


async def test_sigkill_of_the_projector_loses_and_duplicates_nothing(stack: ChaosStack) -> None:
    await ride_through(stack, "SIGKILL project", killing("project"))


async def test_sigkill_of_the_api_loses_and_duplicates_nothing(stack: ChaosStack) -> None:
    await ride_through(stack, "SIGKILL api", killing("api"))


async def test_sigkill_of_the_bridge_loses_and_duplicates_nothing(stack: ChaosStack) -> None:
    async def fault(stack: ChaosStack, ride: Ride) -> float:
        assert ride.bridge is not None
        ride.bridge.kill()
        await asyncio.sleep(DOWN_S)
        stack.start_bridge(ride)  # on the same data directory: its outbox resends
        return time.monotonic()

    await ride_through(stack, "SIGKILL bridge", fault)


async def test_a_rabbitmq_kill_and_restart_is_ridden_out_by_every_process(
    stack: ChaosStack,
) -> None:
    rabbit = stack.services.rabbit

    async def fault(stack: ChaosStack, ride: Ride) -> float:
        await asyncio.to_thread(rabbit.kill9)
        await asyncio.sleep(DOWN_S)
        restarted = time.monotonic()
        await asyncio.to_thread(rabbit.start)
        return restarted

    await ride_through(stack, "RabbitMQ kill -9 and restart", fault)


async def test_a_rabbitmq_stop_app_and_start_app_is_ridden_out_by_every_process(
    stack: ChaosStack,
) -> None:
    rabbit = stack.services.rabbit

    async def fault(stack: ChaosStack, ride: Ride) -> float:
        await asyncio.to_thread(rabbit.stop_app)
        await asyncio.sleep(DOWN_S)
        restarted = time.monotonic()
        await asyncio.to_thread(rabbit.start_app)
        return restarted

    await ride_through(stack, "RabbitMQ stop_app/start_app", fault)


async def test_a_postgresql_immediate_stop_and_start_is_ridden_out_by_every_process(
    stack: ChaosStack,
) -> None:
    postgres = stack.services.postgres

    async def fault(stack: ChaosStack, ride: Ride) -> float:
        await asyncio.to_thread(postgres.stop_immediate)
        await asyncio.sleep(DOWN_S)
        restarted = time.monotonic()
        await asyncio.to_thread(postgres.start)
        return restarted

    await ride_through(stack, "PostgreSQL stop -m immediate and start", fault)


async def test_a_cut_between_bridge_and_broker_loses_and_duplicates_nothing(
    stack: ChaosStack, cut_s: float
) -> None:
    proxy = await CuttableProxy(stack.services.rabbit.port).start()
    try:

        async def fault(stack: ChaosStack, ride: Ride) -> float:
            proxy.cut()
            await asyncio.sleep(cut_s)  # the ride goes on into the bridge's outbox
            proxy.heal()
            return time.monotonic()

        ride = await stack.ride(via_port=proxy.port)
        await ride_through(stack, f"{cut_s:.0f}s bridge-broker cut", fault, ride)
    finally:
        await proxy.close()


async def test_a_bridge_killed_during_a_cut_loses_and_duplicates_nothing(
    stack: ChaosStack, cut_s: float
) -> None:
    proxy = await CuttableProxy(stack.services.rabbit.port).start()
    try:

        async def fault(stack: ChaosStack, ride: Ride) -> float:
            assert ride.bridge is not None
            proxy.cut()
            await asyncio.sleep(cut_s / 3)
            ride.bridge.kill()
            stack.start_bridge(ride)  # starts while the broker is still out of reach
            await asyncio.sleep(cut_s * 2 / 3)
            proxy.heal()
            return time.monotonic()

        ride = await stack.ride(via_port=proxy.port)
        await ride_through(stack, f"{cut_s:.0f}s cut with the bridge killed", fault, ride)
    finally:
        await proxy.close()


async def test_samples_waiting_in_a_queue_when_their_session_finishes_are_not_dropped(
    stack: ChaosStack,
) -> None:
    """The broker confirmed them to the bridge, so they are stored, or at the very least
    dead-lettered with their reason; never dropped without a trace."""
    ride = await stack.ride()
    await stack.wait_stored(ride, 20)
    stack.kill("ingest")
    await asyncio.sleep(DOWN_S * 2)  # samples pile up in the shard queue
    await stack.drained(ride)  # every sample confirmed by the broker, the bridge stopped
    pending, next_seq = ride.outbox()
    confirmed = set(range(ride.first_seq, next_seq)) - pending
    stored_before = set(stack.stored_seqs(ride))
    assert len(confirmed - stored_before) > 10  # some are waiting in the queue
    await stack.finish(ride)

    fault_end = time.monotonic()
    await stack.restart("ingest")

    def accounted() -> tuple[set[int], list[int], dict[int, str]]:
        stored = stack.stored_seqs(ride)
        dead = {seq: why for seq, why in stack.dead_lettered(ride).items() if why}
        return confirmed - set(stored) - set(dead), stored, dead

    async def all_accounted_for() -> bool:
        missing, _, _ = await asyncio.to_thread(accounted)
        return not missing

    try:
        await stack.until(all_accounted_for, "every confirmed sample stored or dead-lettered")
    finally:
        missing, stored, dead = await asyncio.to_thread(accounted)
        print(
            f"\nchaos: session finished with samples queued: {len(stored)} stored,"
            f" {len(dead)} dead-lettered, {len(missing)} missing,"
            f" {time.monotonic() - fault_end:.1f}s after the worker restarted",
            flush=True,
        )
        assert not missing, f"{len(missing)} confirmed samples dropped\n{stack.diagnostics()}"
    assert not [seq for seq, n in Counter(stored).items() if n > 1]
    assert not stack.dead_services(), stack.diagnostics()
