"""A plain progress bar on stderr for the command line: rebuilds and imports (no dependency).

On a terminal it redraws one line; elsewhere (logs, CI) it prints a line at most every few
seconds and one at the end, so that a long run shows it is alive without flooding the output.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

WIDTH = 30
QUIET_INTERVAL_S = 5.0


def render(label: str, done: int, total: int, elapsed_s: float) -> str:
    fraction = 1.0 if total <= 0 else min(1.0, max(0.0, done / total))
    filled = round(fraction * WIDTH)
    rate = done / elapsed_s if elapsed_s > 0 else 0.0
    bar = "#" * filled + "-" * (WIDTH - filled)
    return f"{label} [{bar}] {fraction * 100:5.1f}% {done}/{total} ({rate:,.0f}/s)"


class ProgressBar:
    def __init__(self, label: str, total: int, stream: TextIO | None = None) -> None:
        self.label = label
        self.total = total
        self.done = 0
        self._stream = stream if stream is not None else sys.stderr
        self._tty = self._stream.isatty()
        self._started = time.monotonic()
        self._printed_at = 0.0

    def update(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None:
            self.total = total
        now = time.monotonic()
        if self._tty:
            self._stream.write("\r" + self._line(now))
            self._stream.flush()
        elif now - self._printed_at >= QUIET_INTERVAL_S:
            self._printed_at = now
            print(self._line(now), file=self._stream, flush=True)

    def finish(self) -> None:
        line = self._line(time.monotonic())
        if self._tty:
            self._stream.write("\r" + line + "\n")
        else:
            print(line, file=self._stream)
        self._stream.flush()

    def _line(self, now: float) -> str:
        return render(self.label, self.done, self.total, now - self._started)
