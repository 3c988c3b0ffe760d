"""`POST /api/athletes/{athlete_id}/rides`: upload a ride file (FIT) for one of the user's
athletes; it becomes a finished session (adapters/importers/service.py).

The body is the file itself (`application/octet-stream`) or multipart with one `file`
part. 201: imported; 200: this file was already imported for this athlete (nothing stored
again); 422 `invalid_ride`: the file cannot be imported, nothing stored. The API's store
indexes ownership, so the ride is in the user's session list at once.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

from aiohttp import BodyPartReader, StreamReader, web

from adapters.api.keys import STORE, USER_ID
from adapters.http.errors import InvalidField, PayloadTooLarge, UnsupportedMediaType
from adapters.http.ownership import athlete_in_path
from adapters.http.threads import in_thread
from adapters.http.validation import multipart_errors, multipart_parts
from adapters.importers.service import RideImport, RideImportError, import_ride

MAX_RIDE_FILE_BYTES = 32 * 1024 * 1024
FILE_PART = "file"
_CHUNK_BYTES = 64 * 1024


async def _read_limited(stream: StreamReader | BodyPartReader) -> bytes:
    data = bytearray()
    while True:
        if isinstance(stream, BodyPartReader):
            chunk = await stream.read_chunk(_CHUNK_BYTES)
        else:
            chunk = await stream.read(_CHUNK_BYTES)
        if not chunk:
            return bytes(data)
        data.extend(chunk)
        if len(data) > MAX_RIDE_FILE_BYTES:
            raise PayloadTooLarge(f"the ride file is larger than {MAX_RIDE_FILE_BYTES} bytes")


async def _upload(request: web.Request) -> tuple[str, bytes]:
    """(file name for messages, file bytes) from either body form."""
    if request.content_type == "application/octet-stream":
        return "upload", await _read_limited(request.content)
    if request.content_type != "multipart/form-data":
        raise UnsupportedMediaType(
            "send the ride file as application/octet-stream or multipart/form-data"
        )
    found: tuple[str, bytes] | None = None
    async for part in multipart_parts(request):
        if part.name != FILE_PART:
            raise InvalidField(
                f"unknown field {part.name!r}", field=part.name, code="unknown_field"
            )
        if found is not None:
            raise InvalidField("send one ride file per request", field=FILE_PART)
        with multipart_errors():
            found = (part.filename or "upload", await _read_limited(part))
    if found is None:
        raise InvalidField("the ride file is required", field=FILE_PART, code="missing_field")
    return found


def ride_import_json(result: RideImport) -> dict[str, Any]:
    return {
        "session_id": str(result.session_id),
        "created": result.created,
        "samples": result.samples,
        "started_at": result.started_at.isoformat(),
        "ftp_w": result.ftp_w,
    }


async def upload(request: web.Request) -> web.Response:
    user_id: UUID = request[USER_ID]
    athlete_id = await athlete_in_path(request)
    name, data = await _upload(request)
    if not data:
        raise InvalidField("the ride file is empty", field=FILE_PART, code="invalid_ride")
    try:
        result = await in_thread(
            import_ride,
            request.app[STORE],
            athlete_id=athlete_id,
            owner_id=user_id,
            data=data,
            name=name,
        )
    except RideImportError as error:
        raise InvalidField(str(error), field=FILE_PART, code="invalid_ride") from None
    return web.json_response(ride_import_json(result), status=201 if result.created else 200)


def setup(app: web.Application) -> None:
    app.router.add_post("/api/athletes/{athlete_id}/rides", upload)
