"""The PostgreSQL event store: the `eventsourcing` application, its recorder and transcoder."""

from adapters.eventstore.application import WattlogStore, store_env

__all__ = ["WattlogStore", "store_env"]
