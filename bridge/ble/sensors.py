"""All the bridge's sensors over BLE: decide which devices to use, then keep each connected.

Which devices: the ones given with `--device ADDRESS` (their kinds learnt from a scan, or
from the remembered list); otherwise the remembered ones; otherwise a scan chooses one per
kind (the strongest signal) and remembers it. No sensor in range is not an error: the
bridge scans again with backoff until one appears.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from bridge.backoff import Backoff
from bridge.ble.connection import BleBackends, DeviceLink, LinkStatus, LinkTimeouts
from bridge.ble.devices import DeviceBook, KnownDevice, choose_devices
from bridge.ble.profiles import SensorKind
from bridge.ble.scanner import discover
from bridge.control import TrainerController
from bridge.decoding import Notification
from bridge.status import BridgeStatus

log = logging.getLogger(__name__)


class BleSensors:
    def __init__(
        self,
        on_notification: Callable[[Notification], None],
        controller: TrainerController,
        status: BridgeStatus,
        *,
        backends: BleBackends | None = None,
        book: DeviceBook | None = None,
        devices: Sequence[KnownDevice] | None = None,
        addresses: Sequence[str] = (),
        timeouts: LinkTimeouts | None = None,
    ) -> None:
        self._on_notification = on_notification
        self._controller = controller
        self._status = status
        self._backends = backends or BleBackends()
        self._book = book
        self._devices = list(devices) if devices else None
        self._addresses = [a.upper() for a in addresses]
        self._timeouts = timeouts or LinkTimeouts()
        self.sensors: dict[str, LinkStatus] = {}
        self.links: list[DeviceLink] = []

    async def run(self, stop: asyncio.Event) -> None:
        devices = self._devices or await self._choose(stop)
        if not devices:
            return
        radio_lock = asyncio.Lock()
        for device in devices:
            trainer = SensorKind.TRAINER in device.kinds
            link = DeviceLink(
                device=device,
                on_notification=self._on_notification,
                backends=self._backends,
                radio_lock=radio_lock,
                timeouts=self._timeouts,
                on_connected=self._controller.attach if trainer else None,
                on_disconnected=self._controller.detach if trainer else None,
            )
            self.links.append(link)
            for kind in device.kinds:
                self.sensors[kind.value] = link.status
        await asyncio.gather(*(link.run(stop) for link in self.links))

    async def _choose(self, stop: asyncio.Event) -> list[KnownDevice]:
        remembered = self._book.load() if self._book else []
        if remembered and not self._addresses:
            return remembered
        known = {d.address.upper(): d for d in remembered}
        if self._addresses and all(a in known for a in self._addresses):
            return [known[a] for a in self._addresses]
        backoff = Backoff(initial_s=2.0, maximum_s=60.0)
        while not stop.is_set():
            try:
                found = await discover(self._timeouts.scan_s, self._backends.scanner)
            except Exception as error:  # no adapter, Bluetooth off, permission denied, ...
                reason = f"{type(error).__name__}: {error}"
                self._status.note_error(f"bluetooth unavailable ({reason}); scanning again")
                log.warning("scan failed: is Bluetooth on?", extra={"error": reason})
                found = []
            if self._addresses:
                found = [d for d in found if d.address.upper() in self._addresses]
            chosen = choose_devices(found)
            if chosen:
                if self._book is not None:
                    self._book.save(chosen)
                log.info("sensors chosen", extra={"devices": [d.to_json() for d in chosen]})
                return chosen
            self._status.note_error("no sensors found yet; scanning again")
            if not await backoff.wait(stop):
                break
        return []
