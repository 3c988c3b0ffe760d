"""The analytics query layer: functions that take a psycopg connection (or the store) and
return plain dicts, for the API to serve. They read the read models only (docs/projections.md)."""
