"""Turn the bytes of a workout file into text, following the documented encoding policy.

Order: a byte-order mark wins; then an encoding named in the XML declaration (strictly);
then UTF-8; then cp1252, because Windows tools wrote many workout files in cp1252 without
declaring it (e.g. curly quotes in descriptions). Anything else is refused with a clear error.
"""

from __future__ import annotations

import codecs
import re
from typing import Final

from domain.workouts.errors import WorkoutFileError

FALLBACK_ENCODING: Final = "cp1252"

# UTF-32 marks before UTF-16 ones: the UTF-32-LE mark starts with the UTF-16-LE mark.
_BYTE_ORDER_MARKS: Final = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_XML_DECLARED_ENCODING: Final = re.compile(
    rb"""\A\s*<\?xml\s[^>]*?\bencoding\s*=\s*["']([A-Za-z][A-Za-z0-9._-]*)["']"""
)


def declared_xml_encoding(data: bytes) -> str | None:
    """The ``encoding`` named by an XML declaration at the start of ``data``, if any."""
    match = _XML_DECLARED_ENCODING.match(data)
    return match.group(1).decode("ascii") if match else None


def decode_workout_bytes(data: bytes, *, source: str, declared_encoding: str | None) -> str:
    """Decode ``data`` per the module policy; raises ``WorkoutFileError`` naming the bad byte."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if data.startswith(mark):
            return _decode_strictly(data, encoding, source, why="its byte-order mark says")
    if declared_encoding is not None:
        try:
            codecs.lookup(declared_encoding)
        except LookupError:
            raise WorkoutFileError(
                source, f"the XML declaration names an unknown encoding {declared_encoding!r}"
            ) from None
        return _decode_strictly(data, declared_encoding, source, why="its XML declaration says")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as exc:
        raise WorkoutFileError(
            source,
            f"the file is neither UTF-8 nor {FALLBACK_ENCODING} text "
            f"(byte 0x{data[exc.start]:02x} at offset {exc.start} is undefined in both)",
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None


def _decode_strictly(data: bytes, encoding: str, source: str, *, why: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise WorkoutFileError(
            source,
            f"byte 0x{data[exc.start]:02x} at offset {exc.start} is not valid {encoding}, "
            f"which {why} the file uses",
            line=data.count(b"\n", 0, exc.start) + 1,
        ) from None
