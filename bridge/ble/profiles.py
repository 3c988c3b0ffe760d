"""What the bridge knows about each kind of sensor: the service that identifies it and the
characteristics whose notifications become samples."""

from __future__ import annotations

from enum import StrEnum

from bridge.gatt import uuids


class SensorKind(StrEnum):
    """A role a device plays; the value is the envelope's `sensor` id for its samples."""

    TRAINER = "trainer"
    POWER_METER = "power-meter"
    HEART_RATE = "hr-strap"
    SPEED_CADENCE = "speed-cadence"


SERVICE_OF: dict[SensorKind, str] = {
    SensorKind.TRAINER: uuids.FITNESS_MACHINE_SERVICE,
    SensorKind.POWER_METER: uuids.CYCLING_POWER_SERVICE,
    SensorKind.HEART_RATE: uuids.HEART_RATE_SERVICE,
    SensorKind.SPEED_CADENCE: uuids.CYCLING_SPEED_AND_CADENCE_SERVICE,
}

# Notifications that become samples. The first one of each kind is required; the others are
# subscribed to when the device has them (not every trainer has Fitness Machine Status).
SAMPLED_CHARACTERISTICS: dict[SensorKind, tuple[str, ...]] = {
    SensorKind.TRAINER: (uuids.INDOOR_BIKE_DATA, uuids.FITNESS_MACHINE_STATUS),
    SensorKind.POWER_METER: (uuids.CYCLING_POWER_MEASUREMENT,),
    SensorKind.HEART_RATE: (uuids.HEART_RATE_MEASUREMENT,),
    SensorKind.SPEED_CADENCE: (uuids.CSC_MEASUREMENT,),
}

# When one device could play several roles, the first role in this order claims it: a
# trainer that also offers Cycling Power is used as a trainer, not as a second power meter.
SELECTION_ORDER: tuple[SensorKind, ...] = (
    SensorKind.TRAINER,
    SensorKind.POWER_METER,
    SensorKind.SPEED_CADENCE,
    SensorKind.HEART_RATE,
)


def kinds_advertised(service_uuids: list[str]) -> tuple[SensorKind, ...]:
    """The sensor kinds whose service is in an advertisement (UUIDs in any spelling)."""
    advertised = set()
    for text in service_uuids:
        try:
            advertised.add(uuids.normalize_uuid(text))
        except ValueError:
            continue
    return tuple(kind for kind in SELECTION_ORDER if SERVICE_OF[kind] in advertised)
