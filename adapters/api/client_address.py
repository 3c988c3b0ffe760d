"""The address a request came from, for throttling.

`X-Forwarded-For` is believed only from a proxy on this machine (the deployment puts nginx
in front on loopback); then its last entry, the one that proxy added, is the client. From
anywhere else the header could be forged, so the peer address is used.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web


def client_address(request: web.Request) -> str:
    peer = request.remote or "unknown"
    forwarded = request.headers.get("X-Forwarded-For")
    if forwarded and _is_loopback(peer):
        last = forwarded.split(",")[-1].strip()
        if last:
            return last
    return peer


def _is_loopback(address: str) -> bool:
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False
