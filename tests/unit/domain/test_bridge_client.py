"""The BridgeClient aggregate: registration, renaming and revocation."""

from __future__ import annotations

from typing import Any
from uuid import UUID, uuid4

import pytest

from domain.bridges import BridgeClient
from domain.errors import BridgeRevoked, InvalidBridge


@pytest.fixture
def bridge(owner_id: UUID) -> BridgeClient:
    registered = BridgeClient.register(owner_id, "Pain cave laptop", "desktop")
    registered.collect_events()
    return registered


def events(bridge: BridgeClient) -> list[tuple[str, dict[str, Any]]]:
    return [(type(e).__name__, vars(e)) for e in bridge.collect_events()]


def test_bridge_register_records_owner_name_and_kind(owner_id: UUID) -> None:
    bridge_id = uuid4()

    bridge = BridgeClient.register(owner_id, " Pixel 8 ", "phone", bridge_id=bridge_id)

    [(name, fields)] = events(bridge)
    assert name == "Registered"
    assert (fields["owner_id"], fields["name"], fields["kind"]) == (owner_id, "Pixel 8", "phone")
    assert bridge.id == bridge_id
    assert (bridge.owner_id, bridge.name, bridge.kind) == (owner_id, "Pixel 8", "phone")
    assert not bridge.is_revoked


def test_bridge_client_id_is_the_aggregate_id_as_text(bridge: BridgeClient) -> None:
    assert bridge.client_id == str(bridge.id)
    assert UUID(bridge.client_id) == bridge.id


@pytest.mark.parametrize(
    ("name", "kind", "owner"),
    [
        ("Laptop", "tablet", None),
        ("Laptop", "", None),
        ("", "desktop", None),
        ("z" * 101, "desktop", None),
        ("Laptop", "desktop", "not-a-uuid"),
    ],
)
def test_bridge_register_rejects_bad_fields(
    owner_id: UUID, name: str, kind: str, owner: Any
) -> None:
    with pytest.raises(InvalidBridge):
        BridgeClient.register(owner if owner is not None else owner_id, name, kind)


def test_bridge_rename_records_the_new_name_once(bridge: BridgeClient) -> None:
    bridge.rename("Garage laptop")
    bridge.rename("Garage laptop ")

    [(name, fields)] = events(bridge)
    assert (name, fields["name"]) == ("Renamed", "Garage laptop")
    assert bridge.name == "Garage laptop"


def test_bridge_revoke_records_the_reason_and_time(bridge: BridgeClient) -> None:
    bridge.revoke("laptop stolen")

    [revoked] = bridge.collect_events()
    assert type(revoked).__name__ == "Revoked"
    assert vars(revoked)["reason"] == "laptop stolen"
    assert bridge.is_revoked
    assert bridge.revoke_reason == "laptop stolen"
    assert bridge.revoked_at == revoked.timestamp


def test_bridge_ensure_active_passes_while_not_revoked(bridge: BridgeClient) -> None:
    bridge.ensure_active()


def test_bridge_ensure_active_raises_when_revoked(bridge: BridgeClient) -> None:
    bridge.revoke("replaced")

    with pytest.raises(BridgeRevoked):
        bridge.ensure_active()


@pytest.mark.parametrize(
    "action",
    [lambda b: b.revoke("again"), lambda b: b.rename("New name")],
    ids=["revoke", "rename"],
)
def test_bridge_refuses_changes_when_revoked(bridge: BridgeClient, action: Any) -> None:
    bridge.revoke("replaced")
    bridge.collect_events()

    with pytest.raises(BridgeRevoked):
        action(bridge)

    assert bridge.collect_events() == []
    assert bridge.revoke_reason == "replaced"


def test_bridge_rebuilt_from_its_events_is_still_revoked(owner_id: UUID) -> None:
    original = BridgeClient.register(owner_id, "Laptop", "desktop")
    original.rename("Old laptop")
    original.revoke("sold")

    rebuilt: BridgeClient | None = None
    for domain_event in original.collect_events():
        rebuilt = domain_event.mutate(rebuilt)

    assert rebuilt == original
    assert isinstance(rebuilt, BridgeClient)
    with pytest.raises(BridgeRevoked):
        rebuilt.ensure_active()
