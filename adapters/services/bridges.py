"""Use cases on bridge clients: register, read, revoke.

The broker side of a bridge (its account, its command queue) is the API's job
(adapters/api/resources/bridges.py); these only record the bridge's events.
"""

from __future__ import annotations

from contextlib import suppress
from uuid import UUID

from adapters.eventstore import WattlogStore
from adapters.services.conflicts import change, load
from domain.bridges import BridgeClient
from domain.errors import BridgeRevoked


class BridgeService:
    def __init__(self, store: WattlogStore) -> None:
        self._store = store

    def add(self, bridge: BridgeClient) -> BridgeClient:
        """Saves a bridge just made by `BridgeClient.register`."""
        self._store.save(bridge)
        return bridge

    def get(self, bridge_id: UUID) -> BridgeClient:
        return load(self._store, bridge_id, BridgeClient)

    def revoke(self, bridge_id: UUID, reason: str) -> BridgeClient:
        """Revokes the bridge; a bridge already revoked stays as it is (idempotent)."""

        def revoke(bridge: BridgeClient) -> None:
            with suppress(BridgeRevoked):  # already revoked: nothing to save
                bridge.revoke(reason)

        return change(self._store, bridge_id, BridgeClient, revoke, what="bridge revoke")
