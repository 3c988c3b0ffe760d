"""The relay: follows the event store's notification log and publishes committed events."""
