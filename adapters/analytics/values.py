"""Database values to JSON-ready values (ids and times as text, numbers as floats)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID


def plain(value: Any) -> Any:
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def plain_row(columns: list[str], row: tuple[Any, ...]) -> dict[str, Any]:
    return {name: plain(value) for name, value in zip(columns, row, strict=True)}
