"""Reading and checking request input, with errors that name the offending field.

`JsonBody` wraps a decoded JSON object; each accessor checks one field and raises
`InvalidField` with that field's name. `finish()` refuses fields nobody asked for, so a
misspelt optional field is an error rather than silently ignored.

Characters: PostgreSQL refuses NUL in `text` and `jsonb`, so a NUL anywhere in a body (a
key or a string, at any depth) is refused at parsing, 400 `invalid_characters` naming the
top-level field, before any handler runs. Text fields (`text()`: names, e-mails, devices,
reasons) refuse every control character (Unicode category Cc) too, except where the
caller allows them (passwords, which are only hashed).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import orjson
from aiohttp import BodyPartReader, web
from aiohttp.http_exceptions import HttpProcessingError

from adapters.http.errors import (
    BadRequest,
    InvalidField,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
)

MAX_JSON_BYTES = 1024 * 1024
_INTEGER = re.compile(r"-?[0-9]{1,18}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The same rule is in the OpenAPI description (openapi.py), as a JSON Schema pattern.
DATETIME_PATTERN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.+\-Z]+")
_MISSING = object()
NUL = "\x00"


def control_character(value: str) -> str | None:
    """The first control character (Unicode category Cc) in `value`, or None."""
    for char in value:
        if unicodedata.category(char) == "Cc":
            return char
    return None


def _describe(char: str) -> str:
    return f"U+{ord(char):04X}"


def refuse_control_characters(value: str, field: str, *, allow_controls: bool = False) -> None:
    """400 `invalid_characters` if `value` holds NUL (or any control character unless allowed)."""
    found = (NUL if NUL in value else None) if allow_controls else control_character(value)
    if found is not None:
        raise BadRequest(
            f"{field} must not contain control characters ({_describe(found)})",
            field=field,
            code="invalid_characters",
        )


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(NUL in k or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(v) for v in value)
    return False


class JsonBody:
    def __init__(self, data: dict[str, Any]) -> None:
        self._data = data
        self._read: set[str] = set()

    @classmethod
    def parse(cls, raw: bytes) -> JsonBody:
        if not raw.strip():
            raise BadRequest("the request needs a JSON object body", code="invalid_json")
        try:
            data = orjson.loads(raw)
        except orjson.JSONDecodeError as error:
            raise BadRequest(f"the body is not valid JSON: {error}", code="invalid_json") from None
        if not isinstance(data, dict):
            raise BadRequest("the body must be a JSON object", code="invalid_json")
        for key, value in data.items():
            if NUL in key or _holds_nul(value):
                raise BadRequest(
                    f"{key.replace(NUL, '')} must not contain control characters (U+0000)",
                    field=key.replace(NUL, ""),
                    code="invalid_characters",
                )
        return cls(data)

    def has(self, name: str) -> bool:
        return name in self._data

    def _get(self, name: str, required: bool) -> Any:
        self._read.add(name)
        value = self._data.get(name, _MISSING)
        if value is _MISSING and required:
            raise InvalidField(f"{name} is required", field=name, code="missing_field")
        return value

    def text(
        self, name: str, *, max_length: int, min_length: int = 1, allow_controls: bool = False
    ) -> str:
        value = self._get(name, True)
        if not isinstance(value, str):
            raise InvalidField(f"{name} must be a string", field=name)
        refuse_control_characters(value, name, allow_controls=allow_controls)
        if not min_length <= len(value) <= max_length:
            raise InvalidField(
                f"{name} must be {min_length}..{max_length} characters long", field=name
            )
        return value

    def optional_text(
        self, name: str, *, max_length: int, default: str | None = None
    ) -> str | None:
        if self._get(name, False) in (_MISSING, None):
            return default
        return self.text(name, max_length=max_length)

    def integer(self, name: str, *, minimum: int, maximum: int) -> int:
        value = self._get(name, True)
        if not isinstance(value, int) or isinstance(value, bool):
            raise InvalidField(f"{name} must be a whole number", field=name)
        if not minimum <= value <= maximum:
            raise InvalidField(f"{name} must be in {minimum}..{maximum}", field=name)
        return value

    def optional_integer(self, name: str, *, minimum: int, maximum: int) -> int | None:
        if self._get(name, False) in (_MISSING, None):
            return None
        return self.integer(name, minimum=minimum, maximum=maximum)

    def number(self, name: str, *, minimum: float, maximum: float) -> float:
        value = self._get(name, True)
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or not math.isfinite(value)
        ):
            raise InvalidField(f"{name} must be a number", field=name)
        if not minimum <= value <= maximum:
            raise InvalidField(f"{name} must be in {minimum:g}..{maximum:g}", field=name)
        return float(value)

    def optional_number(self, name: str, *, minimum: float, maximum: float) -> float | None:
        if self._get(name, False) in (_MISSING, None):
            return None
        return self.number(name, minimum=minimum, maximum=maximum)

    def uuid(self, name: str) -> UUID:
        value = self._get(name, True)
        parsed = parse_uuid(value) if isinstance(value, str) else None
        if parsed is None:
            raise InvalidField(f"{name} must be a UUID string", field=name)
        return parsed

    def optional_uuid(self, name: str) -> UUID | None:
        if self._get(name, False) in (_MISSING, None):
            return None
        return self.uuid(name)

    def optional_date(self, name: str) -> date | None:
        value = self._get(name, False)
        if value in (_MISSING, None):
            return None
        if not isinstance(value, str):
            raise InvalidField(f"{name} must be a date (YYYY-MM-DD)", field=name)
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidField(f"{name} must be a date (YYYY-MM-DD)", field=name) from None

    def choice(self, name: str, options: frozenset[str] | tuple[str, ...]) -> str:
        value = self._get(name, True)
        if not isinstance(value, str) or value not in options:
            raise InvalidField(f"{name} must be one of {', '.join(sorted(options))}", field=name)
        return value

    def optional_object(self, name: str) -> dict[str, Any] | None:
        value = self._get(name, False)
        if value in (_MISSING, None):
            return None
        if not isinstance(value, dict):
            raise InvalidField(f"{name} must be a JSON object", field=name)
        return value

    def raw(self, name: str) -> Any:
        """The field as sent (or `None`), for values the domain model checks itself."""
        value = self._get(name, False)
        return None if value is _MISSING else value

    def finish(self) -> None:
        unknown = sorted(set(self._data) - self._read)
        if unknown:
            raise InvalidField(
                f"unknown field {unknown[0]!r}", field=unknown[0], code="unknown_field"
            )


async def json_body(request: web.Request) -> JsonBody:
    if request.content_type != "application/json":
        raise UnsupportedMediaType("send the body as application/json")
    if request.content_length is not None and request.content_length > MAX_JSON_BYTES:
        raise PayloadTooLarge(f"the body is larger than {MAX_JSON_BYTES} bytes")
    return JsonBody.parse(await request.read())


async def multipart_parts(request: web.Request) -> AsyncIterator[BodyPartReader]:
    """The parts of a multipart body, each named; a malformed body (a control character
    in a part header, a missing boundary, a nested multipart) is 400 `invalid_multipart`.

    Wrap reading each part's content in `multipart_errors()` too: a part ends badly while
    it is read."""
    with multipart_errors():
        reader = await request.multipart()
        while True:
            part = await reader.next()
            if part is None:
                return
            if not isinstance(part, BodyPartReader) or part.name is None:
                raise BadRequest(
                    "nested multipart bodies and unnamed parts are not accepted",
                    code="invalid_multipart",
                )
            yield part


@contextmanager
def multipart_errors() -> Iterator[None]:
    """Turns aiohttp's errors for a malformed multipart body into 400 `invalid_multipart`."""
    try:
        yield
    except (HttpProcessingError, ValueError) as error:
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        raise BadRequest(
            f"the multipart body is malformed: {message}"[:300], code="invalid_multipart"
        ) from None


