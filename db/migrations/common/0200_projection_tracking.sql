-- Projector positions: the eventsourcing library's single-row tracking table, created here
-- once (workers never create tables). The '__migration__' row tells the library the table
-- is already in its single-row form, so it never tries to migrate (rename) it.
CREATE TABLE IF NOT EXISTS projection_tracking (
    application_name  text,
    notification_id   bigint,
    PRIMARY KEY (application_name)
);
INSERT INTO projection_tracking (application_name, notification_id)
VALUES ('__migration__', 1)
ON CONFLICT (application_name) DO NOTHING;

-- One row per projection: bumped by every rebuild swap, so that a running projector knows
-- the tables under it were replaced and drops whatever it cached about them.
CREATE TABLE IF NOT EXISTS projection_generations (
    name        text PRIMARY KEY,
    generation  integer NOT NULL DEFAULT 0,
    swapped_at  timestamptz
);
