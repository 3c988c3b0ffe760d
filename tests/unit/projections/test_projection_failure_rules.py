"""Which errors set an event aside (the event's) and which retry the batch (the database's),
and the device times no samples partition can hold."""

from __future__ import annotations

import math

import psycopg
import psycopg.errors
import pytest
from eventsourcing import persistence as es_persistence

from projections.base import ProjectionError, UnprojectableEvent
from projections.failures import is_event_error, reason_of
from projections.samples.partitions import check_device_time, month_of, partition_name


@pytest.mark.parametrize("device_time", [1e12, -1.0, math.nan, math.inf, 253402300800.0])
def test_a_device_time_no_partition_can_hold_is_refused_with_a_clear_error(
    device_time: float,
) -> None:
    with pytest.raises(UnprojectableEvent, match="outside what the samples table holds"):
        check_device_time(device_time)


def test_device_times_up_to_the_end_of_year_9999_have_a_partition() -> None:
    assert partition_name(month_of(0)) == "samples_p1970_01"
    assert partition_name(month_of(253402300799)) == "samples_p9999_12"
    with pytest.raises(UnprojectableEvent):
        month_of(int(1e12))


@pytest.mark.parametrize(
    "error",
    [
        UnprojectableEvent("device time"),
        ValueError("year 33658 is out of range"),
        KeyError("power_w"),
        psycopg.errors.NumericValueOutOfRange("value out of range"),
        psycopg.errors.RaiseException("refused"),
    ],
)
def test_an_error_of_the_event_sets_it_aside(error: Exception) -> None:
    assert is_event_error(error)


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError("connection refused"),
        psycopg.errors.AdminShutdown("terminating connection"),
        psycopg.errors.DeadlockDetected("deadlock"),
        psycopg.InterfaceError("the connection is closed"),
        es_persistence.OperationalError("couldn't get a connection"),
        psycopg.errors.UndefinedTable('relation "samples" does not exist'),
        ProjectionError("table samples is missing"),
    ],
)
def test_an_error_of_the_database_retries_the_batch_instead(error: Exception) -> None:
    assert not is_event_error(error)


def test_a_reason_names_the_error_and_keeps_its_first_line_only() -> None:
    error = ValueError("year 33658 is out of range\nDETAIL: secret row data")
    assert reason_of(error) == "ValueError: year 33658 is out of range"
    assert len(reason_of(ValueError("x" * 5000))) == 1000
