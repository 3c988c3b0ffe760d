"""Simulated bridges: realistic rides published over AMQP in the bridge protocol
(used by `wattlog up`, `wattlog simulate`, the tests and the benchmarks)."""
