"""Prometheus metrics in the text exposition format, without a client library.

Counters and histograms are kept in memory by the process; gauges that describe the
system (sessions running, queue depths, relay lag) are read when `/metrics` is scraped.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence

LATENCY_BUCKETS_S = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)

Labels = tuple[tuple[str, str], ...]


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def format_labels(labels: Labels) -> str:
    if not labels:
        return ""
    return "{" + ",".join(f'{name}="{_escape(value)}"' for name, value in labels) + "}"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


class Counter:
    def __init__(self, name: str, help_text: str) -> None:
        self.name = name
        self.help_text = help_text
        self._values: dict[Labels, float] = {}

    def inc(self, amount: float = 1.0, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        self._values[key] = self._values.get(key, 0.0) + amount

    def value(self, **labels: str) -> float:
        return self._values.get(tuple(sorted(labels.items())), 0.0)

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help_text}", f"# TYPE {self.name} counter"]
        for labels, value in sorted(self._values.items()):
            lines.append(f"{self.name}{format_labels(labels)} {_number(value)}")
        return lines


class Histogram:
    def __init__(self, name: str, help_text: str, buckets: Sequence[float]) -> None:
        self.name = name
        self.help_text = help_text
        self._buckets = tuple(sorted(buckets))
        self._counts: dict[Labels, list[int]] = {}
        self._sums: dict[Labels, float] = {}

    def observe(self, value: float, **labels: str) -> None:
        key = tuple(sorted(labels.items()))
        counts = self._counts.setdefault(key, [0] * (len(self._buckets) + 1))
        counts[bisect.bisect_left(self._buckets, value)] += 1
        self._sums[key] = self._sums.get(key, 0.0) + value

    def render(self) -> list[str]:
        lines = [f"# HELP {self.name} {self.help_text}", f"# TYPE {self.name} histogram"]
        for labels, counts in sorted(self._counts.items()):
            cumulative = 0
            for bound, count in zip([*self._buckets, float("inf")], counts, strict=True):
                cumulative += count
                le = "+Inf" if bound == float("inf") else _number(bound)
                lines.append(
                    f"{self.name}_bucket{format_labels((*labels, ('le', le)))} {cumulative}"
                )
            lines.append(f"{self.name}_sum{format_labels(labels)} {self._sums[labels]!r}")
            lines.append(f"{self.name}_count{format_labels(labels)} {cumulative}")
        return lines


def gauge(
    name: str, help_text: str, samples: Iterable[tuple[Labels, float]], kind: str = "gauge"
) -> list[str]:
    """Lines for a value read at scrape time (`kind="counter"` for a process's own count)."""
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines.extend(f"{name}{format_labels(labels)} {_number(value)}" for labels, value in samples)
    return lines


class ApiMetrics:
    """The instruments the API process updates as it works."""

    def __init__(self) -> None:
        self.requests = Counter(
            "wattlog_http_requests_total", "HTTP requests by route template, method and status"
        )
        self.latency = Histogram(
            "wattlog_http_request_duration_seconds",
            "HTTP request latency by route template",
            LATENCY_BUCKETS_S,
        )
        self.gateway_envelopes = Counter(
            "wattlog_gateway_envelopes_total", "envelopes received from phone bridges, by result"
        )

    def render(self) -> list[str]:
        return [
            *self.requests.render(),
            *self.latency.render(),
            *self.gateway_envelopes.render(),
        ]
