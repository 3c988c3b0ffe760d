"""SQL for the read models and relational tables, applied by `wattlog migrate`.

migrations/common/     every installation
migrations/plain/      PostgreSQL without TimescaleDB
migrations/timescale/  PostgreSQL with the TimescaleDB extension
Files are applied in the order of their numeric prefix across the chosen folders.
"""
