"""Errors raised by the virtual devices."""

from __future__ import annotations


class SimulatorError(ValueError):
    """A command or time step the virtual devices cannot apply."""


class ControlPointWriteRejected(SimulatorError):
    """A control point write refused at the ATT level (no indication is sent).

    att_error is the ATT error code a real peripheral would return, e.g. 0x0D (invalid
    attribute value length) for an empty write.
    """

    def __init__(self, att_error: int, reason: str) -> None:
        super().__init__(f"ATT error 0x{att_error:02x}: {reason}")
        self.att_error = att_error
