"""Request bodies: precise errors that name the field."""

from __future__ import annotations

import pytest

from adapters.http.errors import BadRequest, InvalidField
from adapters.http.validation import JsonBody


@pytest.mark.parametrize("raw", [b"", b"[1, 2]", b"{oops", b'"text"', b'{"w": 1e999}'])
def test_a_body_that_is_not_a_json_object_is_a_bad_request(raw: bytes) -> None:
    with pytest.raises(BadRequest) as raised:
        JsonBody.parse(raw)
    assert raised.value.code == "invalid_json"


def test_each_accessor_names_its_field() -> None:
    body = JsonBody.parse(b'{"ftp_w": "250", "name": "x"}')
    with pytest.raises(InvalidField) as wrong_type:
        body.integer("ftp_w", minimum=1, maximum=2000)
    assert wrong_type.value.field == "ftp_w"
    with pytest.raises(InvalidField) as missing:
        body.uuid("athlete_id")
    assert (missing.value.field, missing.value.code) == ("athlete_id", "missing_field")


def test_booleans_are_not_numbers() -> None:
    body = JsonBody.parse(b'{"ftp_w": true}')
    with pytest.raises(InvalidField):
        body.integer("ftp_w", minimum=0, maximum=2000)


def test_finish_refuses_a_field_nobody_read() -> None:
    body = JsonBody.parse(b'{"name": "x", "nmae": "y"}')
    body.text("name", max_length=10)
    with pytest.raises(InvalidField) as unknown:
        body.finish()
    assert (unknown.value.field, unknown.value.code) == ("nmae", "unknown_field")


def test_an_optional_field_may_be_absent_or_null() -> None:
    body = JsonBody.parse(b'{"max_hr": null}')
    assert body.optional_integer("max_hr", minimum=60, maximum=240) is None
    assert body.optional_text("device", max_length=10, default="d") == "d"
    body.finish()


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        (b'{"name": "a\\u0000b"}', "name"),
        (b'{"workout": {"steps": [{"label": "\\u0000"}]}}', "workout"),
        (b'{"workout": {"\\u0000": 1}}', "workout"),
    ],
)
def test_a_nul_anywhere_in_a_body_is_refused_naming_the_top_level_field(
    raw: bytes, field: str
) -> None:
    with pytest.raises(BadRequest) as raised:
        JsonBody.parse(raw)
    assert (raised.value.code, raised.value.field) == ("invalid_characters", field)


@pytest.mark.parametrize("value", ["tab\there", "new\nline", "del\x7f", "c1\x85", "bell\x07"])
def test_a_text_field_refuses_control_characters(value: str) -> None:
    body = JsonBody({"name": value})
    with pytest.raises(BadRequest) as raised:
        body.text("name", max_length=100)
    assert (raised.value.code, raised.value.field) == ("invalid_characters", "name")


def test_a_password_may_hold_control_characters_but_not_nul() -> None:
    assert JsonBody({"p": "tab\tpass"}).text("p", max_length=100, allow_controls=True)
    with pytest.raises(BadRequest):
        JsonBody({"p": "nul\x00pass"}).text("p", max_length=100, allow_controls=True)


def test_names_in_any_script_pass() -> None:
    assert JsonBody({"name": "Zoë Ørsted 李"}).text("name", max_length=100) == "Zoë Ørsted 李"
