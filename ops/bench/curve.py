"""How long the mean-max power curve of one ride takes: the longest real ride file of the
fixtures and synthetic 4-hour rides, with the default exact range (1 h) and fully exact.

    .venv/bin/python ops/bench/curve.py [--repeats 3]

The fully exact search is the baseline: the default must give the same curve up to an
hour and bounded values beyond it, in a fraction of the time.
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable
from pathlib import Path

from benchlib import median_ms, report, timed

from adapters.importers.fit import read_fit_ride
from domain.metrics import mean_max_power, resample_to_1hz

LONGEST_FIXTURE = (
    Path(__file__).resolve().parents[2].parent
    / "shared/fixtures/fit/2019-02-17-062644-ELEMNT-297E-195-0.fit"
)
FOUR_HOURS = 4 * 3600


def _synthetic(level: Callable[[int, random.Random], float]) -> list[float | None]:
    rng = random.Random(7)
    return [level(second, rng) for second in range(FOUR_HOURS)]


def rides() -> dict[str, list[float | None]]:
    found: dict[str, list[float | None]] = {}
    if LONGEST_FIXTURE.exists():
        ride = read_fit_ride(LONGEST_FIXTURE.read_bytes())
        found["ELEMNT fixture (6.5 h)"] = resample_to_1hz(ride.records, 0.0).channel("power_w")
    found["4 h steady ERG 200 +- 5 W"] = _synthetic(lambda _, rng: rng.gauss(200, 5))
    found["4 h noisy 200 +- 80 W"] = _synthetic(lambda _, rng: max(0.0, rng.gauss(200, 80)))
    found["4 h 5-min intervals 300/150 W"] = _synthetic(
        lambda s, rng: rng.gauss(300 if s // 300 % 2 == 0 else 150, 10)
    )
    found["4 h 60 s on 400 W / 60 s off (worst case)"] = _synthetic(
        lambda s, _: 400.0 if s // 60 % 2 == 0 else 0.0
    )
    return found


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    figures: dict[str, dict[str, float]] = {}
    table = [("ride", "seconds", "default ms", "fully exact ms")]
    for name, power in rides().items():
        default = median_ms(timed(lambda p=power: mean_max_power(p), args.repeats))
        exact = median_ms(
            timed(lambda p=power: mean_max_power(p, exact_up_to_s=len(p)), args.repeats)
        )
        figures[name] = {"seconds": len(power), "default_ms": default, "exact_ms": exact}
        table.append((name, str(len(power)), str(default), str(exact)))
    report("curve", {"repeats": args.repeats, "rides": figures}, table)


if __name__ == "__main__":
    main()
