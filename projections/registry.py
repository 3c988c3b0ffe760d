"""The projections `wattlog project` knows, by name, in dependency order."""

from __future__ import annotations

from projections.base import Projection, ProjectionError
from projections.samples.projector import SamplesProjection
from projections.summaries.projector import SummariesProjection

PROJECTION_NAMES: tuple[str, ...] = ("samples", "summaries")


def build_projection(name: str) -> Projection:
    if name == "samples":
        return SamplesProjection()
    if name == "summaries":
        return SummariesProjection()
    raise ProjectionError(f"unknown projection {name!r} (known: {', '.join(PROJECTION_NAMES)})")
