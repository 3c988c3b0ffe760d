-- The relay publishes every session event except samples (those go live from the ingest
-- worker that commits them). This partial index lets its read
--   WHERE notification_id > $1 AND notification_id <= $2 AND topic <> '<sample topic>'
--   ORDER BY notification_id
-- step from one such event to the next without walking the samples in between: it holds
-- an entry per lifecycle event or command, not one per BLE notification. The topic must
-- equal get_topic(domain.events.SampleRecorded) (tests/integration/test_relay_reads.py).
CREATE INDEX IF NOT EXISTS wattlog_events_other_than_samples
    ON wattlog_events (notification_id)
    WHERE topic <> 'domain.sessions:WorkoutSession.SampleRecorded';
