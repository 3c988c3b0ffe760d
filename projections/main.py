"""`wattlog project`: run the projectors, or rebuild one (`--rebuild NAME`)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from adapters.progress import ProgressBar
from adapters.reachability import check_database
from adapters.runtime import run_service
from adapters.settings import Settings
from projections.failure_commands import ALL, list_failures, retry_failed
from projections.rebuild import rebuild
from projections.registry import PROJECTION_NAMES
from projections.retention import check_days as check_retention_days
from projections.runner import DEFAULT_BATCH_SIZE
from projections.service import DEFAULT_LAG_LOG_INTERVAL_S, ProjectorService


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rebuild",
        metavar="NAME",
        choices=PROJECTION_NAMES,
        help=f"rebuild one projection from the first event ({', '.join(PROJECTION_NAMES)})",
    )
    parser.add_argument(
        "--failures",
        action="store_true",
        help="list the events the projections set aside (could not project), and exit",
    )
    parser.add_argument(
        "--retry-failed",
        metavar="NAME",
        nargs="?",
        const=ALL,
        help="re-apply the set-aside events of one projection (default: all), and exit",
    )
    parser.add_argument(
        "--only",
        action="append",
        choices=PROJECTION_NAMES,
        help="run only this projection (repeatable; default: all)",
    )
    parser.add_argument(
        "--batch-size", type=int, default=DEFAULT_BATCH_SIZE, help="notifications per transaction"
    )
    parser.add_argument(
        "--lag-log-interval",
        type=float,
        default=DEFAULT_LAG_LOG_INTERVAL_S,
        help="seconds between lag log lines",
    )
    parser.add_argument(
        "--samples-retention-days",
        type=int,
        metavar="DAYS",
        help="drop 1 Hz samples older than DAYS (0: keep forever, else at least 14); rollups and"
        " summaries stay",
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    if args.batch_size < 1:
        print("wattlog project: --batch-size must be at least 1", file=sys.stderr)
        return 2
    check_database(settings)  # down: one line at once (adapters/cli.py), not a 30 s pool wait
    if args.failures:
        return list_failures(settings)
    if args.retry_failed is not None:
        if args.retry_failed != ALL and args.retry_failed not in PROJECTION_NAMES:
            print(
                f"wattlog project: unknown projection {args.retry_failed!r}"
                f" (known: {', '.join(PROJECTION_NAMES)})",
                file=sys.stderr,
            )
            return 2
        names = PROJECTION_NAMES if args.retry_failed == ALL else (args.retry_failed,)
        return retry_failed(settings, names)
    if args.rebuild:
        progress = ProgressBar(f"rebuild {args.rebuild}", 0)
        rebuild(settings, args.rebuild, batch_size=args.batch_size, progress=progress)
        return 0
    if args.samples_retention_days is not None:
        try:
            check_retention_days(args.samples_retention_days)
        except ValueError as error:
            print(f"wattlog project: --samples-retention-days: {error}", file=sys.stderr)
            return 2
    service = ProjectorService(
        settings,
        args.only or PROJECTION_NAMES,
        batch_size=args.batch_size,
        lag_log_interval_s=args.lag_log_interval,
        retention_days=args.samples_retention_days,
    )
    return run_service(settings, service.run)


async def serve(settings: Settings, stop: asyncio.Event) -> None:
    """Every projector, in process (the tests run it this way)."""
    await ProjectorService(settings, PROJECTION_NAMES).run(stop)
