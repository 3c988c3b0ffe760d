"""The devices the rider chose, remembered in `<data dir>/devices.json`, and how the bridge
chooses when nothing is remembered yet: per kind of sensor, the device heard loudest.

The file is small JSON written atomically (temporary file, then rename), so a crash while
saving leaves the previous choice in place.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bridge.ble.profiles import SELECTION_ORDER, SensorKind

FILE_NAME = "devices.json"
FILE_VERSION = 1


class DeviceBookError(ValueError):
    """The remembered-devices file cannot be read; the message names it."""


@dataclass(frozen=True)
class Discovered:
    """A sensor heard during a scan."""

    address: str
    name: str
    kinds: tuple[SensorKind, ...]
    rssi: int


@dataclass(frozen=True)
class KnownDevice:
    address: str
    name: str
    kinds: tuple[SensorKind, ...]

    def to_json(self) -> dict[str, object]:
        return {"address": self.address, "name": self.name, "kinds": [k.value for k in self.kinds]}


def choose_devices(found: Iterable[Discovered]) -> list[KnownDevice]:
    """One device per kind, the strongest signal first; a device takes one role only."""
    candidates = sorted(found, key=lambda d: (-d.rssi, d.address))
    taken: set[str] = set()
    chosen: list[KnownDevice] = []
    for kind in SELECTION_ORDER:
        for device in candidates:
            if kind in device.kinds and device.address not in taken:
                taken.add(device.address)
                chosen.append(KnownDevice(device.address, device.name, (kind,)))
                break
    return chosen


class DeviceBook:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def load(self) -> list[KnownDevice]:
        if not self.path.exists():
            return []
        try:
            data = json.loads(self.path.read_text())
            return [
                KnownDevice(
                    address=str(item["address"]),
                    name=str(item.get("name", "")),
                    kinds=tuple(SensorKind(kind) for kind in item["kinds"]),
                )
                for item in data["devices"]
            ]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise DeviceBookError(
                f"cannot read the remembered devices in {str(self.path)!r}: {error}"
                " (delete the file, or run `wattlog bridge forget`, to choose again)"
            ) from None

    def save(self, devices: Iterable[KnownDevice]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        body = {"version": FILE_VERSION, "devices": [d.to_json() for d in devices]}
        temporary = self.path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(body, indent=2) + "\n")
        os.replace(temporary, self.path)

    def forget(self) -> None:
        self.path.unlink(missing_ok=True)
