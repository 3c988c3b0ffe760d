"""`wattlog import FILE... --athlete ID`: import ride files (FIT) as finished sessions.

Each file is its own transaction: a broken file is refused with one line on stderr and
stores nothing, the others are still imported, and the exit status is 1 if any file failed.
The projectors (`wattlog project`) then turn the rides into read models.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from uuid import UUID

from adapters.api.ownership_index import IndexedStore
from adapters.importers.service import RideImportError, import_ride
from adapters.progress import ProgressBar
from adapters.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path, help="FIT files")
    parser.add_argument("--athlete", required=True, type=UUID, help="the athlete's id")
    parser.add_argument(
        "--owner", type=UUID, help="owning user (default: the athlete profile's owner)"
    )
    parser.add_argument("--ftp", type=int, help="FTP in W (default: the athlete's on that day)")


def run(settings: Settings, args: argparse.Namespace) -> int:
    # The same store as the API's: the ride's ownership rows are written with its events,
    # so imported rides appear in the owner's session lists.
    store = IndexedStore(settings)
    failed = 0
    progress = ProgressBar("import", len(args.files)) if len(args.files) > 1 else None
    try:
        for index, path in enumerate(args.files, start=1):
            try:
                data = path.read_bytes()
                result = import_ride(
                    store,
                    athlete_id=args.athlete,
                    owner_id=args.owner,
                    ftp_w=args.ftp,
                    data=data,
                    name=str(path),
                )
            except (RideImportError, OSError) as error:
                failed += 1
                print(f"wattlog import: {path}: refused: {_reason(error, path)}", file=sys.stderr)
            else:
                what = "imported" if result.created else "already imported"
                print(
                    f"{path}: {what} as session {result.session_id}"
                    f" ({result.samples} samples, {result.started_at:%Y-%m-%d %H:%M} UTC,"
                    f" FTP {result.ftp_w} W)"
                )
            if progress is not None:
                progress.update(index)
    finally:
        store.close()
    if progress is not None:
        progress.finish()
    return 1 if failed else 0


def _reason(error: Exception, path: Path) -> str:
    text = str(error) if not isinstance(error, OSError) else (error.strerror or str(error))
    prefix = f"{path}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
