"""Tests and benchmarks reach any PostgreSQL server through one pair of settings."""

from adapters.postgres.test_server import admin_database_url, application_database_url


def test_without_settings_the_tests_use_this_machines_server() -> None:
    assert admin_database_url({}) == "postgresql://postgres@localhost:5432/postgres"
    assert application_database_url({}) == "postgresql://wattlog@localhost:5432/wattlog"


def test_the_application_url_is_derived_from_the_admin_url_on_the_same_server() -> None:
    environ = {
        "WATTLOG_TEST_ADMIN_DATABASE_URL": "postgresql://root:s3cret@tsdb.example:6543/postgres"
        "?sslmode=require"
    }
    assert admin_database_url(environ).startswith("postgresql://root:s3cret@tsdb.example:6543")
    # The admin's password is never handed to the application role.
    assert (
        application_database_url(environ)
        == "postgresql://wattlog@tsdb.example:6543/wattlog?sslmode=require"
    )


def test_an_explicit_application_url_wins() -> None:
    environ = {
        "WATTLOG_TEST_ADMIN_DATABASE_URL": "postgresql://postgres@tsdb:5432/postgres",
        "WATTLOG_TEST_DATABASE_URL": "postgresql://app:pw@tsdb:5432/any",
    }
    assert application_database_url(environ) == "postgresql://app:pw@tsdb:5432/any"
