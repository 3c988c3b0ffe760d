"""The address a request came from, for throttling.

`X-Forwarded-For` is believed only from the proxies named in `WATTLOG_TRUSTED_PROXIES`
(addresses or CIDRs; empty by default, so nobody is believed). From a trusted peer the
header is read from the right, each trusted proxy's entry skipped: the first entry that
is not a trusted proxy is the one the outermost trusted proxy saw, the client. Entries
further left were written by the client and could be anything. From any other peer the
header could be forged, so the peer address is used.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from aiohttp import web

from adapters.api.keys import SETTINGS

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def client_address(request: web.Request) -> str:
    peer = request.remote or "unknown"
    trusted = request.app[SETTINGS].trusted_proxy_networks
    forwarded = request.headers.get("X-Forwarded-For")
    if not forwarded or not _is_trusted(peer, trusted):
        return peer
    address = peer
    for entry in reversed(forwarded.split(",")):
        entry = entry.strip()
        if _parse(entry) is None:
            break  # not an address a proxy would write: stop at the last hop we can vouch for
        address = entry
        if not _is_trusted(entry, trusted):
            break
    return address


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address)
    except ValueError:
        return None


def _is_trusted(address: str, trusted: Sequence[Network]) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in trusted)
