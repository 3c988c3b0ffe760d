"""`wattlog migrate`: create or update the schema of the configured database."""

from __future__ import annotations

import argparse
import sys

from adapters.postgres.flavour import FlavourError
from adapters.postgres.migrations import migrate
from adapters.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    del parser  # no options


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        applied = migrate(settings)
    except FlavourError as error:
        print(f"wattlog migrate: {error}", file=sys.stderr)
        return 2
    print(f"migrations applied: {len(applied)}" + (f" ({', '.join(applied)})" if applied else ""))
    return 0
