"""Application services: every use case that loads, changes and saves an aggregate.

The API's handlers, the command line and the importers call these; none of them loads or
saves an aggregate itself. Each service wraps the process's one event store (an
`eventsourcing` `Application`, `adapters.eventstore.WattlogStore`; one per process, so one
connection pool) and goes through the one load-check-retry helper, `conflicts.change`.

- `athletes.AthleteService`: profiles (create, read, change).
- `bridges.BridgeService`: bridge clients (register, read, revoke).
- `sessions.SessionService`: rides (start, commands, pause... finish).
- `adapters.importers.service.import_ride`: ride files into finished sessions.
- `ownership_index.IndexedStore`: the store that keeps the ownership tables with the events.
"""
