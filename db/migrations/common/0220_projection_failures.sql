-- Events a projector could not project, set aside so that the others go on
-- (docs/projections.md, "Events a projector cannot project"). One row per projection and
-- notification, written in the batch transaction that moves the projection past it;
-- `wattlog project --retry-failed` re-applies them and deletes the rows that now succeed.
-- A rebuild records its own under `<projection>~rebuild` and replaces the live rows at the
-- swap. Not a read model (no `_rm_` in the name): rebuilds never copy it.
CREATE TABLE IF NOT EXISTS projection_failures (
    projection       text NOT NULL,
    notification_id  bigint NOT NULL,
    originator_id    uuid,
    topic            text NOT NULL,
    error            text NOT NULL,
    failed_at        timestamptz NOT NULL DEFAULT now(),
    retried_at       timestamptz,
    attempts         integer NOT NULL DEFAULT 1,
    PRIMARY KEY (projection, notification_id)
);
