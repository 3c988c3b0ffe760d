"""`wattlog import FILE... --athlete ID`: import ride files (FIT) as finished sessions.

`--athlete-email EMAIL` names the athlete by its owner's sign-in email instead (the
dashboard's Settings page shows the id too); an owner with several athletes adds
`--athlete-name NAME`. An email, or name, that matches no athlete, or several, stops the
command (exit 2, one line on stderr naming the choices) before anything is stored.

`--lthr`, `--max-hr`, `--cp` and `--w-prime` first set the athlete's profile: LTHR and
maximum heart rate as the profile's current values, CP and W' in force from the earliest
imported ride's day (docs/projections.md). They need an existing athlete, and a bad value
stops the command (exit 2, one line on stderr) before anything is stored.

Each file is its own transaction: a broken file is refused with one line on stderr and
stores nothing, the others are still imported, and the exit status is 1 if any file failed.
The projectors (`wattlog project`) then turn the rides into read models.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from uuid import UUID

from eventsourcing.persistence import IntegrityError

from adapters.eventstore import WattlogStore
from adapters.importers.athletes import UnknownAthlete, athlete_by_email
from adapters.importers.fit import RideFileError, read_fit_ride
from adapters.importers.service import RideImportError, import_ride
from adapters.progress import ProgressBar
from adapters.reachability import check_database
from adapters.services.athletes import AthleteService
from adapters.services.ownership_index import IndexedStore
from adapters.settings import Settings
from domain.athletes import Athlete
from domain.errors import InvalidProfile

THRESHOLD_OPTIONS = ("lthr", "max_hr", "cp", "w_prime")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("files", nargs="+", metavar="FILE", type=Path, help="FIT files")
    who = parser.add_mutually_exclusive_group(required=True)
    who.add_argument("--athlete", type=UUID, help="the athlete's id (shown in Settings)")
    who.add_argument(
        "--athlete-email", metavar="EMAIL", help="the athlete of the user signing in with EMAIL"
    )
    parser.add_argument(
        "--athlete-name", metavar="NAME", help="with --athlete-email: which of the user's athletes"
    )
    parser.add_argument(
        "--owner", type=UUID, help="owning user (default: the athlete profile's owner)"
    )
    parser.add_argument("--ftp", type=int, help="FTP in W (default: the athlete's on that day)")
    parser.add_argument("--lthr", type=int, help="set the athlete's threshold heart rate (bpm)")
    parser.add_argument("--max-hr", type=int, help="set the athlete's maximum heart rate (bpm)")
    parser.add_argument(
        "--cp", type=int, help="set the athlete's CP in W from the first ride's day (default FTP)"
    )
    parser.add_argument(
        "--w-prime", type=int, help="set the athlete's W' in J from the first ride's day (20000)"
    )


def run(settings: Settings, args: argparse.Namespace) -> int:
    # Callers building the arguments themselves (tests, scripts) may leave the email out.
    email, name = getattr(args, "athlete_email", None), getattr(args, "athlete_name", None)
    if (args.athlete is None) == (email is None) or (name is not None and email is None):
        print(
            "wattlog import: give --athlete ID, or --athlete-email EMAIL [--athlete-name NAME]",
            file=sys.stderr,
        )
        return 2
    check_database(settings)  # fail at once, not after the store's pool gave up
    if email is not None:
        try:
            args.athlete = athlete_by_email(settings, email, name)
        except UnknownAthlete as error:
            print(f"wattlog import: {error}", file=sys.stderr)
            return 2
    # The same store as the API's: the ride's ownership rows are written with its events,
    # so imported rides appear in the owner's session lists.
    store = IndexedStore(settings)
    failed = 0
    progress = ProgressBar("import", len(args.files)) if len(args.files) > 1 else None
    try:
        refused = _set_thresholds(store, args)
        if refused is not None:
            print(f"wattlog import: {refused}", file=sys.stderr)
            return 2
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


def _set_thresholds(store: WattlogStore, args: argparse.Namespace) -> str | None:
    """Applies the threshold options to the athlete; the reason if refused (nothing saved)."""
    given = {name: getattr(args, name, None) for name in THRESHOLD_OPTIONS}
    if all(value is None for value in given.values()):
        return None
    athletes = AthleteService(store)
    if athletes.find(args.athlete) is None:
        return (
            f"athlete {args.athlete} is unknown: --lthr, --max-hr, --cp and --w-prime set a profile"
        )
    days = []
    for path in args.files:
        try:
            days.append(read_fit_ride(path.read_bytes()).start_time.date())
        except (RideFileError, OSError):
            continue  # refused with its reason by the import itself

    def change(athlete: Athlete) -> None:
        if given["lthr"] is not None or given["max_hr"] is not None:
            # From the first ride's day, as CP and W': the rides are summarised with them.
            first = min(days) if days else None
            max_hr, lthr = (
                athlete.hr_thresholds_on(first) if first else (athlete.max_hr, athlete.threshold_hr)
            )
            athlete.change_thresholds(
                max_hr=given["max_hr"] if given["max_hr"] is not None else max_hr,
                threshold_hr=given["lthr"] if given["lthr"] is not None else lthr,
                effective_from=first,
            )
        if (given["cp"] is not None or given["w_prime"] is not None) and days:
            day = min(days)
            cp_w, w_prime_j = athlete.power_thresholds_on(day)
            athlete.change_power_thresholds(
                cp_w=given["cp"] if given["cp"] is not None else cp_w,
                w_prime_j=given["w_prime"] if given["w_prime"] is not None else w_prime_j,
                effective_from=day,
            )

    try:
        athletes.change(args.athlete, change)
    except InvalidProfile as error:
        return str(error)
    except IntegrityError:
        return f"athlete {args.athlete} was changed at the same time; run the command again"
    return None


def _reason(error: Exception, path: Path) -> str:
    text = str(error) if not isinstance(error, OSError) else (error.strerror or str(error))
    prefix = f"{path}: "
    return text[len(prefix) :] if text.startswith(prefix) else text
