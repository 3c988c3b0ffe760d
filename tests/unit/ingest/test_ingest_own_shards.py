"""Which shards an ingest worker subscribes to first (the others it stands by for)."""

from __future__ import annotations

import pytest

from adapters.ingest.consumer import own_shards
from adapters.settings import Settings, SettingsError


@pytest.mark.parametrize(("shards", "workers"), [(4, 1), (4, 2), (4, 3), (8, 3), (2, 4)])
def test_every_shard_is_the_own_shard_of_exactly_one_worker(shards: int, workers: int) -> None:
    owned = [
        own_shards(Settings(ingest_shards=shards, ingest_workers=workers, ingest_worker_index=i))
        for i in range(workers)
    ]
    assert sorted(shard for mine in owned for shard in mine) == list(range(shards))
    assert max(map(len, owned)) - min(map(len, owned)) <= 1


def test_a_worker_index_outside_the_workers_is_refused_at_start() -> None:
    with pytest.raises(SettingsError, match="WATTLOG_INGEST_WORKER_INDEX"):
        Settings.from_env({"WATTLOG_INGEST_WORKERS": "2", "WATTLOG_INGEST_WORKER_INDEX": "2"})
