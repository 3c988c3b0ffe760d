-- Issue 15.6 and 16: zones that fit the rider. Each athlete's threshold and maximum heart rate
-- history (Athlete Created / ThresholdsChanged), so that a ride uses the values in force on its
-- day, and the rider's own power zones (Athlete ZonesChanged; NULL = Coggan's). Named
-- `*_rm_summaries*`: a summaries rebuild creates them too.
CREATE TABLE IF NOT EXISTS athlete_hr_thresholds (
    athlete_id        uuid NOT NULL,
    effective_from    date NOT NULL,
    threshold_hr_bpm  double precision,
    max_hr_bpm        double precision,
    PRIMARY KEY (athlete_id, effective_from)
);

CREATE TABLE IF NOT EXISTS athlete_power_zones (
    athlete_id        uuid PRIMARY KEY,
    upper_bounds_pct  jsonb
);
