"""Zones that fit the rider: heart-rate zones from the maximum when no threshold is known,
and the rider's own power zones (upper bounds in % FTP) instead of Coggan's."""

from __future__ import annotations

from domain.metrics.resample import Series, resample_to_1hz
from domain.metrics.summary import summarize_ride
from domain.metrics.zones import Zone, custom_power_zones, heart_rate_zones_from_max


def _ride(power_and_hr: list[tuple[float, float]]) -> Series:
    return resample_to_1hz(
        [
            (float(t), {"power_w": p, "heart_rate_bpm": hr})
            for t, (p, hr) in enumerate(power_and_hr)
        ],
        0.0,
    )


def test_heart_rate_zones_from_the_maximum_are_50_to_90_percent_bands() -> None:
    zones = heart_rate_zones_from_max(190)
    assert [(z.low, z.high) for z in zones] == [
        (0, 114),
        (114, 133),
        (133, 152),
        (152, 171),
        (171, None),
    ]


def test_custom_power_zones_take_the_riders_bounds_in_percent_of_ftp() -> None:
    assert custom_power_zones(250, [60.0, 85.0, 105.0]) == (
        Zone("Z1", 0, 150),
        Zone("Z2", 150, 212),
        Zone("Z3", 212, 262),
        Zone("Z4", 262, None),
    )


def test_a_ride_without_threshold_hr_gets_zones_from_the_maximum() -> None:
    ride = _ride([(200.0, 120.0)] * 10 + [(300.0, 175.0)] * 5)
    assert summarize_ride(ride, ftp_w=250).time_in_hr_zones_s is None
    summary = summarize_ride(ride, ftp_w=250, max_hr=190)
    assert summary.time_in_hr_zones_s == (
        ("Z1 Very light", 0),
        ("Z2 Light", 10),
        ("Z3 Moderate", 0),
        ("Z4 Hard", 0),
        ("Z5 Maximum", 5),
    )
    with_threshold = summarize_ride(ride, ftp_w=250, threshold_hr=170, max_hr=190)
    assert with_threshold.time_in_hr_zones_s is not None
    assert with_threshold.time_in_hr_zones_s[0][0] == "Z1 Active recovery"  # LTHR wins


def test_a_ride_is_counted_in_the_riders_own_power_zones() -> None:
    ride = _ride([(140.0, 120.0)] * 4 + [(200.0, 130.0)] * 6 + [(280.0, 150.0)] * 3)
    summary = summarize_ride(ride, ftp_w=250, power_zone_bounds_pct=[60.0, 85.0, 105.0])
    assert summary.time_in_power_zones_s == (("Z1", 4), ("Z2", 6), ("Z3", 0), ("Z4", 3))
