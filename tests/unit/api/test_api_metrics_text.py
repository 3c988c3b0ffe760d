"""The Prometheus text the API writes."""

from __future__ import annotations

from adapters.api.metrics import Counter, Histogram, gauge


def test_a_counter_adds_up_per_label_set() -> None:
    counter = Counter("requests_total", "requests")
    counter.inc(route="/a", status="200")
    counter.inc(route="/a", status="200")
    counter.inc(route="/b", status="404")
    assert counter.render() == [
        "# HELP requests_total requests",
        "# TYPE requests_total counter",
        'requests_total{route="/a",status="200"} 2',
        'requests_total{route="/b",status="404"} 1',
    ]


def test_a_histogram_writes_cumulative_buckets_sum_and_count() -> None:
    histogram = Histogram("latency_seconds", "latency", buckets=(0.1, 1.0))
    for value in (0.05, 0.5, 0.5, 3.0):
        histogram.observe(value, route="/a")
    lines = histogram.render()
    assert 'latency_seconds_bucket{route="/a",le="0.1"} 1' in lines
    assert 'latency_seconds_bucket{route="/a",le="1"} 3' in lines
    assert 'latency_seconds_bucket{route="/a",le="+Inf"} 4' in lines
    assert 'latency_seconds_sum{route="/a"} 4.05' in lines
    assert 'latency_seconds_count{route="/a"} 4' in lines


def test_label_values_are_escaped() -> None:
    lines = gauge("g", "help", [((("path", 'a"b\\c\nd'),), 1)])
    assert lines[-1] == 'g{path="a\\"b\\\\c\\nd"} 1'
