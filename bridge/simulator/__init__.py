"""Virtual BLE devices for tests and demos: pure, time-stepped (the caller passes dt).

See docs/ble.md ("Simulator").
"""

from bridge.simulator.errors import ControlPointWriteRejected, SimulatorError
from bridge.simulator.hr import HeartRateProfile, VirtualHeartRateStrap
from bridge.simulator.physics import (
    RiderAndBike,
    Simulation,
    TrainerMode,
    TrainerPhysics,
    TrainerState,
)
from bridge.simulator.virtual_devices import VirtualTrainer

__all__ = [
    "ControlPointWriteRejected",
    "HeartRateProfile",
    "RiderAndBike",
    "Simulation",
    "SimulatorError",
    "TrainerMode",
    "TrainerPhysics",
    "TrainerState",
    "VirtualHeartRateStrap",
    "VirtualTrainer",
]
