"""The bridge's data directory (outbox, remembered devices), private to the user and used
by one bridge at a time: a second bridge on the same directory would send the same outbox.
The lock is an advisory `flock`, released by the kernel however the process ends."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no advisory locks; one bridge per data directory is on the user
    fcntl = None  # type: ignore[assignment]

LOCK_FILE = "bridge.lock"


class DataDirLocked(RuntimeError):
    """Another bridge is running with this data directory."""


@contextlib.contextmanager
def locked_data_dir(path: Path) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(path / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise DataDirLocked(
                    f"another bridge is already running with the data directory {str(path)!r}"
                ) from None
        os.ftruncate(descriptor, 0)
        os.write(descriptor, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(descriptor)
