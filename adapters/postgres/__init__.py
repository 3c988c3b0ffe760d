"""PostgreSQL plumbing shared by the processes: migrations, connection pools."""
