"""Fixtures of the projection tests (the builders are in projection_helpers.py)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from projection_helpers import catch_up

from adapters.eventstore import WattlogStore
from adapters.settings import Settings


@pytest.fixture
def db(settings: Settings) -> Iterator[psycopg.Connection[Any]]:
    with psycopg.connect(settings.database_url, autocommit=True) as conn:
        yield conn


@pytest.fixture
def project(store: WattlogStore, settings: Settings) -> Callable[..., None]:
    return lambda batch_size=2000: catch_up(store, settings, batch_size)
