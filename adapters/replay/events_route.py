"""`GET /api/sessions/{session_id}/events`: a session's stored events, as the live feed's
messages (each with `ride_t`, its place on the ride's clock, and `version`).

Two ways to ask:
- `after_at=<epoch s>`: the events committed after that time, newest `limit` at most
  (`truncated` says older ones were left out). A dashboard whose live socket dropped asks
  with the `at` of the last message it had, and so fills the gap.
- otherwise, from the start of the ride in version order, `limit` at a time: pass the
  answer's `next_after_version` as `after_version` for the next page (null at the end).
`kind` (repeatable: sample, command, status) keeps only those kinds.
"""

from __future__ import annotations

import math
from typing import Any
from uuid import UUID

import orjson
from aiohttp import web

from adapters.eventstore import WattlogStore
from adapters.http.errors import InvalidField
from adapters.http.keys import DB_POOL, STORE, USER_ID
from adapters.http.ownership import session_of
from adapters.http.threads import in_thread
from adapters.http.validation import path_uuid, query_integer
from adapters.replay.reading import read_since
from adapters.replay.timeline import place, stored_item

KINDS = frozenset({"sample", "command", "status"})
DEFAULT_LIMIT = 3000
MAX_LIMIT = 10_000


def _kinds(request: web.Request) -> frozenset[str]:
    asked = frozenset(request.query.getall("kind", []))
    unknown = asked - KINDS
    if unknown:
        raise InvalidField(f"kind must be one of {', '.join(sorted(KINDS))}", field="kind")
    return asked or KINDS


def _after_at(request: web.Request) -> float | None:
    raw = request.query.get("after_at")
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise InvalidField("after_at must be a time in epoch seconds", field="after_at")
    return value


def _messages(events: list[Any], kinds: frozenset[str], imported: bool) -> dict[str, Any]:
    messages = [stored_item(event) for event in events]
    offset = place(messages, imported)
    return {
        "events": [m for m in messages if m["kind"] in kinds],
        "clock_offset_s": offset,
    }


def _page(
    store: WattlogStore, session_id: UUID, after_version: int, limit: int
) -> tuple[list[Any], int | None]:
    events = list(store.events.get(session_id, gt=after_version, limit=limit))
    more = len(events) == limit
    return events, (events[-1].originator_version if more else None)


def _json(body: dict[str, Any]) -> web.Response:
    return web.Response(body=orjson.dumps(body), content_type="application/json")


async def session_events(request: web.Request) -> web.Response:
    user_id = request[USER_ID]
    owned = await session_of(
        request.app[DB_POOL], user_id, path_uuid(request, "session_id", "session")
    )
    kinds = _kinds(request)
    limit = query_integer(request, "limit", default=DEFAULT_LIMIT, minimum=1, maximum=MAX_LIMIT)
    after_at = _after_at(request)
    store = request.app[STORE]
    body: dict[str, Any] = {"session_id": str(owned.id)}
    imported = owned.transport == "import"  # a page after the first has no Started to say it
    if after_at is not None:
        recent = await in_thread(read_since, store, owned.id, after_at, limit)
        body |= _messages(recent.events, kinds, imported)
        body["truncated"] = recent.truncated
        return _json(body)
    after_version = query_integer(request, "after_version", default=0, minimum=0, maximum=2**62)
    events, next_after = await in_thread(_page, store, owned.id, after_version, limit)
    body |= _messages(events, kinds, imported)
    body["next_after_version"] = next_after
    return _json(body)
