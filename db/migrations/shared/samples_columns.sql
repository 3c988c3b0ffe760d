-- The columns of the `samples` read model, the same in both flavours; included inside the
-- CREATE TABLE of db/migrations/plain/0201_rm_samples.sql and timescale/0201_rm_samples.sql
-- (adapters/migrations.py, "\ir"). A database that ran 0201 never runs it again
-- (the runner records names): a new column needs a new migration, not an edit here.
    session_id        uuid NOT NULL,
    ts                timestamptz NOT NULL,
    athlete_id        uuid NOT NULL,
    ftp_w             smallint,
    power_w           real,
    power_30s_w       real,
    heart_rate_bpm    real,
    cadence_rpm       real,
    speed_kmh         real,
    distance_m        double precision,
    altitude_m        real,
    temperature_c     real,
    power_balance_pct real,
    latitude_deg      double precision,
    longitude_deg     double precision,
    rr_ms             real[],
    PRIMARY KEY (session_id, ts)
