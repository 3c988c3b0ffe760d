"""`wattlog migrate`: create or update the schema of the configured database."""

from __future__ import annotations

import argparse
import sys

from adapters.migrations import migrate
from adapters.postgres.flavour import FlavourError
from adapters.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to-timescale",
        action="store_true",
        help="move a plain database's samples read models to TimescaleDB, with their data",
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    try:
        if args.to_timescale:
            from projections.convert import to_timescale

            copied = to_timescale(settings)
            print(f"samples read models moved to TimescaleDB: {copied} rows copied")
            return 0
        applied = migrate(settings)
    except FlavourError as error:
        print(f"wattlog migrate: {error}", file=sys.stderr)
        return 2
    print(f"migrations applied: {len(applied)}" + (f" ({', '.join(applied)})" if applied else ""))
    return 0
