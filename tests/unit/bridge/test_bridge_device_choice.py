"""Which sensors the bridge uses, and remembering the choice."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.ble.devices import DeviceBook, DeviceBookError, Discovered, KnownDevice, choose_devices
from bridge.ble.profiles import SensorKind, kinds_advertised
from bridge.gatt import uuids

T, P, H, C = (
    SensorKind.TRAINER,
    SensorKind.POWER_METER,
    SensorKind.HEART_RATE,
    SensorKind.SPEED_CADENCE,
)


def test_the_loudest_sensor_of_each_kind_is_chosen_when_several_are_in_range() -> None:
    found = [
        Discovered("AA:00:00:00:00:01", "neighbour's strap", (H,), -88),
        Discovered("AA:00:00:00:00:02", "my strap", (H,), -45),
        Discovered("AA:00:00:00:00:03", "trainer", (T,), -60),
    ]

    chosen = choose_devices(found)

    assert [(d.address, d.kinds) for d in chosen] == [
        ("AA:00:00:00:00:03", (T,)),
        ("AA:00:00:00:00:02", (H,)),
    ]


def test_a_trainer_that_also_offers_cycling_power_is_not_used_twice() -> None:
    found = [
        Discovered("AA:00:00:00:00:01", "smart trainer", (T, P, C), -50),
        Discovered("AA:00:00:00:00:02", "pedals", (P,), -70),
    ]

    chosen = choose_devices(found)

    assert [(d.name, d.kinds) for d in chosen] == [("smart trainer", (T,)), ("pedals", (P,))]


def test_advertised_service_uuids_in_any_spelling_give_the_sensor_kinds() -> None:
    advertised = ["00001826-0000-1000-8000-00805f9b34fb", "180D", "not-a-uuid"]

    assert kinds_advertised(advertised) == (T, H)
    assert kinds_advertised([uuids.CYCLING_SPEED_AND_CADENCE_SERVICE]) == (C,)


def test_the_chosen_sensors_are_remembered_across_runs(tmp_path: Path) -> None:
    devices = [
        KnownDevice("AA:00:00:00:00:03", "trainer", (T,)),
        KnownDevice("AA:00:00:00:00:02", "strap", (H,)),
    ]
    DeviceBook(tmp_path).save(devices)

    assert DeviceBook(tmp_path).load() == devices


def test_forgetting_the_sensors_makes_the_next_run_choose_again(tmp_path: Path) -> None:
    book = DeviceBook(tmp_path)
    book.save([KnownDevice("AA:00:00:00:00:03", "trainer", (T,))])

    book.forget()

    assert book.load() == []


def test_a_damaged_devices_file_is_reported_with_its_path(tmp_path: Path) -> None:
    (tmp_path / "devices.json").write_text('{"devices": [{"address": 1}]')

    with pytest.raises(DeviceBookError, match=r"devices\.json"):
        DeviceBook(tmp_path).load()
