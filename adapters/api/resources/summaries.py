"""Summary figures of sessions, read from the projections' `session_summaries` table.

The projections are built by another process and may not exist (yet): then, or for a
session not projected yet, a session simply has no summary. Whatever figure columns the
table has are passed through, so new figures need no change here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

HIDDEN_COLUMNS = frozenset({"session_id", "athlete_id", "owner_id"})


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, UUID):
        return str(value)
    return value


async def summaries(
    pool: AsyncConnectionPool, session_ids: Sequence[UUID]
) -> dict[UUID, dict[str, Any]]:
    if not session_ids:
        return {}
    async with pool.connection() as conn:
        cursor = await conn.execute("SELECT to_regclass('session_summaries') IS NOT NULL")
        exists = await cursor.fetchone()
        if not exists or not exists[0]:
            return {}
        rows = await (
            await conn.cursor(row_factory=dict_row).execute(
                "SELECT * FROM session_summaries WHERE session_id = ANY(%s)", (list(session_ids),)
            )
        ).fetchall()
    return {
        row["session_id"]: {k: _plain(v) for k, v in row.items() if k not in HIDDEN_COLUMNS}
        for row in rows
    }
