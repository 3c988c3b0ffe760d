"""Error types of the ride metrics package."""

from __future__ import annotations


class MetricsError(ValueError):
    """Base class of every error raised by ``domain.metrics``."""


class ResampleError(MetricsError):
    """Timestamped points cannot be turned into a 1 Hz series (e.g. a point before the start)."""


class InvalidThresholdError(MetricsError):
    """A threshold or model parameter (FTP, threshold HR, CP, W', time constant) is not usable."""
