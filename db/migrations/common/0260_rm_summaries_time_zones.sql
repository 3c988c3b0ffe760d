-- Issue 15: each athlete's IANA time zone (Athlete.TimeZoneChanged). `ride_day` and
-- `athlete_fitness.day` are the rider's days in it; the analytics bucket the minute rollups
-- by it at query time (docs/projections.md). No row = UTC. Named `*_rm_summaries*`: a
-- summaries rebuild creates it too.
CREATE TABLE IF NOT EXISTS athlete_time_zones (
    athlete_id  uuid PRIMARY KEY,
    time_zone   text NOT NULL
);
