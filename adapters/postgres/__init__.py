"""PostgreSQL plumbing shared by the processes: connection pools, LISTEN, the flavour, the
test server's addresses. It imports nothing of the event store (adapters/eventstore/ builds
on its pools; the migrations, which create the event store's tables, are above both)."""
