"""The ingest worker: bridge envelopes from the shard queues into the event store."""