def holds_nul(value: Any) -> bool:
    """A NUL in any string or key of a decoded JSON value (PostgreSQL refuses it)."""
    return _holds_nul(value)


def parse_uuid(value: str) -> UUID | None:
    try:
        return UUID(value)
    except ValueError:
        return None


def path_uuid(request: web.Request, name: str, what: str) -> UUID:
    """A UUID from the URL; anything else cannot name a resource, so it is not found."""
    parsed = parse_uuid(request.match_info[name])
    if parsed is None:
        raise NotFound(f"no such {what}")
    return parsed


def query_integer(
    request: web.Request, name: str, *, default: int, minimum: int, maximum: int
) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):  # int() would take " 5", "5_0" and other digits too
        raise InvalidField(f"{name} must be a whole number", field=name)
    value = int(raw)
    if not minimum <= value <= maximum:
        raise InvalidField(f"{name} must be in {minimum}..{maximum}", field=name)
    return value


def query_date(request: web.Request, name: str) -> date | None:
    """An optional `YYYY-MM-DD` query parameter (nothing else: no week dates, no "")."""
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        if not _DATE.fullmatch(raw):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        raise InvalidField(f"{name} must be a date (YYYY-MM-DD)", field=name) from None


def query_datetime(request: web.Request, name: str) -> datetime | None:
    """An optional ISO 8601 time (`YYYY-MM-DDThh:mm...`) query parameter; without a UTC
    offset it is taken as UTC."""
    raw = request.query.get(name)
    if raw is None:
        return None
    try:
        if not DATETIME_PATTERN.fullmatch(raw):
            raise ValueError(raw)
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise InvalidField(
            f"{name} must be an ISO 8601 time (YYYY-MM-DDThh:mm:ss, optional offset)", field=name
        ) from None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
