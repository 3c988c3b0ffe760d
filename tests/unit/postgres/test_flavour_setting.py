"""The read models' flavour is an explicit setting, and TimescaleDB versions compare right."""

import pytest

from adapters.postgres.flavour import MIN_TIMESCALEDB, parse_version
from adapters.settings import Settings, SettingsError


def test_the_flavour_setting_defaults_to_auto_and_takes_plain_or_timescale() -> None:
    assert Settings.from_env({}).db_flavour == "auto"
    assert Settings.from_env({"WATTLOG_DB_FLAVOUR": "timescale"}).db_flavour == "timescale"
    assert Settings.from_env({"WATTLOG_DB_FLAVOUR": "plain"}).db_flavour == "plain"


def test_an_unknown_flavour_is_refused_naming_the_variable() -> None:
    with pytest.raises(SettingsError, match="WATTLOG_DB_FLAVOUR must be one of"):
        Settings.from_env({"WATTLOG_DB_FLAVOUR": "timescaledb"})


@pytest.mark.parametrize(
    ("text", "recent_enough"),
    [("2.28.3", True), ("2.11.0", True), ("2.10.3", False), ("2.9.1", False),
     ("2.14.0-dev", True), ("3.0", True)],
)  # fmt: skip
def test_timescaledb_from_2_11_is_recent_enough(text: str, recent_enough: bool) -> None:
    assert (parse_version(text) >= MIN_TIMESCALEDB) is recent_enough
