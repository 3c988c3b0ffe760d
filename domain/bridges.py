"""The BridgeClient aggregate: a registered desktop or phone bridge owned by a user.

Its id, as text, is the client id used in routing keys and in sessions. Revoking is
final: a revoked bridge can do nothing, and its broker account is taken away.
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from eventsourcing.domain import Aggregate, event

from domain.errors import BridgeRevoked, InvalidBridge

BRIDGE_KINDS = frozenset({"desktop", "phone"})
MAX_NAME_LENGTH = 100
MAX_REASON_LENGTH = 500


class BridgeClient(Aggregate):
    """A bridge a user registered. Create it with :meth:`register`."""

    @event("Registered")
    def __init__(
        self,
        id: UUID | None,  # the library passes the aggregate id; the base class keeps it
        owner_id: UUID,
        name: str,
        kind: str,
    ) -> None:
        self._owner_id = str(owner_id)
        self._name = name
        self._kind = kind
        self._revoked_at: str | None = None
        self._revoke_reason: str | None = None

    @classmethod
    def register(
        cls, owner_id: UUID, name: str, kind: str, bridge_id: UUID | None = None
    ) -> BridgeClient:
        if not isinstance(owner_id, UUID):
            raise InvalidBridge(f"owner_id must be a UUID, got {owner_id!r}")
        if bridge_id is not None and not isinstance(bridge_id, UUID):
            raise InvalidBridge(f"bridge_id must be a UUID, got {bridge_id!r}")
        if kind not in BRIDGE_KINDS:
            raise InvalidBridge(f"kind must be one of {sorted(BRIDGE_KINDS)}, got {kind!r}")
        return cls(id=bridge_id, owner_id=owner_id, name=_checked_name(name), kind=kind)

    def rename(self, name: str) -> None:
        """Rename the bridge; a no-op when the name is unchanged."""
        self.ensure_active()
        name = _checked_name(name)
        if name != self._name:
            self._rename(name=name)

    @event("Renamed")
    def _rename(self, name: str) -> None:
        self._name = name

    def revoke(self, reason: str) -> None:
        self.ensure_active()
        if not isinstance(reason, str) or len(reason) > MAX_REASON_LENGTH:
            raise InvalidBridge(f"reason must be a str of at most {MAX_REASON_LENGTH}")
        self._revoke(reason=reason)

    # The library hands a decorated method the event's own timestamp when it asks for
    # one; the default None makes the library stamp the event when it is triggered.
    @event("Revoked")
    def _revoke(self, reason: str, timestamp: datetime | None = None) -> None:
        self._revoke_reason = reason
        self._revoked_at = timestamp.isoformat() if isinstance(timestamp, datetime) else timestamp

    def ensure_active(self) -> None:
        """Raise BridgeRevoked if the bridge has been revoked."""
        if self._revoked_at is not None:
            raise BridgeRevoked(f"bridge {self.id} was revoked: {self._revoke_reason}")

    @property
    def client_id(self) -> str:
        return str(self.id)

    @property
    def owner_id(self) -> UUID:
        return UUID(self._owner_id)

    @property
    def name(self) -> str:
        return self._name

    @property
    def kind(self) -> str:
        return self._kind

    @property
    def is_revoked(self) -> bool:
        return self._revoked_at is not None

    @property
    def revoked_at(self) -> datetime | None:
        return None if self._revoked_at is None else datetime.fromisoformat(self._revoked_at)

    @property
    def revoke_reason(self) -> str | None:
        return self._revoke_reason


def _checked_name(name: object) -> str:
    if not isinstance(name, str) or not 0 < len(name.strip()) <= MAX_NAME_LENGTH:
        raise InvalidBridge(f"name must be 1..{MAX_NAME_LENGTH} characters, got {name!r}")
    return name.strip()
