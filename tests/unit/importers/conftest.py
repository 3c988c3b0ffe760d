"""Shared access to the FIT fixtures; each file is decoded once per test session."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.importers.fit import ImportedRide, read_fit_ride

FIT_FIXTURES = Path(__file__).resolve().parents[3].parent / "shared" / "fixtures" / "fit"


@pytest.fixture(scope="session")
def fit_ride() -> Callable[[str], ImportedRide]:
    """``fit_ride("name.fit")``: the decoded fixture (shared, do not mutate its records)."""

    @functools.cache
    def read(name: str) -> ImportedRide:
        return read_fit_ride(FIT_FIXTURES / name)

    return read
